package wb_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// fbsSeller is a seller with a warehouse at the first office and stock of
// chrt 77, as the resale loop sets it up.
type fbsSeller struct {
	sid, tok string
	wh       int64
}

func newFBSSeller(t *testing.T, e *env, stock int) fbsSeller {
	t.Helper()
	sid, tok := e.seller(t, "rules")
	offices, err := e.client.Offices(ctx(t), tok)
	must(t, err)
	wh, err := e.client.CreateWarehouse(ctx(t), tok, "Indigo", offices[0].ID)
	must(t, err)
	must(t, e.client.UpdateStocks(ctx(t), tok, wh, []wb.Stock{{ChrtID: 77, Amount: stock}}))
	return fbsSeller{sid: sid, tok: tok, wh: wh}
}

func (f fbsSeller) order(t *testing.T, e *env, b2b bool) int64 {
	t.Helper()
	id, err := e.fake.PlaceOrder(f.sid, wbfake.BuyerOrder{WarehouseID: f.wh, NmID: 7, ChrtID: 77, Price: 150000, B2B: b2b})
	must(t, err)
	return id
}

// TestBuyerOrderTakesStock: a buyer's order reserves one unit of the
// warehouse's stock, and none can be ordered once it is 0.
func TestBuyerOrderTakesStock(t *testing.T) {
	e := newEnv(t)
	f := newFBSSeller(t, e, 1)
	id := f.order(t, e, false)
	got, err := e.client.Stocks(ctx(t), f.tok, f.wh, []uint64{77, 78})
	must(t, err)
	if want := []wb.Stock{{ChrtID: 77, Amount: 0}, {ChrtID: 78, Amount: 0}}; !slices.Equal(got, want) {
		t.Errorf("stocks = %+v, want %+v", got, want)
	}
	if _, err := e.fake.PlaceOrder(f.sid, wbfake.BuyerOrder{WarehouseID: f.wh, ChrtID: 77}); !errors.Is(err, wbfake.ErrOutOfStock) {
		t.Errorf("order at stock 0: err = %v, want ErrOutOfStock", err)
	}
	orders, err := e.client.NewOrders(ctx(t), f.tok)
	must(t, err)
	if len(orders) != 1 || orders[0].ID != id || orders[0].WarehouseID != f.wh || orders[0].ChrtID != 77 || orders[0].ConvertedPrice != 150000 {
		t.Errorf("new orders = %+v", orders)
	}
}

// TestSupplyRules: WB's 409s for supplies (wb-resale.md §2.1–2.2): no B2B
// mixed with other orders, cargo places at most half the orders and
// required for pickup-point drop-off, shipping fixed once scanned.
func TestSupplyRules(t *testing.T) {
	e := newEnv(t)
	f := newFBSSeller(t, e, 5)
	c := ctx(t)
	plain, b2b := f.order(t, e, false), f.order(t, e, true)
	sp, err := e.client.CreateSupply(c, f.tok, "Indigo 1")
	must(t, err)
	must(t, e.client.AddOrdersToSupply(c, f.tok, sp, []int64{plain}))
	err = e.client.AddOrdersToSupply(c, f.tok, sp, []int64{b2b})
	if mustAPIError(t, err, 409); wb.Code(err) != "FailedToAddSupplyOrder" {
		t.Errorf("B2B into a plain supply: code %q", wb.Code(err))
	}

	points, err := e.client.ShippingPoints(c, f.tok, "Подольск", 1)
	must(t, err)
	pp := points[slices.IndexFunc(points, func(p wb.ShippingPoint) bool { return p.OfficeType == wb.PointPickup })]
	day := time.Now().Format(time.DateOnly)
	must(t, e.client.SetSupplyShipping(c, f.tok, []wb.SupplyShipping{{SupplyID: sp, ShippingDt: day, ShippingPointID: pp.ID, ShippingType: wb.ShipSelf}}))
	if err := e.client.DeliverSupply(c, f.tok, sp); wb.Code(err) != "TrbxRequired" {
		t.Errorf("pickup-point supply without cargo places: err %v", err)
	}
	if _, err := e.client.AddCargoPlaces(c, f.tok, sp, 2); wb.Status(err) != 409 {
		t.Errorf("2 cargo places for 1 order: err %v, want 409", err)
	}
	ids, err := e.client.AddCargoPlaces(c, f.tok, sp, 1)
	must(t, err)
	listed, err := e.client.CargoPlaces(c, f.tok, sp)
	must(t, err)
	if !slices.Equal(ids, listed) || len(ids) != 1 {
		t.Errorf("cargo places %v, listed %v", ids, listed)
	}
	must(t, e.client.DeliverSupply(c, f.tok, sp))
	if !e.fake.ScanSupply(f.sid, sp) {
		t.Fatal("scan failed")
	}
	err = e.client.SetSupplyShipping(c, f.tok, []wb.SupplyShipping{{SupplyID: sp, ShippingDt: day, ShippingPointID: pp.ID, ShippingType: wb.ShipSelf}})
	if wb.Code(err) != "SupplyAlreadyScanned" {
		t.Errorf("shipping after the scan: err %v", err)
	}
}

