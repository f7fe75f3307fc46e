package wbfake

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// buyers.go: what WB's buyers and logistics do to a seller's FBS orders,
// for tests and the demo to drive: a buyer orders from a seller
// warehouse's stock, cancels in the first hour, WB moves the order along
// its statuses until it is sold or refused.

// BuyerOrder is what a buyer orders: one unit of chrtID from warehouse.
type BuyerOrder struct {
	WarehouseID int64
	NmID        int64
	ChrtID      uint64
	Article     string
	Skus        []string
	Price       int64 // ×100, roubles
	B2B         bool
}

// ErrOutOfStock: the warehouse has none of the size left to order.
var ErrOutOfStock = errors.New("wbfake: out of stock")

// PlaceOrder is a buyer's order from seller sid's warehouse stock: the
// stock goes down by one, as WB reserves it, and a new assembly task
// appears. It fails when the stock is 0, as WB would not sell it.
func (s *Server) PlaceOrder(sid string, b BuyerOrder) (int64, error) {
	s.mu.Lock()
	sl := s.sellerLocked(sid)
	i := slices.IndexFunc(sl.warehouses, func(wh *Warehouse) bool { return wh.ID == b.WarehouseID })
	if i < 0 {
		s.mu.Unlock()
		return 0, fmt.Errorf("wbfake: seller %s has no warehouse %d", sid, b.WarehouseID)
	}
	wh := sl.warehouses[i]
	if sl.stocks[wh.ID][b.ChrtID] < 1 {
		s.mu.Unlock()
		return 0, fmt.Errorf("order %d at warehouse %d: %w", b.ChrtID, wh.ID, ErrOutOfStock)
	}
	sl.stocks[wh.ID][b.ChrtID]--
	s.mu.Unlock()
	return s.AddOrder(sid, Order{WarehouseID: wh.ID, OfficeID: wh.OfficeID, NmID: b.NmID, ChrtID: b.ChrtID,
		Article: b.Article, Skus: b.Skus, Price: b.Price, ConvertedPrice: b.Price, FinalPrice: b.Price,
		ConvertedFinalPrice: b.Price, CurrencyCode: 643, ConvertedCurrencyCode: 643, CargoType: wh.CargoType,
		Options: map[string]any{"isB2B": b.B2B}}), nil
}

// afterHandOver are the WB statuses an order reaches only once its supply
// was delivered.
var afterHandOver = []string{"sorted", "ready_for_pickup", "sold", "canceled_by_client",
	"postponed_delivery", "accepted_by_carrier", "sent_to_carrier"}

// MoveOrder sets WB's side of an order's status as WB's logistics or its
// buyer would, refusing what WB would not do: a buyer cancels
// (declined_by_client) only in the first hour and before assembly; an
// order reaches a buyer (sold) or is refused at the pickup point
// (canceled_by_client) only after its supply was delivered. WB cancels
// (canceled, defect) at any time before the buyer got it, which takes the
// order out of an open supply.
func (s *Server) MoveOrder(sid string, id int64, wbStatus string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.sellerLocked(sid)
	o := findOrder(sl, id)
	switch {
	case o == nil:
		return fmt.Errorf("wbfake: seller %s has no order %d", sid, id)
	case o.WBStatus == "sold" || wbCancelled(o) || o.SupplierStatus == "cancel":
		return fmt.Errorf("wbfake: order %d is %s/%s already", id, o.SupplierStatus, o.WBStatus)
	case wbStatus == "declined_by_client" && (o.SupplierStatus != "new" || s.now().Sub(o.CreatedAt) > time.Hour):
		return fmt.Errorf("wbfake: a buyer cancels order %d only within an hour, before assembly", id)
	case slices.Contains(afterHandOver, wbStatus) && o.SupplierStatus != "complete":
		return fmt.Errorf("wbfake: order %d is %s, not handed over", id, o.SupplierStatus)
	case wbStatus == "canceled" || wbStatus == "defect" || wbStatus == "declined_by_client":
		detachLocked(sl, o)
	case !slices.Contains(afterHandOver, wbStatus) && wbStatus != "waiting":
		return fmt.Errorf("wbfake: unknown wbStatus %q", wbStatus)
	}
	o.WBStatus = wbStatus
	return nil
}

// wbCancelled: WB or the buyer cancelled the order.
func wbCancelled(o *Order) bool {
	switch o.WBStatus {
	case "canceled", "canceled_by_client", "declined_by_client", "defect":
		return true
	}
	return false
}

func cancellable(o *Order) bool {
	return (o.SupplierStatus == "new" || o.SupplierStatus == "confirm") && !wbCancelled(o)
}

// detachLocked takes a cancelled order out of its supply unless the supply
// was handed over already.
func detachLocked(sl *seller, o *Order) {
	sp := findSupply(sl, o.SupplyID)
	if sp == nil || sp.Done {
		return
	}
	sp.orders = slices.DeleteFunc(sp.orders, func(x int64) bool { return x == o.ID })
	o.SupplyID = ""
}

// NeedReshipment marks an order of a scanned supply as not scanned: WB
// wants it shipped again, in another supply.
func (s *Server) NeedReshipment(sid string, id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := findOrder(s.sellerLocked(sid), id)
	if o == nil || o.SupplierStatus != "complete" {
		return false
	}
	o.reship = true
	return true
}

func (s *Server) getReshipments(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, o := range sl.orders {
		if o.reship {
			out = append(out, map[string]any{"supplyID": o.SupplyID, "orderID": o.ID})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

// Orders returns seller sid's orders as the fake holds them, oldest first.
func (s *Server) Orders(sid string) []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Order
	for _, o := range s.sellerLocked(sid).orders {
		out = append(out, *o)
	}
	return out
}
