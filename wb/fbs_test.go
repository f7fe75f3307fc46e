package wb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestFBSResale walks "sell on WB" (wb-api.md §7.1): warehouse, stock, new
// orders, supply, stickers, delivery, QR code, statuses.
func TestFBSResale(t *testing.T) {
	e := newEnv(t)
	sid, tok := e.seller(t, "fbs")
	c := ctx(t)

	offices, err := e.client.Offices(c, tok)
	must(t, err)
	whID, err := e.client.CreateWarehouse(c, tok, "Indigo", offices[0].ID)
	must(t, err)
	must(t, e.client.UpdateStocks(c, tok, whID, []wb.Stock{{ChrtID: 987, Amount: 2}}))
	if got := e.fake.Stock(sid, whID, 987); got != 2 {
		t.Fatalf("stock = %d, want 2", got)
	}

	a := e.fake.AddOrder(sid, wbfake.Order{NmID: 1, ChrtID: 987, Options: map[string]any{"isB2b": true}})
	b := e.fake.AddOrder(sid, wbfake.Order{NmID: 1, ChrtID: 987, Options: map[string]any{"isB2b": true}})
	orders, err := e.client.NewOrders(c, tok)
	must(t, err)
	if len(orders) != 2 || !orders[0].Options.IsB2B || orders[0].RID == "" {
		t.Fatalf("new orders = %+v, want 2 with the old isB2b spelling read", orders)
	}

	supplyID, err := e.client.CreateSupply(c, tok, "Возвраты на продажу")
	must(t, err)
	must(t, e.client.AddOrdersToSupply(c, tok, supplyID, []int64{a, b}))
	ids, err := e.client.SupplyOrderIDs(c, tok, supplyID)
	must(t, err)
	stickers, err := e.client.OrderStickers(c, tok, ids, "svg")
	must(t, err)
	if len(stickers) != 2 || stickers[0].File == "" {
		t.Fatalf("stickers = %+v", stickers)
	}

	_, err = e.client.SupplyBarcode(c, tok, supplyID, "svg")
	if apiErr := mustAPIError(t, err, 409); apiErr.Code != "SupplyNotClosed" {
		t.Errorf("code = %q, want SupplyNotClosed", apiErr.Code)
	}
	err = e.client.DeliverSupply(c, tok, supplyID)
	if mustAPIError(t, err, 409); wb.Code(err) != "SupplyShippingRequired" {
		t.Errorf("deliver without shipping: code = %q, want SupplyShippingRequired", wb.Code(err))
	}
	points, err := e.client.ShippingPoints(c, tok, "Подольск", 1)
	must(t, err)
	sc := points[slices.IndexFunc(points, func(p wb.ShippingPoint) bool { return p.OfficeType == wb.PointSortingCentre })]
	must(t, e.client.SetSupplyShipping(c, tok, []wb.SupplyShipping{{SupplyID: supplyID,
		ShippingDt: time.Now().Format(time.DateOnly), ShippingPointID: sc.ID, ShippingType: wb.ShipSelf}}))
	must(t, e.client.DeliverSupply(c, tok, supplyID))
	qr, err := e.client.SupplyBarcode(c, tok, supplyID, "svg")
	must(t, err)
	if qr.Barcode != supplyID {
		t.Errorf("barcode = %q, want %q", qr.Barcode, supplyID)
	}

	e.fake.SetOrderStatus(sid, a, "sold")
	st, err := e.client.OrderStatuses(c, tok, []int64{a, b})
	must(t, err)
	got := map[int64][2]string{}
	for _, s := range st {
		got[s.ID] = [2]string{s.SupplierStatus, s.WBStatus}
	}
	want := map[int64][2]string{a: {"complete", "sold"}, b: {"complete", "waiting"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	sp, err := e.client.Supply(c, tok, supplyID)
	must(t, err)
	if !sp.Done || sp.ClosedAt == nil {
		t.Errorf("supply = %+v, want done", sp)
	}
}

func TestPasses(t *testing.T) {
	// A clock, because WB takes one new pass per ten minutes.
	e := newEnv(t, withClock())
	e.fake.SetClock(e.clock.Now)
	_, tok := e.seller(t, "passes")
	c := context.Background()
	offices, err := e.client.PassOffices(c, tok)
	must(t, err)
	p := wb.Pass{FirstName: "Александр", LastName: "Петров", CarModel: "Lada", CarNumber: "A456BC123", OfficeID: offices[0].ID}
	id, err := e.client.CreatePass(c, tok, p)
	must(t, err)
	p.ID, p.CarModel = id, "Газель"
	must(t, e.client.UpdatePass(c, tok, p))
	passes, err := e.client.Passes(c, tok)
	must(t, err)
	if len(passes) != 1 || passes[0].CarModel != "Газель" || passes[0].DateEnd == "" {
		t.Fatalf("passes = %+v", passes)
	}
	must(t, e.client.DeletePass(c, tok, id))
	p.CarNumber = "no!"
	_, err = e.client.CreatePass(c, tok, p)
	mustAPIError(t, err, 400)
}

func TestPaging(t *testing.T) {
	for _, tt := range []struct {
		name     string
		path     string
		freeze   bool
		seed     func(e *env, sid string)
		all      func(t *testing.T, e *env, tok string) (int, error)
		want     int
		requests int
	}{
		{name: "Orders", path: "/api/v3/orders", want: 3, requests: 2,
			seed: seedOrders(3), all: allOrders},
		{name: "OrdersRepeatedCursor", path: "/api/v3/orders", freeze: true, want: 6, requests: 2,
			seed: seedOrders(3), all: allOrders},
		{name: "Supplies", path: "/api/v3/supplies", want: 0, requests: 1,
			seed: func(*env, string) {}, all: func(t *testing.T, e *env, tok string) (int, error) {
				s, err := e.client.AllSupplies(ctx(t), tok)
				return len(s), err
			}},
		{name: "Cards", path: "/content/v2/get/cards/list", want: 150, requests: 2,
			seed: seedCards(150), all: allCards},
		{name: "CardsRepeatedCursor", path: "/content/v2/get/cards/list", freeze: true, want: 200, requests: 2,
			seed: seedCards(150), all: allCards},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withClock(), withConfig(func(c *wb.Config) { c.MaxPages = 50 }))
			sid, tok := e.seller(t, tt.name)
			e.fake.SetLimits(false)
			tt.seed(e, sid)
			if tt.freeze {
				e.fake.FreezeCursor(tt.path)
			}
			n, err := tt.all(t, e, tok)
			must(t, err)
			if n != tt.want || e.fake.Requests(tt.path) != tt.requests {
				t.Errorf("items, requests = %d, %d; want %d, %d", n, e.fake.Requests(tt.path), tt.want, tt.requests)
			}
		})
	}
}

