package resale_test

import (
	"slices"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
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
	if n := len(h.notifications(t, s, domain.NotifyListedForSale)); n != 1 {
		t.Errorf("%d listed-for-sale notifications, want 1", n)
	}
	puts := h.wb.Requests("/api/v3/stocks/" + itoa(wh))
	h.settle(t)
	if again := h.wb.Requests("/api/v3/stocks/" + itoa(wh)); again != puts {
		t.Errorf("stock calls went from %d to %d with nothing changed", puts, again)
	}

	order := h.order(t, s, p, 199900)
	h.settle(t)
	u = h.unit(t, u.ID)
	if u.Status != domain.UnitOrdered || u.Order == nil || u.Order.ID != order || !u.InSupply || u.Sticker == "" {
		t.Fatalf("unit after the order = %+v", u)
	}
	picks := h.relays(t, s)
	if len(picks) != 1 || picks[0].text != "pick" || *picks[0].returnID != r.ID || len(picks[0].files) != 1 {
		t.Fatalf("staff relays = %+v, want one pick with the sticker", picks)
	}
	sp, err := h.units.FindSupplyByID(pgtest.System(), *u.SupplyID)
	must(t, err)
	wbSupply, orders, _ := h.wb.Supply(s.sid, sp.WBID)
	if !slices.Equal(orders, []int64{order}) || wbSupply.ShippingDt == "" || wbSupply.ShippingType != "selfShipping" {
		t.Fatalf("WB supply = %+v with orders %v", wbSupply, orders)
	}

	_, err = h.units.ApplyUnitEvent(staff(), u.ID, domain.UnitChange{Event: domain.UnitEventPack})
	must(t, err)
	_, err = h.units.HandOver(staff(), sp.ID)
	must(t, err)
	h.settle(t)
	if wbSupply, _, _ = h.wb.Supply(s.sid, sp.WBID); !wbSupply.Done {
		t.Fatalf("WB supply not delivered: %+v", wbSupply)
	}
	if u = h.unit(t, u.ID); u.Status != domain.UnitHandedOver {
		t.Fatalf("unit = %s, want handed over", u.Status)
	}
	if rs := h.relays(t, s); len(rs) != 2 || rs[1].text != "qr:"+itoa(sp.ID) || len(rs[1].files) != 1 {
		t.Fatalf("staff relays = %+v, want the supply's QR last", rs)
	}

	must(t, h.wb.MoveOrder(s.sid, order, "sold"))
	h.clock.Advance(20 * time.Minute)
	h.settle(t)
	if u = h.unit(t, u.ID); u.Status != domain.UnitSold || u.SoldPrice != 199900 || u.SoldCurrency != 643 {
		t.Fatalf("unit = %s sold for %d (%d), want sold for 199900", u.Status, u.SoldPrice, u.SoldCurrency)
	}
	sold := h.notifications(t, s, domain.NotifyResaleSold)
	if len(sold) != 1 || sold[0].Data["Price"] != float64(199900) {
		t.Fatalf("sold notifications = %+v", sold)
	}
	if n := len(h.wb.Supplies(s.sid)); n != 1 {
		t.Errorf("%d supplies on WB, want 1", n)
	}
}
