package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestResaleCard: once an item of the seller's is on the shelf, the main
// page has a card for what is on sale on WB; another seller's page has none.
func TestResaleCard(t *testing.T) {
	e := newEnv(t)
	s, other := pgtest.Seller(t, e.DB, nil), pgtest.Seller(t, e.DB, nil)
	st := pgtest.Store(t, e.DB, s.ID, nil)
	r := &domain.Return{StoreID: st.ID, ReturnNumber: "R-9", RequestDate: time.Now(), Status: domain.StatusAwaitingTransferToSale}
	if err := storage.NewReturnService(e.DB).CreateReturn(pgtest.System(), r); err != nil {
		t.Fatal(err)
	}
	staff := domain.NewContextWithActor(context.Background(), domain.StaffActor(1, "Olga"))
	if _, err := storage.NewUnitService(e.DB).ShelveUnit(staff, r.ID, "A-1"); err != nil {
		t.Fatal(err)
	}
	l := locales.MustNew().For(string(s.Language))
	body := e.login(t, s).page("/web/").Body
	for _, want := range []string{l.T("web.card.resale"), l.Plural("web.card.items", 1, nil), l.T("web.card.resale_sold", map[string]any{"Sold": 0, "Money": l.FormatRUB(0)})} {
		if !strings.Contains(body, want) {
			t.Errorf("main page lacks %q", want)
		}
	}
	if body := e.login(t, other).page("/web/").Body; strings.Contains(body, l.T("web.card.resale")) {
		t.Error("another seller's page shows the resale card")
	}
}