func seedOrders(n int) func(e *env, sid string) {
	return func(e *env, sid string) {
		for range n {
			e.fake.AddOrder(sid, wbfake.Order{CreatedAt: time.Now().Add(-time.Hour)})
		}
	}
}

func allOrders(t *testing.T, e *env, tok string) (int, error) {
	o, err := e.client.AllOrders(ctx(t), tok, time.Now().Add(-24*time.Hour), time.Now())
	return len(o), err
}

func seedCards(n int) func(e *env, sid string) {
	return func(e *env, sid string) {
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			e.fake.AddCard(sid, wbfake.Card{NmID: int64(1000 + i), VendorCode: fmt.Sprint("v", i),
				UpdatedAt: base.Add(time.Duration(i%7) * time.Hour).Format(time.RFC3339)})
		}
	}
}

func allCards(t *testing.T, e *env, tok string) (int, error) {
	cards, err := e.client.AllCards(ctx(t), tok, "")
	return len(cards), err
}

func TestCardByNmID(t *testing.T) {
	e := newEnv(t)
	sid, tok := e.seller(t, "cards")
	e.fake.AddCard(sid, wbfake.Card{NmID: 196320101, Title: "Кабель", VendorCode: "cab-1",
		Photos: []wbfake.CardPhoto{{Big: "https://basket/big/1.webp", C516x688: "https://basket/c516x688/1.webp"}},
		Sizes:  []wbfake.CardSize{{ChrtID: 9, Skus: []string{"4603743187500888"}}}})
	e.fake.AddCard(sid, wbfake.Card{NmID: 5, Title: "Другое"})

	card, found, err := e.client.CardByNmID(ctx(t), tok, 196320101)
	must(t, err)
	if !found || card.Title != "Кабель" || card.MainPhoto() != "https://basket/c516x688/1.webp" || card.Sizes[0].ChrtID != 9 {
		t.Fatalf("card, found = %+v, %v", card, found)
	}
	bySku, err := e.client.AllCards(ctx(t), tok, "4603743187500888")
	must(t, err)
	if len(bySku) != 1 || bySku[0].NmID != 196320101 {
		t.Errorf("by barcode = %+v", bySku)
	}
	if _, found, _ := e.client.CardByNmID(ctx(t), tok, 404); found {
		t.Error("found a card that does not exist")
	}
}
