package poll_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var testLog io.Writer = io.Discard

// clock is the one time the poller, the WB client and the fake share, so
// an hour of polling takes no wall time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

type harness struct {
	db     *storage.DB
	wb     *wbfake.Server
	clock  *clock
	poller *poll.Poller
}

func newHarness(tb testing.TB) *harness {
	tb.Helper()
	h := &harness{db: pgtest.New(tb), wb: wbfake.New(), clock: &clock{now: time.Now().Truncate(time.Second)}}
	tb.Cleanup(h.wb.Close)
	h.wb.SetClock(h.clock.Now)
	h.poller = &poll.Poller{
		WB:            wb.New(wb.Config{BaseURL: h.wb.URL, Now: h.clock.Now, Sleep: h.clock.Sleep}),
		Tx:            h.db,
		Returns:       storage.NewReturnService(h.db),
		Stores:        storage.NewStoreService(h.db),
		Schedule:      storage.NewPollScheduleService(h.db),
		Notifications: storage.NewNotificationService(h.db),
		Interval:      wb.PollInterval,
		Now:           h.clock.Now,
		Log:           slog.New(slog.NewTextHandler(testLog, nil)),
		Workers:       4,
		Batch:         1000,
		CNYPerRUB:     0.08,
	}
	return h
}

// store connects a WB seller to Indigo with a token the fake issued.
func (h *harness) store(tb testing.TB, opts wbfake.TokenOptions) (*domain.Store, string) {
	tb.Helper()
	token := h.wb.IssueToken(opts)
	claims, err := wb.ParseToken(token)
	if err != nil {
		tb.Fatal(err)
	}
	seller := pgtest.Seller(tb, h.db, nil)
	st := pgtest.Store(tb, h.db, seller.ID, func(s *domain.Store) { s.Token, s.SupplierID = token, claims.SellerID })
	return st, claims.SellerID
}

func (h *harness) round(tb testing.TB) poll.Stats {
	tb.Helper()
	st, err := h.poller.Round(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func (h *harness) returns(tb testing.TB, storeID int64) []*domain.Return {
	tb.Helper()
	list, _, err := storage.NewReturnService(h.db).FindReturns(pgtest.System(), domain.ReturnFilter{StoreID: &storeID})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// TestPollThreeStoresTwice: each return is recorded once, in the status
// WB's report implies, with the card's product data; the claim and the
// report row of one item are one return.
func TestPollThreeStoresTwice(t *testing.T) {
	h := newHarness(t)
	type want struct {
		status  domain.Status
		product string
	}
	wants := map[int64][]want{}
	for i := range 3 {
		st, sid := h.store(t, wbfake.TokenOptions{})
		name := []string{"Down jacket", "Silk scarf", "Winter boots"}[i]
		h.wb.AddCard(sid, wbfake.Card{NmID: int64(500 + i), Title: name, VendorCode: "VC-" + name, SubjectName: "Clothes",
			Photos: []wbfake.CardPhoto{{Big: "https://basket-01.wbbasket.ru/big/1.webp"}}})
		imt := name
		h.wb.AddClaim(sid, wbfake.Claim{NmID: int64(500 + i), StatusEx: 10, Srid: "srid-claimed", ImtName: &imt, Price: 1999})
		h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: int64(500 + i), Srid: "srid-claimed", Status: wbfake.ReturnInTransit, Barcode: "2000111"})
		h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: int64(500 + i), Srid: "srid-ready", Status: wbfake.ReturnReady,
			DstOfficeAddress: "Moscow, Tverskaya 1", DstOfficeID: 77})
		wants[st.ID] = []want{{domain.StatusAwaitingReceiptAtWB, name}, {domain.StatusAwaitingPickupCode, name}}
	}
	if st := h.round(t); st.Slots != 6 || st.Failed != 0 || st.Created != 6 {
		t.Fatalf("first round = %+v", st)
	}
	h.clock.Advance(2 * time.Hour)
	if st := h.round(t); st.Slots != 6 || st.Failed != 0 || st.Created != 0 {
		t.Fatalf("second round = %+v", st)
	}
	for storeID, ws := range wants {
		got := h.returns(t, storeID)
		if len(got) != len(ws) {
			t.Fatalf("store %d has %d returns, want %d", storeID, len(got), len(ws))
		}
		byStatus := map[domain.Status]*domain.Return{}
		for _, r := range got {
			byStatus[r.Status] = r
		}
		for _, w := range ws {
			r := byStatus[w.status]
			if r == nil || r.ProductName != w.product || r.VendorCode != "VC-"+w.product || r.PhotoURL == "" {
				t.Fatalf("store %d: want %s %q, got %+v", storeID, w.status, w.product, r)
			}
		}
		if r := byStatus[domain.StatusAwaitingReceiptAtWB]; r.ClaimID == "" || r.ShkID == 0 || r.PriceRUB != 199900 || r.PriceCNY == 0 {
			t.Fatalf("claim and report row not merged: %+v", r)
		}
	}
}

