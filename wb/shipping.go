package wb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Shipping parameters and cargo places of FBS supplies (wb-resale.md §2.1):
// since 01.10.2026 a supply of an RF seller is not delivered without where,
// when and how it ships, and one dropped at a pickup point needs cargo
// places.

// ShippingPoint is where a seller may bring supplies: a sorting centre
// ("sc"), a WB warehouse ("sw") or a pickup point ("pp").
type ShippingPoint struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Address     string  `json:"address"`
	City        string  `json:"city"`
	OfficeType  string  `json:"officeType"`
	CargoTypes  []int   `json:"cargoTypes"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	Fulfillment bool    `json:"fulfillment"`
}

// Shipping point types.
const (
	PointSortingCentre = "sc"
	PointWarehouse     = "sw"
	PointPickup        = "pp"
)

// Shipping types of a supply.
const (
	ShipSelf             = "selfShipping"
	ShipTransportCompany = "transportCompany" // needs an electronic waybill
)

// ShippingPoints lists the points of a city (in Russian, as WB names it)
// that take cargo type cargoType (1 small, 2 oversize, 3 large).
func (c *Client) ShippingPoints(ctx context.Context, token, city string, cargoType int) ([]ShippingPoint, error) {
	var out struct {
		ShippingPoints []ShippingPoint `json:"shippingPoints"`
	}
	cl := fbsCall(token, http.MethodGet, "/api/marketplace/v3/fbs/shipping-points", nil, &out)
	cl.query = url.Values{"city": {city}, "cargoType": {strconv.Itoa(cargoType)}}
	return out.ShippingPoints, c.do(ctx, cl)
}

// SupplyShipping is what SetSupplyShipping sets on one supply.
type SupplyShipping struct {
	SupplyID        string `json:"supplyId"`
	ShippingDt      string `json:"shippingDt"` // YYYY-MM-DD
	ShippingPointID int64  `json:"shippingPointId"`
	ShippingType    string `json:"shippingType"`
}

// ShippingResult is WB's answer for one supply of a SetSupplyShipping call.
type ShippingResult struct {
	SupplyID string `json:"supplyId"`
	Success  bool   `json:"success"`
	Error    *struct {
		Code   int    `json:"code"`
		Detail string `json:"detail"`
	} `json:"error"`
}

// SetSupplyShipping sets the shipping parameters of up to 100 supplies per
// request; it must come before DeliverSupply, and can be changed until the
// supply is scanned. Setting the same values twice is harmless, so it is
// resent after a 5xx. A supply WB refused comes back as an error naming it.
func (c *Client) SetSupplyShipping(ctx context.Context, token string, items []SupplyShipping) error {
	for chunk := range slices.Chunk(items, 100) {
		var out struct {
			Results []ShippingResult `json:"results"`
		}
		cl := fbsCall(token, http.MethodPatch, "/api/marketplace/v3/fbs/supplies/shipping-method",
			map[string]any{"data": chunk}, &out)
		cl.idempotent = true
		if err := c.do(ctx, cl); err != nil {
			return err
		}
		for _, r := range out.Results {
			if !r.Success {
				return shippingRefused(r)
			}
		}
	}
	return nil
}

// shippingRefused turns a per-supply refusal into the APIError a whole
// request's refusal would be, so callers branch on one shape.
func shippingRefused(r ShippingResult) *APIError {
	e := &APIError{Method: http.MethodPatch, Path: "/api/marketplace/v3/fbs/supplies/shipping-method",
		Status: http.StatusConflict, Detail: "supply " + r.SupplyID + " refused"}
	if r.Error != nil {
		e.Status = r.Error.Code
		e.Code, e.Detail = r.Error.Detail, fmt.Sprintf("supply %s: %s", r.SupplyID, r.Error.Detail)
	}
	return e
}

// CargoPlaces lists the cargo places (boxes, WB-TRBX-…) of a supply.
func (c *Client) CargoPlaces(ctx context.Context, token, supplyID string) ([]string, error) {
	var out struct {
		Trbxes []struct {
			ID string `json:"id"`
		} `json:"trbxes"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/trbx", nil, &out))
	ids := make([]string, len(out.Trbxes))
	for i, t := range out.Trbxes {
		ids[i] = t.ID
	}
	return ids, err
}

// AddCargoPlaces adds amount cargo places to an open supply; WB allows at
// most half as many as the supply has orders (RN 04.09.2026). Not resent
// after a 5xx: a resend could add them twice; list them instead.
func (c *Client) AddCargoPlaces(ctx context.Context, token, supplyID string, amount int) ([]string, error) {
	var out struct {
		TrbxIDs []string `json:"trbxIds"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodPost, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/trbx",
		map[string]int{"amount": amount}, &out))
	return out.TrbxIDs, err
}

// DeleteCargoPlaces removes cargo places while the supply is assembled.
func (c *Client) DeleteCargoPlaces(ctx context.Context, token, supplyID string, ids []string) error {
	cl := fbsCall(token, http.MethodDelete, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/trbx",
		map[string]any{"trbxIds": ids}, nil)
	cl.idempotent = true
	return c.do(ctx, cl)
}

// CargoPlaceStickers reads the QR stickers of cargo places; kind is svg,
// zplv, zplh or png.
func (c *Client) CargoPlaceStickers(ctx context.Context, token, supplyID string, ids []string, kind string) ([]Barcode, error) {
	var out struct {
		Stickers []Barcode `json:"stickers"`
	}
	cl := fbsCall(token, http.MethodPost, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/trbx/stickers",
		map[string]any{"trbxIds": ids}, &out)
	cl.query, cl.idempotent = url.Values{"type": {kind}}, true
	return out.Stickers, c.do(ctx, cl)
}
