package resale_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb/resale"
)

// saleRoutes are the fake's routes one sale takes, in the order it takes
// them: every WB step of the loop.
var saleRoutes = []string{
	"GET /api/v3/warehouses",
	"POST /api/v3/warehouses",
	"POST /content/v2/get/cards/list",
	"PUT /api/v3/stocks/{warehouseId}",
	"POST /api/v3/stocks/{warehouseId}",
	"GET /api/v3/orders/new",
	"GET /api/v3/supplies",
	"POST /api/v3/supplies",
	"GET /api/marketplace/v3/fbs/shipping-points",
	"PATCH /api/marketplace/v3/fbs/supplies/shipping-method",
	"PATCH /api/marketplace/v3/supplies/{supplyId}/orders",
	"POST /api/v3/orders/stickers",
	"PATCH /api/v3/supplies/{supplyId}/deliver",
	"GET /api/v3/supplies/{supplyId}/barcode",
	"POST /api/v3/orders/status",
}

// TestFaultsAtEveryStep: a 429, a 409 and a 5xx at every WB step of a
// sale are survived: the sale completes with one warehouse, one supply and
// the stock never above the shelf.
func TestFaultsAtEveryStep(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusConflict, http.StatusBadGateway} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			h := newHarness(t)
			s := h.seller(t)
			p := h.product(s)
			for _, route := range saleRoutes {
				h.wb.FailNext(route, status, 1)
			}
			h.check = h.invariants(s, p)
			h.sellOne(t, s, p)
			for _, route := range saleRoutes {
				if n := h.wb.PendingFaults(route); n != 0 {
					t.Errorf("%s: the loop never called it", route)
				}
			}
		})
	}
}

// invariants are what no fault or crash may break: one warehouse, at most
// one supply for one sale, and the WB stock of p never above the units of p
// on the shelf.
func (h *harness) invariants(s *seller, p product) func(tb testing.TB) {
	return func(tb testing.TB) {
		tb.Helper()
		whs, err := h.client.Warehouses(context.Background(), s.store.Token)
		must(tb, err)
		if len(whs) > 1 {
			tb.Fatalf("%d warehouses: %+v", len(whs), whs)
		}
		if n := len(h.wb.Supplies(s.sid)); n > 1 {
			tb.Fatalf("%d supplies for one sale", n)
		}
		if len(whs) == 0 {
			return
		}
		units, err := h.units.FindUnits(sys(), domain.UnitFilter{StoreID: &s.store.ID,
			Statuses: []domain.UnitStatus{domain.UnitShelved, domain.UnitListed}})
		must(tb, err)
		if got := h.wb.Stock(s.sid, whs[0].ID, p.chrt); got > len(units) {
			tb.Fatalf("WB stock %d with %d units on the shelf", got, len(units))
		}
	}
}

// crashLedger is the real ledger, but the first call of one method kills
// the round: the call does not commit and every later one fails, as when
// the process is killed between a WB call and recording what it did. A
// fault no fake can produce, so it is a hand-written wrapper.
type crashLedger struct {
	resale.Ledger
	at     string
	fired  bool
	cancel context.CancelFunc
}

var errKilled = errors.New("killed")

func (c *crashLedger) crash(method string) bool {
	if method != c.at || c.fired {
		return false
	}
	c.fired = true
	c.cancel()
	return true
}

func (c *crashLedger) SaveWarehouse(ctx context.Context, storeID, wh, office int64, name string) error {
	if c.crash("SaveWarehouse") {
		return errKilled
	}
	return c.Ledger.SaveWarehouse(ctx, storeID, wh, office, name)
}

func (c *crashLedger) RecordStock(ctx context.Context, storeID int64, lines []domain.StockLine, back map[uint64]int, at time.Time) (int, error) {
	if c.crash("RecordStock") {
		return 0, errKilled
	}
	return c.Ledger.RecordStock(ctx, storeID, lines, back, at)
}

func (c *crashLedger) SetSupplyWBID(ctx context.Context, id int64, wbID string) error {
	if c.crash("SetSupplyWBID") {
		return errKilled
	}
	return c.Ledger.SetSupplyWBID(ctx, id, wbID)
}

func (c *crashLedger) SetSupplyShipping(ctx context.Context, id int64, day string) error {
	if c.crash("SetSupplyShipping") {
		return errKilled
	}
	return c.Ledger.SetSupplyShipping(ctx, id, day)
}

func (c *crashLedger) MarkInSupply(ctx context.Context, id int64, units []int64) error {
	if c.crash("MarkInSupply") {
		return errKilled
	}
	return c.Ledger.MarkInSupply(ctx, id, units)
}

func (c *crashLedger) TellStaff(ctx context.Context, unitID int64, sticker string, f *domain.RelayFile, at time.Time) error {
	if c.crash("TellStaff") {
		return errKilled
	}
	return c.Ledger.TellStaff(ctx, unitID, sticker, f, at)
}

func (c *crashLedger) SupplyDelivered(ctx context.Context, id int64, qr string, f *domain.RelayFile, at time.Time) error {
	if c.crash("SupplyDelivered") {
		return errKilled
	}
	return c.Ledger.SupplyDelivered(ctx, id, qr, f, at)
}

func (c *crashLedger) ApplyUnitEvent(ctx context.Context, id int64, ch domain.UnitChange) (*domain.Unit, error) {
	if c.crash("ApplyUnitEvent") {
		return nil, errKilled
	}
	return c.Ledger.ApplyUnitEvent(ctx, id, ch)
}

// TestCrashBetweenWBAndCommit kills the loop right after each WB write,
// before it is recorded, and starts it again once the dead round's lease
// has lapsed: the sale completes with one warehouse and one supply, the
// stock is never above the shelf, and staff get each pick and QR once.
func TestCrashBetweenWBAndCommit(t *testing.T) {
	for _, at := range []string{"SaveWarehouse", "RecordStock", "SetSupplyWBID", "SetSupplyShipping",
		"MarkInSupply", "TellStaff", "SupplyDelivered", "ApplyUnitEvent"} {
		t.Run(at, func(t *testing.T) {
			h := newHarness(t)
			c := &crashLedger{Ledger: h.units, at: at}
			h.loop.Ledger, h.crash = c, c
			s := h.seller(t)
			p := h.product(s)
			h.check = h.invariants(s, p)
			h.sellOne(t, s, p)
			if !c.fired {
				t.Fatalf("the loop never called %s", at)
			}
		})
	}
}
