package resale_test

import (
	"context"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestBlocked: a store Indigo cannot sell from keeps its units shelved, and
// its seller and staff are told why once, however often the loop looks.
func TestBlocked(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   wbfake.TokenOptions
		before func(h *harness, s *seller)
		reason string
	}{
		{name: "NoMarketplace", reason: "error.resale.no_marketplace",
			opts: wbfake.TokenOptions{Scopes: wbfake.ScopeContent | wbfake.ScopeAnalytics | wbfake.ScopeReturns}},
		{name: "OfficeTaken", reason: "error.resale.office_taken", before: func(h *harness, s *seller) {
			// The seller's own warehouse at Indigo's office, whose stock
			// Indigo must not touch.
			_, err := h.client.CreateWarehouse(context.Background(), s.store.Token, "Мой склад", office)
			if err != nil {
				panic(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			s := h.sellerWith(t, tt.opts)
			if tt.before != nil {
				tt.before(h, s)
			}
			p := h.product(s)
			u := h.shelve(t, h.soldReturn(t, s, p), "E-1")
			h.settle(t)
			h.clock.Advance(25 * time.Hour) // a day later the loop tries again
			h.settle(t)
			blocked := h.notifications(t, s, domain.NotifyResaleBlocked)
			if len(blocked) != 1 || blocked[0].Data["Reason"] != tt.reason {
				t.Fatalf("blocked notifications = %+v, want one for %s", blocked, tt.reason)
			}
			if u = h.unit(t, u.ID); u.Status != domain.UnitShelved {
				t.Errorf("unit = %s, want shelved", u.Status)
			}
			if rs := h.relays(t, s); len(rs) != 1 || rs[0].text != "blocked:"+tt.reason {
				t.Errorf("staff relays = %+v", rs)
			}
		})
	}
}
