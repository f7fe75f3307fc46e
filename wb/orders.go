package wb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Order is an FBS assembly task: one unit of one product (wb-api.md §7.4).
type Order struct {
	ID          int64     `json:"id"`
	RID         string    `json:"rid"` // = srid in claims and goods-return
	OrderUID    string    `json:"orderUid"`
	CreatedAt   time.Time `json:"createdAt"`
	WarehouseID int64     `json:"warehouseId"`
	OfficeID    int64     `json:"officeId"`
	Offices     []string  `json:"offices"`
	NmID        int64     `json:"nmId"`
	ChrtID      uint64    `json:"chrtId"` // uint64 in WB's schemas since 2026-09

	Article               string        `json:"article"`
	Skus                  []string      `json:"skus"`
	ColorCode             string        `json:"colorCode"`
	Price                 int64         `json:"price"` // ×100
	ConvertedPrice        int64         `json:"convertedPrice"`
	FinalPrice            int64         `json:"finalPrice"`
	ConvertedFinalPrice   int64         `json:"convertedFinalPrice"`
	SalePrice             *int64        `json:"salePrice"`
	CurrencyCode          int           `json:"currencyCode"`
	ConvertedCurrencyCode int           `json:"convertedCurrencyCode"`
	CargoType             int           `json:"cargoType"`
	CrossBorderType       int           `json:"crossBorderType"`
	DeliveryType          string        `json:"deliveryType"`
	Comment               string        `json:"comment"`
	ScanPrice             *float64      `json:"scanPrice"`
	Address               *OrderAddress `json:"address"`
	DDate                 string        `json:"ddate"`
	SellerDate            string        `json:"sellerDate"`
	RequiredMeta          []string      `json:"requiredMeta"`
	OptionalMeta          []string      `json:"optionalMeta"`
	IsZeroOrder           bool          `json:"isZeroOrder"`
	// IsPickupPointShipmentAllowed: the task may be dropped at a pickup point.
	IsPickupPointShipmentAllowed bool         `json:"isPickupPointShipmentAllowed"`
	SupplyID                     string       `json:"supplyId"` // list only, when attached
	Options                      OrderOptions `json:"options"`
}

// OrderAddress is the buyer's address, when WB shares it.
type OrderAddress struct {
	FullAddress string  `json:"fullAddress"`
	Longitude   float64 `json:"longitude"`
	Latitude    float64 `json:"latitude"`
}

// OrderOptions are the order's flags.
type OrderOptions struct {
	IsB2B bool
}

// UnmarshalJSON accepts both spellings WB has used: isB2b (S1, the seed)
// and isB2B (S2).
func (o *OrderOptions) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, k := range []string{"isB2B", "isB2b"} {
		if v, ok := m[k]; ok {
			return json.Unmarshal(v, &o.IsB2B)
		}
	}
	return nil
}

// NewOrders reads every assembly task that is new right now.
func (c *Client) NewOrders(ctx context.Context, token string) ([]Order, error) {
	var out struct {
		Orders []Order `json:"orders"`
	}
	err := c.do(ctx, fbsCall(token, http.MethodGet, "/api/v3/orders/new", nil, &out))
	return out.Orders, err
}

// OrderFilter selects a page of orders. WB allows 30 days per request.
type OrderFilter struct {
	Limit    int   // 1..1000; 0 means 1000
	Next     int64 // 0 for the first page
	From, To time.Time
}

// OrderPage is one page of orders and the cursor of the next.
type OrderPage struct {
	Next   int64   `json:"next"`
	Orders []Order `json:"orders"`
}

// ListOrders reads one page of orders, without their live status.
func (c *Client) ListOrders(ctx context.Context, token string, f OrderFilter) (OrderPage, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	q := url.Values{"limit": {strconv.Itoa(f.Limit)}, "next": {strconv.FormatInt(f.Next, 10)}}
	if !f.From.IsZero() {
		q.Set("dateFrom", strconv.FormatInt(f.From.Unix(), 10))
	}
	if !f.To.IsZero() {
		q.Set("dateTo", strconv.FormatInt(f.To.Unix(), 10))
	}
	var p OrderPage
	cl := fbsCall(token, http.MethodGet, "/api/v3/orders", nil, &p)
	cl.query = q
	return p, c.do(ctx, cl)
}

