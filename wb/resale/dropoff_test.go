package resale_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// handOverOne shelves, sells and hands over one unit of a new seller, and
// returns the seller and the WB supply.
func (h *harness) handOverOne(t *testing.T) (*seller, wb.Supply) {
	t.Helper()
	s := h.seller(t)
	p := h.product(s)
	u := h.shelve(t, h.soldReturn(t, s, p), "F-1")
	h.settle(t)
	h.order(t, s, p, 50000)
	h.settle(t)
	u = h.unit(t, u.ID)
	h.pack(t, u)
	_, err := h.units.HandOver(staff(), *u.SupplyID)
	must(t, err)
	h.settle(t)
	sp, err := h.units.FindSupplyByID(sys(), *u.SupplyID)
	must(t, err)
	got, err := h.client.Supply(context.Background(), s.store.Token, sp.WBID)
	must(t, err)
	return s, got
}

// TestDropOff: a supply for a pickup point gets a cargo place before it is
// delivered; one for a WB warehouse on the pass list gets a pass for the
// configured driver, or staff are asked for one.
func TestDropOff(t *testing.T) {
	driver := &wb.Pass{FirstName: "Иван", LastName: "Петров", CarModel: "Газель", CarNumber: "A123BC77"}
	for _, tt := range []struct {
		name   string
		point  int64
		driver *wb.Pass
		check  func(t *testing.T, h *harness, s *seller, sp wb.Supply)
	}{
		{"PickupPoint", 9002, nil, func(t *testing.T, h *harness, s *seller, sp wb.Supply) {
			boxes, err := h.client.CargoPlaces(context.Background(), s.store.Token, sp.ID)
			must(t, err)
			if len(boxes) != 1 || !sp.IsPickupPointShipmentAllowed {
				t.Errorf("cargo places %v, supply %+v", boxes, sp)
			}
		}},
		{"WarehouseWithDriver", 15, driver, func(t *testing.T, h *harness, s *seller, _ wb.Supply) {
			passes, err := h.client.Passes(context.Background(), s.store.Token)
			must(t, err)
			if len(passes) != 1 || passes[0].OfficeID != 15 || passes[0].CarNumber != driver.CarNumber {
				t.Errorf("passes = %+v", passes)
			}
		}},
		{"WarehouseNoDriver", 15, nil, func(t *testing.T, h *harness, s *seller, _ wb.Supply) {
			if !slices.ContainsFunc(h.relays(t, s), func(r relay) bool { return strings.HasPrefix(r.text, "pass:15:") }) {
				t.Errorf("staff not asked for a pass: %+v", h.relays(t, s))
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.loop.Config.ShippingPointID, h.loop.Config.Driver = tt.point, tt.driver
			s, sp := h.handOverOne(t)
			if !sp.Done || sp.ShippingPointID != tt.point {
				t.Fatalf("supply = %+v, want delivered to point %d", sp, tt.point)
			}
			tt.check(t, h, s, sp)
		})
	}
}

// TestRefusedAfterHandOver: a buyer who refuses the item at the pickup
// point ends the unit as refused; the seller hears it comes back.
func TestRefusedAfterHandOver(t *testing.T) {
	h := newHarness(t)
	s, sp := h.handOverOne(t)
	_, orders, _ := h.wb.Supply(s.sid, sp.ID)
	must(t, h.wb.MoveOrder(s.sid, orders[0], "canceled_by_client"))
	h.clock.Advance(20 * time.Minute)
	h.settle(t)
	units, err := h.units.FindUnits(sys(), domain.UnitFilter{StoreID: &s.store.ID})
	must(t, err)
	if units[0].Status != domain.UnitRefused {
		t.Errorf("unit = %s, want refused", units[0].Status)
	}
	if n := len(h.notifications(t, s, domain.NotifyResaleRefused)); n != 1 {
		t.Errorf("%d refused notifications", n)
	}
}

// TestReconcile: a stock changed on WB outside Indigo is reported to staff
// and set back to the shelf at the daily reconciliation.
func TestReconcile(t *testing.T) {
	h := newHarness(t)
	s := h.seller(t)
	p := h.product(s)
	h.shelve(t, h.soldReturn(t, s, p), "G-1")
	h.settle(t)
	wh := h.warehouse(t, s)
	must(t, h.client.UpdateStocks(context.Background(), s.store.Token, wh, stocks(p.chrt, 5)))
	h.clock.Advance(25 * time.Hour)
	h.settle(t)
	if got := h.wb.Stock(s.sid, wh, p.chrt); got != 1 {
		t.Errorf("WB stock after reconciling = %d, want 1", got)
	}
	want := domain.ResaleDrift.Text(p.chrt, 5, 1)
	if !slices.ContainsFunc(h.relays(t, s), func(r relay) bool { return r.text == want }) {
		t.Errorf("staff not told of the drift %q: %+v", want, h.relays(t, s))
	}
}
