package wb

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Supply is a batch of assembly tasks handed to WB together (wb-api.md
// §7.6, wb-resale.md §2.1). One supply holds one cargo type, taken from
// its first order, and never mixes B2B with other orders.
type Supply struct {
	ID                  string     `json:"id"`
	Done                bool       `json:"done"`
	CreatedAt           time.Time  `json:"createdAt"`
	ClosedAt            *time.Time `json:"closedAt"`
	ScanDt              *time.Time `json:"scanDt"`
	Name                string     `json:"name"`
	CargoType           int        `json:"cargoType"`
	DestinationOfficeID *int64     `json:"destinationOfficeId"`
	IsB2B               *bool      `json:"isB2b"`
	CrossBorderType     *int       `json:"crossBorderType"`
	// The shipping parameters deliver needs since 01.10.2026.
	ShippingDt      string  `json:"shippingDt"`
	ShippingPointID int64   `json:"shippingPointId"`
	ShippingType    string  `json:"shippingType"`
	WaybillUUID     *string `json:"waybillUuid"`
	SpotAvailable   bool    `json:"spotAvailable"`
	// IsPickupPointShipmentAllowed: the supply may be dropped at a pickup
	// point, which then needs cargo places.
	IsPickupPointShipmentAllowed bool  `json:"isPickupPointShipmentAllowed"`
	RecommendedWhID              int64 `json:"recommendedWhId"`
}

// CreateSupply opens a supply and returns its id (WB-GI-…). It is not
// resent after a 5xx: a resend could open a second supply.
func (c *Client) CreateSupply(ctx context.Context, token, name string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodPost, "/api/v3/supplies", map[string]string{"name": name}, &out))
	return out.ID, err
}

// SupplyPage is one page of supplies and the cursor of the next.
type SupplyPage struct {
	Next     int64    `json:"next"`
	Supplies []Supply `json:"supplies"`
}

// ListSupplies reads one page of supplies; next is 0 for the first page.
func (c *Client) ListSupplies(ctx context.Context, token string, limit int, next int64) (SupplyPage, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var p SupplyPage
	cl := fbsCall(token, http.MethodGet, "/api/v3/supplies", nil, &p)
	cl.query = url.Values{"limit": {strconv.Itoa(limit)}, "next": {strconv.FormatInt(next, 10)}}
	return p, c.do(ctx, cl)
}

// AllSupplies reads every supply, following next until an empty page or a
// cursor seen before.
func (c *Client) AllSupplies(ctx context.Context, token string) ([]Supply, error) {
	return walk(ctx, c.maxPages, int64(0), func(ctx context.Context, next int64) ([]Supply, int64, bool, error) {
		p, err := c.ListSupplies(ctx, token, 1000, next)
		return p.Supplies, p.Next, true, err
	})
}

// Supply reads one supply.
func (c *Client) Supply(ctx context.Context, token, id string) (Supply, error) {
	var s Supply
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/supplies/"+url.PathEscape(id), nil, &s))
	return s, err
}

// DeleteSupply deletes an active supply with no orders.
func (c *Client) DeleteSupply(ctx context.Context, token, id string) error {
	return c.do(ctx, fbsCall(token, http.MethodDelete, "/api/v3/supplies/"+url.PathEscape(id), nil, nil))
}

// AddOrdersToSupply attaches orders to a supply, 100 per request, moving
// them to confirm (the old one-order path was switched off 18.12.2025).
// Resending is harmless: the orders are already there. WB answers 409
// FailedToAddSupplyOrder for an order it cannot take: cancelled, of
// another cargo type or warehouse, or B2B into a non-B2B supply.
func (c *Client) AddOrdersToSupply(ctx context.Context, token, supplyID string, orderIDs []int64) error {
	for chunk := range slices.Chunk(orderIDs, 100) {
		cl := fbsCall(token, http.MethodPatch, "/api/marketplace/v3/supplies/"+url.PathEscape(supplyID)+"/orders",
			map[string]any{"orders": chunk}, nil)
		cl.idempotent = true
		if err := c.do(ctx, cl); err != nil {
			return err
		}
	}
	return nil
}

// SupplyOrderIDs lists the orders attached to a supply.
func (c *Client) SupplyOrderIDs(ctx context.Context, token, supplyID string) ([]int64, error) {
	var out struct {
		OrderIDs []int64 `json:"orderIds"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodGet,
		"/api/marketplace/v3/supplies/"+url.PathEscape(supplyID)+"/order-ids", nil, &out))
	return out.OrderIDs, err
}

// DeliverSupply closes a supply and hands it to delivery (orders →
// complete). WB answers 409 SupplyShippingRequired without shipping
// parameters (SetSupplyShipping), SupplyHasZeroOrders when empty, and
// MetaValidationFail when marking is missing. Not resent after a 5xx: a
// second close answers 409, and every FBS 4XX costs ten requests.
func (c *Client) DeliverSupply(ctx context.Context, token, supplyID string) error {
	return c.do(ctx, fbsCall(token, http.MethodPatch, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/deliver", nil, nil))
}

// Barcode is a supply's QR code; File is the image, base64.
type Barcode struct {
	Barcode string `json:"barcode"`
	File    string `json:"file"`
}

// SupplyBarcode reads the QR code of a delivered supply; kind is svg, zplv,
// zplh or png.
func (c *Client) SupplyBarcode(ctx context.Context, token, supplyID, kind string) (Barcode, error) {
	var b Barcode
	cl := fbsCall(token, http.MethodGet, "/api/v3/supplies/"+url.PathEscape(supplyID)+"/barcode", nil, &b)
	cl.query = url.Values{"type": {kind}}
	return b, c.do(ctx, cl)
}

// Reshipment is an order WB wants shipped again: its supply was scanned
// but the order itself was not.
type Reshipment struct {
	SupplyID string `json:"supplyID"`
	OrderID  int64  `json:"orderID"`
}

// Reshipments lists the orders that need shipping again; add them to an
// open supply.
func (c *Client) Reshipments(ctx context.Context, token string) ([]Reshipment, error) {
	var out struct {
		Orders []Reshipment `json:"orders"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/supplies/orders/reshipment", nil, &out))
	return out.Orders, err
}