// AllOrders reads every order created between from and to (at most 30
// days apart, WB's limit), following next until an empty page or a cursor
// seen before.
func (c *Client) AllOrders(ctx context.Context, token string, from, to time.Time) ([]Order, error) {
	if to.Before(from) || to.Sub(from) > 30*24*time.Hour {
		return nil, fmt.Errorf("wb orders %s..%s: window must be 0..30 days", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	return walk(ctx, c.maxPages, int64(0), func(ctx context.Context, next int64) ([]Order, int64, bool, error) {
		p, err := c.ListOrders(ctx, token, OrderFilter{Next: next, From: from, To: to})
		return p.Orders, p.Next, true, err
	})
}

// OrderStatus is an order's seller-side and WB-side status. WB adds wbStatus
// values over time, so they stay strings.
type OrderStatus struct {
	ID             int64  `json:"id"`
	SupplierStatus string `json:"supplierStatus"` // new, confirm, complete, cancel, cancel_carrier
	WBStatus       string `json:"wbStatus"`       // waiting, sorted, sold, ready_for_pickup, …
	IsCancellable  *bool  `json:"isCancellable"`
}

// Sold reports whether the buyer received the item.
func (s OrderStatus) Sold() bool { return s.WBStatus == "sold" }

// Cancelled reports whether the order will not reach a buyer: the seller
// or the carrier cancelled it, WB did, the buyer cancelled it in the first
// hour or refused it at the pickup point, or it was rejected as defective
// (wb-resale.md §2.6).
func (s OrderStatus) Cancelled() bool {
	switch s.SupplierStatus {
	case "cancel", "cancel_carrier":
		return true
	}
	switch s.WBStatus {
	case "canceled", "canceled_by_client", "declined_by_client", "defect", "canceled_by_carrier":
		return true
	}
	return false
}

// OrderStatuses reads the statuses of ids, 1000 per request.
func (c *Client) OrderStatuses(ctx context.Context, token string, ids []int64) ([]OrderStatus, error) {
	var all []OrderStatus
	for chunk := range slices.Chunk(ids, 1000) {
		var out struct {
			Orders []OrderStatus `json:"orders"`
		}
		cl := fbsCall(token, http.MethodPost, "/api/v3/orders/status", map[string]any{"orders": chunk}, &out)
		cl.idempotent = true
		if err := c.do(ctx, cl); err != nil {
			return all, err
		}
		all = append(all, out.Orders...)
	}
	return all, nil
}

// CancelOrder cancels an assembly task (supplierStatus → cancel), which
// also takes it out of its supply. WB allows it only before the task is
// handed over (isCancellable) and answers 409 StatusMismatch or
// StatusChangeNotAllowed otherwise. Cancel has its own bucket.
func (c *Client) CancelOrder(ctx context.Context, token string, id int64) error {
	cl := fbsCall(token, http.MethodPatch, "/api/v3/orders/"+strconv.FormatInt(id, 10)+"/cancel", nil, nil)
	cl.group, cl.idempotent = groupFBSCancel, false
	return c.do(ctx, cl)
}

// Sticker is an assembly task's label; File is the image, base64 as WB sends it.
type Sticker struct {
	OrderID int64  `json:"orderId"`
	PartA   string `json:"partA"`
	PartB   string `json:"partB"`
	Barcode string `json:"barcode"`
	File    string `json:"file"`
}

// OrderStickers reads labels for tasks in confirm or complete (WB has none
// for a new task: it must be in a supply first), 100 per request. kind is
// svg, zplv, zplh or png; the size, which WB requires, is 58×40 mm.
func (c *Client) OrderStickers(ctx context.Context, token string, ids []int64, kind string) ([]Sticker, error) {
	var all []Sticker
	for chunk := range slices.Chunk(ids, 100) {
		var out struct {
			Stickers []Sticker `json:"stickers"`
		}
		cl := fbsCall(token, http.MethodPost, "/api/v3/orders/stickers", map[string]any{"orders": chunk}, &out)
		cl.query, cl.idempotent = url.Values{"type": {kind}, "width": {"58"}, "height": {"40"}}, true
		if err := c.do(ctx, cl); err != nil {
			return all, err
		}
		all = append(all, out.Stickers...)
	}
	return all, nil
}

// fbsCall is a marketplace call in the shared FBS bucket; reads are
// idempotent, writes must say so themselves.
func fbsCall(token, method, path string, body, out any) call {
	return call{token: token, method: method, cat: CategoryMarketplace, group: groupFBS,
		path: path, body: body, out: out, idempotent: method == http.MethodGet}
}
