package conversations_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// recordingSender is a channel that records what it is asked to send and
// fails when told to; the Telegram adapter's tests cover the wire.
type recordingSender struct {
	mu    sync.Mutex
	sent  map[string][]conversations.Reply
	fail  error
	calls int
}

func (s *recordingSender) Send(_ context.Context, chatID string, rs []conversations.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	if s.sent == nil {
		s.sent = map[string][]conversations.Reply{}
	}
	s.sent[chatID] = append(s.sent[chatID], rs...)
	return nil
}

type staffRecorder struct{ told []int64 }

func (s *staffRecorder) SellerUnreachable(_ context.Context, seller *domain.Seller, _ error) error {
	s.told = append(s.told, seller.ID)
	return nil
}

func newDeliverer(h *harness, sender conversations.Sender, staff conversations.StaffAlerts, now time.Time) *conversations.Deliverer {
	return &conversations.Deliverer{
		Render: h.engine, Sellers: h.engine.Sellers, Outbox: storage.NewNotificationService(h.db),
		Senders: map[domain.Channel]conversations.Sender{domain.ChannelTelegram: sender},
		Staff:   staff, Now: func() time.Time { return now }, Workers: 4,
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Batch: 100, DigestAbove: 3, MaxAttempts: 5,
	}
}

// sellerWithReturns makes a seller (Telegram chat = external id) with n
// returns that each queued a "return on its way" notification.
func sellerWithReturns(t *testing.T, h *harness, n int, fn func(*domain.Seller)) *domain.Seller {
	t.Helper()
	seller := pgtest.Seller(t, h.db, fn)
	store := pgtest.Store(t, h.db, seller.ID, nil)
	for i := range n {
		r := &domain.Return{StoreID: store.ID, RequestDate: time.Now(), ReturnNumber: fmt.Sprint("R", i),
			SrID: fmt.Sprint("srid-", i), ProductName: "Scarf", Status: domain.StatusAwaitingReceiptAtWB}
		if _, err := storage.NewReturnService(h.db).SyncReturn(pgtest.System(), r); err != nil {
			t.Fatal(err)
		}
	}
	return seller
}

func unsent(t *testing.T, h *harness, sellerID int64) int {
	t.Helper()
	list, err := storage.NewNotificationService(h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &sellerID, Unsent: true})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// nextUTCHour is the next time after now at hour:00 UTC. Notifications
// are due from when they were written, so passes run then.
func nextUTCHour(hour int) time.Time {
	t := time.Now().UTC().Truncate(time.Hour)
	for t.Hour() != hour || !t.After(time.Now()) {
		t = t.Add(time.Hour)
	}
	return t
}

func TestDeliver(t *testing.T) {
	// Notifications are due from when they were written, so every pass
	// runs at the next given UTC hour after now.
	next := nextUTCHour
	noon := next(12)
	for _, tt := range []struct {
		name        string
		returns     int
		seller      func(*domain.Seller)
		fail        error
		now         time.Time
		wantReplies int  // replies recorded by the sender
		wantUnsent  int  // notifications not sent after the pass (waiting, muted or given up)
		wantStaff   bool // staff told the seller is unreachable
	}{
		{name: "OneByOne", returns: 2, now: noon, wantReplies: 2},
		{name: "BurstBecomesDigest", returns: 50, now: noon, wantReplies: 1},
		{name: "QuietHoursWait", returns: 1, now: next(23), wantUnsent: 1},
		{name: "QuietHoursOff", returns: 1, seller: func(s *domain.Seller) { s.TimeZone = "Asia/Shanghai" },
			now: next(6), wantReplies: 1}, // 14:00 in Shanghai
		{name: "Muted", returns: 1, seller: func(s *domain.Seller) {
			s.MutedNotifications = []domain.NotificationKind{domain.NotifyReturnOnItsWay}
		}, now: noon, wantUnsent: 1},
		{name: "TransientRetried", returns: 1, fail: fmt.Errorf("telegram 502"), now: noon, wantUnsent: 1},
		{name: "BlockedStops", returns: 2, fail: fmt.Errorf("bot was blocked: %w", conversations.ErrUnreachable), now: noon, wantUnsent: 2, wantStaff: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			seller := sellerWithReturns(t, h, tt.returns, tt.seller)
			if tt.seller != nil && len(seller.MutedNotifications) > 0 {
				if _, err := storage.NewSellerService(h.db).UpdateSeller(pgtest.System(), seller.ID,
					domain.SellerUpdate{MutedNotifications: &seller.MutedNotifications}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.seller != nil && seller.TimeZone != "" {
				if _, err := storage.NewSellerService(h.db).UpdateSeller(pgtest.System(), seller.ID,
					domain.SellerUpdate{TimeZone: &seller.TimeZone}); err != nil {
					t.Fatal(err)
				}
			}
			sender, staff := &recordingSender{fail: tt.fail}, &staffRecorder{}
			d := newDeliverer(h, sender, staff, tt.now)
			if _, err := d.Deliver(t.Context()); err != nil {
				t.Fatal(err)
			}
			chat := seller.Identities[0].ExternalID
			if got := len(sender.sent[chat]); got != tt.wantReplies {
				t.Fatalf("replies = %d, want %d:\n%s", got, tt.wantReplies, dump(sender.sent[chat]))
			}
			if got := unsent(t, h, seller.ID); got != tt.wantUnsent {
				t.Fatalf("unsent = %d", got)
			}
			if (len(staff.told) == 1) != tt.wantStaff {
				t.Fatalf("staff told = %v", staff.told)
			}
			// A second pass right away sends nothing again.
			before := sender.calls
			if _, err := d.Deliver(t.Context()); err != nil {
				t.Fatal(err)
			}
			if sender.calls != before {
				t.Fatalf("second pass sent again (%d calls)", sender.calls-before)
			}
		})
	}
}

// TestDeliverTwoReplicas: two senders on one outbox deliver each
// notification once.
func TestDeliverTwoReplicas(t *testing.T) {
	h := newHarness(t)
	var sellers []*domain.Seller
	for range 20 {
		sellers = append(sellers, sellerWithReturns(t, h, 2, nil))
	}
	// Noon: at night the sellers' quiet hours would hold every push.
	now := nextUTCHour(12)
	sender := &recordingSender{}
	replicas := []*conversations.Deliverer{newDeliverer(h, sender, nil, now), newDeliverer(h, sender, nil, now)}
	var wg sync.WaitGroup
	for _, d := range replicas {
		d.Batch, d.Workers = 7, 4 // small batches so the replicas interleave
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := d.Deliver(t.Context()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for _, s := range sellers {
		chat := s.Identities[0].ExternalID
		if got := len(sender.sent[chat]); got != 2 {
			t.Errorf("seller %d got %d messages, want 2", s.ID, got)
		}
		if n := unsent(t, h, s.ID); n != 0 {
			t.Errorf("seller %d has %d unsent", s.ID, n)
		}
	}
}
