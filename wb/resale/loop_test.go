package resale_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/resale"
)

// TestLoopToSold walks one resold item from the seller's decision to the
// buyer through the real client and the fake WB: shelved, warehouse made
// once with stock 1, a buyer's order, the pick with its sticker for staff,
// packed, a supply with shipping parameters, handed over and delivered
// with its QR, sold, and the seller told the price.
func TestLoopToSold(t *testing.T) {
	h := newHarness(t)
	s := h.seller(t)
	p := h.product(s)
	h.sellOne(t, s, p)
	if n := len(h.notifications(t, s, domain.NotifyListedForSale)); n != 1 {
		t.Errorf("%d listed-for-sale notifications, want 1", n)
	}
	sold := h.notifications(t, s, domain.NotifyResaleSold)
	if len(sold) != 1 || sold[0].Data["Price"] != float64(199900) {
		t.Fatalf("sold notifications = %+v", sold)
	}
	if n := len(h.wb.Supplies(s.sid)); n != 1 {
		t.Errorf("%d supplies on WB, want 1", n)
	}
}

// sellOne drives one unit of p from the seller's decision to sold,
// checking each stage on the way, and returns it.
func (h *harness) sellOne(t *testing.T, s *seller, p product) *domain.Unit {
	t.Helper()
	r := h.soldReturn(t, s, p)
	u := h.shelve(t, r, "A-1-1")

	h.settle(t)
	wh := h.warehouse(t, s)
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 1 {
		t.Fatalf("WB stock = %d, want 1", got)
	}
	if u = h.unit(t, u.ID); u.Status != domain.UnitListed || u.ChrtID != p.chrt {
		t.Fatalf("unit = %s chrt %d, want listed with chrt %d", u.Status, u.ChrtID, p.chrt)
	}
	if got := h.ret(t, r.ID).Status; got != domain.StatusTransferredToSale {
		t.Errorf("return = %s, want transferred to sale", got)
	}
	path := "/api/v3/stocks/" + itoa(wh)
	puts := h.wb.Requests(path)
	h.settle(t)
	if again := h.wb.Requests(path); again != puts {
		t.Errorf("stock calls went from %d to %d with nothing changed", puts, again)
	}

	order := h.order(t, s, p, 199900)
	h.settle(t)
	u = h.unit(t, u.ID)
	if u.Status != domain.UnitOrdered || u.Order == nil || u.Order.ID != order || !u.InSupply || u.Sticker == "" {
		t.Fatalf("unit after the order = %+v", u)
	}
	picks := h.relays(t, s)
	if i := slices.IndexFunc(picks, func(r relay) bool { return r.text == "pick" }); i < 0 ||
		*picks[i].returnID != r.ID || len(picks[i].files) != 1 || slices.ContainsFunc(picks[i+1:], func(r relay) bool { return r.text == "pick" }) {
		t.Fatalf("staff relays = %+v, want one pick with the sticker", picks)
	}
	sp, err := h.units.FindSupplyByID(pgtest.System(), *u.SupplyID)
	must(t, err)
	wbSupply, orders, _ := h.wb.Supply(s.sid, sp.WBID)
	if !slices.Equal(orders, []int64{order}) || wbSupply.ShippingDt == "" || wbSupply.ShippingType != "selfShipping" {
		t.Fatalf("WB supply = %+v with orders %v", wbSupply, orders)
	}

	h.pack(t, u)
	_, err = h.units.HandOver(staff(), sp.ID)
	must(t, err)
	h.settle(t)
	if wbSupply, _, _ = h.wb.Supply(s.sid, sp.WBID); !wbSupply.Done {
		t.Fatalf("WB supply not delivered: %+v", wbSupply)
	}
	if u = h.unit(t, u.ID); u.Status != domain.UnitHandedOver {
		t.Fatalf("unit = %s, want handed over", u.Status)
	}
	qrs := slices.DeleteFunc(h.relays(t, s), func(r relay) bool { return r.text != "qr:"+itoa(sp.ID) })
	if len(qrs) != 1 || len(qrs[0].files) != 1 {
		t.Fatalf("QR relays = %+v, want the supply's QR once", qrs)
	}

	must(t, h.wb.MoveOrder(s.sid, order, "sold"))
	h.clock.Advance(20 * time.Minute)
	h.settle(t)
	if u = h.unit(t, u.ID); u.Status != domain.UnitSold || u.SoldPrice != 199900 || u.SoldCurrency != 643 {
		t.Fatalf("unit = %s sold for %d (%d), want sold for 199900", u.Status, u.SoldPrice, u.SoldCurrency)
	}
	return u
}

func (h *harness) pack(t *testing.T, u *domain.Unit) {
	t.Helper()
	_, err := h.units.ApplyUnitEvent(staff(), u.ID, domain.UnitChange{Event: domain.UnitEventPack})
	must(t, err)
}