// TestPollFollowsWB: a return moving to a pickup point and then collected
// moves through the lifecycle and tells the seller.
func TestPollFollowsWB(t *testing.T) {
	h := newHarness(t)
	st, sid := h.store(t, wbfake.TokenOptions{})
	shk := h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 1, Srid: "s-1", Status: wbfake.ReturnInTransit})
	h.round(t)
	h.wb.MoveToPickupPoint(sid, shk, 77, "Kazan, Baumana 5")
	h.clock.Advance(time.Hour)
	if s := h.round(t); s.Moved != 1 {
		t.Fatalf("round = %+v", s)
	}
	r := h.returns(t, st.ID)[0]
	if r.Status != domain.StatusAwaitingPickupCode || r.PickupPointAddress != "Kazan, Baumana 5" {
		t.Fatalf("return = %s at %q", r.Status, r.PickupPointAddress)
	}
	kinds := notificationKinds(t, h.db, st.SellerID)
	if len(kinds) != 2 || kinds[0] != domain.NotifyReturnOnItsWay || kinds[1] != domain.NotifyPickupCodeNeeded {
		t.Fatalf("outbox = %v", kinds)
	}
}

// TestPollBasicTokenPace: a basic token is never called faster than WB
// allows it (claims 1/h, goods-return 2/h), however often rounds run.
func TestPollBasicTokenPace(t *testing.T) {
	h := newHarness(t)
	_, sid := h.store(t, wbfake.TokenOptions{Basic: true})
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 1, Srid: "s-1", Status: wbfake.ReturnInTransit})
	for range 3 * 60 { // three hours of rounds, one a minute
		h.round(t)
		h.clock.Advance(time.Minute)
	}
	claims, reports := h.wb.Requests("/api/v1/claims"), h.wb.Requests("/api/v1/analytics/goods-return")
	if claims < 2 || claims > 3 || reports < 5 || reports > 6 {
		t.Fatalf("in 3 h: %d claims calls (limit 3), %d goods-return calls (limit 6)", claims, reports)
	}
	if n := h.wb.Throttled("/api/v1/claims") + h.wb.Throttled("/api/v1/analytics/goods-return"); n != 0 {
		t.Fatalf("%d answers were 429", n)
	}
}

// TestPollFaults: 429, 5xx and a revoked token, each on one store of three.
func TestPollFaults(t *testing.T) {
	for _, tt := range []struct {
		name       string
		fault      func(h *harness, token string)
		wantFailed int
		rejected   bool
	}{
		{"429WaitedOut", func(h *harness, _ string) { h.wb.FailNext("/api/v1/analytics/goods-return", 429, 1) }, 0, false},
		{"5xxRetried", func(h *harness, _ string) { h.wb.FailNext("/api/v1/analytics/goods-return", 503, 2) }, 0, false},
		{"401MarksOnlyThatStore", func(h *harness, token string) { h.wb.RevokeToken(token) }, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			var stores []*domain.Store
			for range 3 {
				st, sid := h.store(t, wbfake.TokenOptions{})
				h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 1, Srid: "s", Status: wbfake.ReturnInTransit})
				stores = append(stores, st)
			}
			tt.fault(h, stores[0].Token)
			s := h.round(t)
			if s.Failed != tt.wantFailed {
				t.Fatalf("round = %+v, want %d failed", s, tt.wantFailed)
			}
			for i, st := range stores {
				got, _ := storage.NewStoreService(h.db).FindStoreByID(pgtest.System(), st.ID)
				if got.TokenRejected != (tt.rejected && i == 0) {
					t.Fatalf("store %d rejected = %v", i, got.TokenRejected)
				}
				if n := len(h.returns(t, st.ID)); n != 1 && !(tt.rejected && i == 0) {
					t.Fatalf("store %d has %d returns", i, n)
				}
			}
			if tt.rejected {
				kinds := notificationKinds(t, h.db, stores[0].SellerID)
				if len(kinds) != 1 || kinds[0] != domain.NotifyTokenRejected {
					t.Fatalf("outbox = %v", kinds)
				}
				// A rejected store is not polled again until its token is replaced.
				h.clock.Advance(2 * time.Hour)
				if s := h.round(t); s.Slots != 4 {
					t.Fatalf("after rejection round = %+v", s)
				}
			}
		})
	}
}

func notificationKinds(tb testing.TB, db *storage.DB, sellerID int64) []domain.NotificationKind {
	tb.Helper()
	list, err := storage.NewNotificationService(db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &sellerID})
	if err != nil {
		tb.Fatal(err)
	}
	var out []domain.NotificationKind
	for _, n := range list {
		out = append(out, n.Kind)
	}
	return out
}