// TestOrderCancelRules: the seller cancels only before hand-over, the
// buyer only in the first hour before assembly; a cancelled order leaves
// its open supply, and WB moves an order to sold only once delivered.
func TestOrderCancelRules(t *testing.T) {
	e := newEnv(t, withClock())
	e.fake.SetClock(e.clock.Now)
	f := newFBSSeller(t, e, 5)
	c := ctx(t)
	a, b, d := f.order(t, e, false), f.order(t, e, false), f.order(t, e, false)
	if err := e.fake.MoveOrder(f.sid, a, "sold"); err == nil {
		t.Error("sold before hand-over")
	}
	e.clock.Advance(30 * time.Minute)
	must(t, e.fake.MoveOrder(f.sid, d, "declined_by_client"))
	sp, err := e.client.CreateSupply(c, f.tok, "Indigo 2")
	must(t, err)
	must(t, e.client.AddOrdersToSupply(c, f.tok, sp, []int64{a, b}))
	must(t, e.client.CancelOrder(c, f.tok, b))
	if _, orders, _ := e.fake.Supply(f.sid, sp); !slices.Equal(orders, []int64{a}) {
		t.Errorf("supply orders after cancel = %v, want [%d]", orders, a)
	}
	if err := e.client.CancelOrder(c, f.tok, b); wb.Code(err) != "StatusMismatch" {
		t.Errorf("second cancel: err %v", err)
	}
	e.fake.SetShippingRequired(false)
	must(t, e.client.DeliverSupply(c, f.tok, sp))
	if err := e.client.CancelOrder(c, f.tok, a); wb.Code(err) != "StatusChangeNotAllowed" {
		t.Errorf("cancel after hand-over: err %v", err)
	}
	must(t, e.fake.MoveOrder(f.sid, a, "sold"))
	st, err := e.client.OrderStatuses(c, f.tok, []int64{a, b, d})
	must(t, err)
	for _, s := range st {
		if want := s.ID == a; s.Sold() != want || s.Cancelled() == want {
			t.Errorf("order %d: %+v sold=%v cancelled=%v", s.ID, s, s.Sold(), s.Cancelled())
		}
	}
	e.clock.Advance(2 * time.Hour)
	late := f.order(t, e, false)
	e.clock.Advance(2 * time.Hour)
	if err := e.fake.MoveOrder(f.sid, late, "declined_by_client"); err == nil {
		t.Error("buyer cancelled after the first hour")
	}
}

// TestPassCreateLimit: WB takes one new pass per ten minutes; the client
// waits its turn instead of spending a 429.
func TestPassCreateLimit(t *testing.T) {
	e := newEnv(t, withClock())
	e.fake.SetClock(e.clock.Now)
	_, tok := e.seller(t, "passes")
	p := wb.Pass{FirstName: "Иван", LastName: "Петров", CarModel: "Lada", CarNumber: "A456BC77", OfficeID: 15}
	start := e.clock.Now()
	for range 2 {
		// No deadline: the wait is on the fake clock, longer than any real one.
		_, err := e.client.CreatePass(context.Background(), tok, p)
		must(t, err)
	}
	if waited := e.clock.Now().Sub(start); waited < 10*time.Minute {
		t.Errorf("second pass after %s, want ≥ 10 min", waited)
	}
	if n := e.fake.Throttled("/api/v3/passes"); n != 0 {
		t.Errorf("%d passes throttled", n)
	}
}