// TestCancelRestoresStock: an order WB cancels before the unit left puts
// the unit back on the shelf and the stock back on WB; the seller and
// staff hear of it.
func TestCancelRestoresStock(t *testing.T) {
	h := newHarness(t)
	s := h.seller(t)
	p := h.product(s)
	u := h.shelve(t, h.soldReturn(t, s, p), "B-2")
	h.settle(t)
	wh := h.warehouse(t, s)
	order := h.order(t, s, p, 150000)
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 0 {
		t.Fatalf("WB stock after the order = %d, want 0", got)
	}
	h.settle(t)
	h.pack(t, h.unit(t, u.ID))

	must(t, h.wb.MoveOrder(s.sid, order, "canceled"))
	h.clock.Advance(20 * time.Minute)
	h.settle(t)
	if u = h.unit(t, u.ID); u.Status != domain.UnitListed || u.Order != nil || u.SupplyID != nil {
		t.Fatalf("unit after the cancel = %+v, want listed without the order", u)
	}
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 1 {
		t.Errorf("WB stock after the cancel = %d, want 1", got)
	}
	if n := len(h.notifications(t, s, domain.NotifyResaleCancelled)); n != 1 {
		t.Errorf("%d cancel notifications, want 1", n)
	}
	if !slices.ContainsFunc(h.relays(t, s), func(r relay) bool { return r.text == "cancel" && *r.returnID == u.ReturnID }) {
		t.Errorf("staff not told to put the unit back: %+v", h.relays(t, s))
	}
	again := h.order(t, s, p, 150000)
	h.settle(t)
	if u = h.unit(t, u.ID); u.Status != domain.UnitOrdered || u.Order.ID != again {
		t.Errorf("unit after a second order = %s %+v", u.Status, u.Order)
	}
}

// TestTwoUnitsOneSize: two units of one size make the stock 2; one order
// leaves 1 on WB, and the other unit listed.
func TestTwoUnitsOneSize(t *testing.T) {
	h := newHarness(t)
	s := h.seller(t)
	p := h.product(s)
	a := h.shelve(t, h.soldReturn(t, s, p), "C-1")
	h.settle(t)
	b := h.shelve(t, h.soldReturn(t, s, p), "C-2")
	h.settle(t)
	wh := h.warehouse(t, s)
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 2 {
		t.Fatalf("WB stock with two units = %d, want 2", got)
	}
	h.order(t, s, p, 99000)
	h.settle(t)
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 1 {
		t.Errorf("WB stock after one order = %d, want 1", got)
	}
	statuses := []domain.UnitStatus{h.unit(t, a.ID).Status, h.unit(t, b.ID).Status}
	if !slices.Equal(statuses, []domain.UnitStatus{domain.UnitOrdered, domain.UnitListed}) {
		t.Errorf("units = %v, want the older ordered, the other listed", statuses)
	}
}

// TestOrderWithoutUnit: an order WB took for a size with no unit free
// (the stock ran ahead of the shelf) is cancelled, and staff are told once.
func TestOrderWithoutUnit(t *testing.T) {
	h := newHarness(t)
	s := h.seller(t)
	p := h.product(s)
	h.shelve(t, h.soldReturn(t, s, p), "D-1")
	h.settle(t)
	wh := h.warehouse(t, s)
	must(t, h.client.UpdateStocks(context.Background(), s.store.Token, wh, stocks(p.chrt, 2)))
	h.order(t, s, p, 1000)
	stray := h.order(t, s, p, 1000)
	h.settle(t)
	if o, _ := h.wb.Order(s.sid, stray); o.SupplierStatus != "cancel" {
		t.Errorf("order without a unit is %s, want cancelled", o.SupplierStatus)
	}
	n := 0
	for _, r := range h.relays(t, s) {
		if task, _ := domain.ParseResaleTask(r.text); task == domain.ResaleNoUnit {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d no-unit relays, want 1", n)
	}
}

// TestTwoReplicas: two replicas' loops running their rounds at once share
// the stores by lease: every order is matched once, every store has one
// warehouse and one supply, and every pick reaches staff once.
func TestTwoReplicas(t *testing.T) {
	h := newHarness(t)
	other := &resale.Loop{WB: wb.New(wb.Config{BaseURL: h.wb.URL, Now: h.clock.Now, Sleep: h.clock.Sleep}),
		Ledger: h.units, Now: h.clock.Now, Config: h.loop.Config, Log: h.loop.Log, Workers: 4, Batch: 1000}
	var sellers []*seller
	var prods []product
	for range 6 {
		s := h.seller(t)
		p := h.product(s)
		h.shelve(t, h.soldReturn(t, s, p), "H-1")
		h.shelve(t, h.soldReturn(t, s, p), "H-2")
		sellers, prods = append(sellers, s), append(prods, p)
	}
	both := func() {
		h.clock.Advance(3 * time.Minute)
		var wg sync.WaitGroup
		for _, l := range []*resale.Loop{h.loop, other} {
			wg.Go(func() {
				if _, err := l.Round(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	for range 5 {
		both()
	}
	for i, s := range sellers {
		h.order(t, s, prods[i], 1000)
		h.order(t, s, prods[i], 1000)
	}
	for range 8 {
		both()
	}
	for _, s := range sellers {
		units, err := h.units.FindUnits(sys(), domain.UnitFilter{StoreID: &s.store.ID})
		must(t, err)
		picks := 0
		for _, r := range h.relays(t, s) {
			if r.text == "pick" {
				picks++
			}
		}
		if n := len(h.wb.Supplies(s.sid)); n != 1 || picks != 2 || units[0].Status != domain.UnitOrdered ||
			units[1].Status != domain.UnitOrdered || units[0].Order.ID == units[1].Order.ID {
			t.Errorf("store %d: %d supplies, %d picks, units %s/%s", s.store.ID, n, picks, units[0].Status, units[1].Status)
		}
		h.warehouse(t, s)
	}
}
