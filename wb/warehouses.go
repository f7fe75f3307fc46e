package wb

import (
	"context"
	"net/http"
	"slices"
	"strconv"
)

// Office is a WB office a seller warehouse ships to.
type Office struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Address         string  `json:"address"`
	City            string  `json:"city"`
	Longitude       float64 `json:"longitude"`
	Latitude        float64 `json:"latitude"`
	CargoType       int     `json:"cargoType"`
	DeliveryType    int     `json:"deliveryType"` // 1 FBS
	FederalDistrict *string `json:"federalDistrict"`
	Selected        bool    `json:"selected"`
}

// Offices lists WB's offices.
func (c *Client) Offices(ctx context.Context, token string) ([]Office, error) {
	var out []Office
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/offices", nil, &out))
	return out, err
}

// Warehouse is a seller warehouse, linked to one WB office.
type Warehouse struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	OfficeID     int64  `json:"officeId"`
	CargoType    int    `json:"cargoType"`
	DeliveryType int    `json:"deliveryType"`
	IsDeleting   bool   `json:"isDeleting"`
	IsProcessing bool   `json:"isProcessing"` // stock updates are refused meanwhile
}

// Warehouses lists the seller's warehouses.
func (c *Client) Warehouses(ctx context.Context, token string) ([]Warehouse, error) {
	var out []Warehouse
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/warehouses", nil, &out))
	return out, err
}

// CreateWarehouse links a new seller warehouse to a WB office and returns
// its id. WB answers 409 when the office is linked to another of the
// seller's warehouses already. Not resent after a 5xx: a resend could make
// a second warehouse; list them instead.
func (c *Client) CreateWarehouse(ctx context.Context, token, name string, officeID int64) (int64, error) {
	var out struct {
		ID int64 `json:"id"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodPost, "/api/v3/warehouses",
		map[string]any{"name": name, "officeId": officeID}, &out))
	return out.ID, err
}

// Stock is the amount of one size (chrtId) at a warehouse. WB stopped taking
// barcodes (sku) in February 2026.
type Stock struct {
	ChrtID uint64 `json:"chrtId"`
	Amount int    `json:"amount"`
}

// UpdateStocks sets stock amounts at a seller warehouse, 1000 per request.
// Setting an amount twice is harmless, so it is resent after a 5xx.
func (c *Client) UpdateStocks(ctx context.Context, token string, warehouseID int64, stocks []Stock) error {
	for chunk := range slices.Chunk(stocks, 1000) {
		cl := fbsCall(token, http.MethodPut, "/api/v3/stocks/"+strconv.FormatInt(warehouseID, 10),
			map[string]any{"stocks": chunk}, nil)
		cl.idempotent = true
		if err := c.do(ctx, cl); err != nil {
			return err
		}
	}
	return nil
}

// Stocks reads the amounts of chrtIDs at a seller warehouse, 1000 per
// request (a POST that changes nothing, so it is resent after a 5xx).
func (c *Client) Stocks(ctx context.Context, token string, warehouseID int64, chrtIDs []uint64) ([]Stock, error) {
	var all []Stock
	for chunk := range slices.Chunk(chrtIDs, 1000) {
		var out struct {
			Stocks []Stock `json:"stocks"`
		}
		cl := fbsCall(token, http.MethodPost, "/api/v3/stocks/"+strconv.FormatInt(warehouseID, 10),
			map[string]any{"chrtIds": chunk}, &out)
		cl.idempotent = true
		if err := c.do(ctx, cl); err != nil {
			return all, err
		}
		all = append(all, out.Stocks...)
	}
	return all, nil
}

// Pass is an entry pass to a WB warehouse, valid 48 hours.
type Pass struct {
	ID            int64  `json:"id"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	CarModel      string `json:"carModel"`
	CarNumber     string `json:"carNumber"`
	OfficeID      int64  `json:"officeId"`
	OfficeName    string `json:"officeName,omitempty"`
	OfficeAddress string `json:"officeAddress,omitempty"`
	DateEnd       string `json:"dateEnd,omitempty"`
}

// PassOffice is a WB warehouse that needs a pass.
type PassOffice struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// PassOffices lists the warehouses that need a pass.
func (c *Client) PassOffices(ctx context.Context, token string) ([]PassOffice, error) {
	var out []PassOffice
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/passes/offices", nil, &out))
	return out, err
}

// Passes lists the seller's passes.
func (c *Client) Passes(ctx context.Context, token string) ([]Pass, error) {
	var out []Pass
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/passes", nil, &out))
	return out, err
}

// passBody is what WB takes to create or change a pass.
func passBody(p Pass) map[string]any {
	return map[string]any{"firstName": p.FirstName, "lastName": p.LastName,
		"carModel": p.CarModel, "carNumber": p.CarNumber, "officeId": p.OfficeID}
}

// CreatePass orders a pass and returns its id. WB allows one such request
// per ten minutes, in a bucket of its own; not resent after a 5xx, list
// the passes instead.
func (c *Client) CreatePass(ctx context.Context, token string, p Pass) (int64, error) {
	var out struct {
		ID int64 `json:"id"`
	}
	cl := fbsCall(token, http.MethodPost, "/api/v3/passes", passBody(p), &out)
	cl.group = groupPassCreate
	return out.ID, c.do(ctx, cl)
}

// UpdatePass changes pass p.ID.
func (c *Client) UpdatePass(ctx context.Context, token string, p Pass) error {
	cl := fbsCall(token, http.MethodPut, "/api/v3/passes/"+strconv.FormatInt(p.ID, 10), passBody(p), nil)
	cl.idempotent = true
	return c.do(ctx, cl)
}

// DeletePass deletes a pass.
func (c *Client) DeletePass(ctx context.Context, token string, id int64) error {
	return c.do(ctx, fbsCall(token, http.MethodDelete, "/api/v3/passes/"+strconv.FormatInt(id, 10), nil, nil))
}
