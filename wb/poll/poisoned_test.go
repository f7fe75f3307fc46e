package poll_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// panicClaims is WB with a bug for one token: reading its claims panics,
// as a parser meeting a shape it never saw would.
type panicClaims struct {
	poll.WB
	token  string
	panics atomic.Int32
}

func (w *panicClaims) AllClaims(ctx context.Context, token string, archive bool) ([]wb.BuyerClaim, error) {
	if token == w.token {
		w.panics.Add(1)
		panic("claims: invalid memory address or nil pointer dereference")
	}
	return w.WB.AllClaims(ctx, token, archive)
}

// TestPollSlotPanic: a slot whose poll panics fails alone, round after
// round, while the other stores are polled; at the third panic staff are
// queued one alert, and the slot stays on its schedule.
func TestPollSlotPanic(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	bad, _ := h.store(t, wbfake.TokenOptions{})
	good, goodSID := h.store(t, wbfake.TokenOptions{})
	h.wb.AddReturn(goodSID, wbfake.ReturnRow{NmID: 501, Srid: "srid-good", Status: wbfake.ReturnInTransit})
	broken := &panicClaims{WB: h.poller.WB, token: bad.Token}
	poisoned := storage.NewPoisonService(h.db)
	h.poller.WB = broken
	h.poller.Guard = &domain.Guard{Store: poisoned, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: h.clock.Now}

	for round := range 4 {
		st := h.round(t) // no panic escapes the round
		if st.Failed != 1 {
			t.Fatalf("round %d: %d slots failed, want the panicking one: %+v", round, st.Failed, st)
		}
		h.clock.Advance(3 * time.Hour) // every feed is due again
	}
	if n := broken.panics.Load(); n != 4 {
		t.Errorf("the slot was polled %d times, want every round (4)", n)
	}
	if got := h.returns(t, good.ID); len(got) == 0 {
		t.Errorf("the other store's returns were not polled")
	}
	alerts, err := poisoned.ClaimPoisonAlerts(t.Context(), h.clock.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.WorkItem{Worker: domain.WorkerPoll, Key: strconv.FormatInt(bad.ID, 10) + "/" + string(domain.FeedClaims), SellerID: bad.SellerID}
	if len(alerts) != 1 || alerts[0].WorkItem != want {
		t.Fatalf("alerts = %+v, want one for %+v", alerts, want)
	}
}
