package conversations

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// partSender accepts replies until the one numbered failAt (from 1), then
// fails once; it records the texts that went.
type partSender struct {
	failAt int
	calls  int
	texts  []string
}

func (s *partSender) Send(_ context.Context, _ string, rs []Reply) error {
	for _, r := range rs {
		s.calls++
		if s.calls == s.failAt {
			return errors.New("telegram 502")
		}
		s.texts = append(s.texts, r.Text)
	}
	return nil
}

// TestPushResumesAtFirstUnsentPart: a push of three replies that fails
// part-way is retried from the first reply that did not go.
func TestPushResumesAtFirstUnsentPart(t *testing.T) {
	db := pgtest.New(t)
	outbox := storage.NewNotificationService(db)
	push := Push{ChatID: "1", Replies: []Reply{{Text: "1"}, {Text: "2"}, {Text: "3"}}}
	for _, tt := range []struct {
		name      string
		failAt    int
		wantFirst []string
		wantRetry []string
		wantParts int // recorded as sent after the first attempt
	}{
		{name: "FailsAtPart2", failAt: 2, wantFirst: []string{"1"}, wantRetry: []string{"2", "3"}, wantParts: 1},
		{name: "FailsAtPart3", failAt: 3, wantFirst: []string{"1", "2"}, wantRetry: []string{"3"}, wantParts: 2},
		{name: "FailsAtPart1", failAt: 1, wantRetry: []string{"1", "2", "3"}},
		{name: "AllGo", wantFirst: []string{"1", "2", "3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := pgtest.System()
			seller := pgtest.Seller(t, db, nil)
			if err := outbox.CreateNotification(ctx, &domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring}); err != nil {
				t.Fatal(err)
			}
			now := time.Now().Add(time.Second)
			d := &Deliverer{Outbox: outbox, Now: func() time.Time { return now }, MaxAttempts: 5,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			n := claimFor(t, d, seller.ID)
			sender := &partSender{failAt: tt.failAt}
			err := d.push(ctx, sender, push, []*domain.Notification{n})
			if !slices.Equal(sender.texts, tt.wantFirst) {
				t.Fatalf("first attempt sent %q, want %q", sender.texts, tt.wantFirst)
			}
			if (err == nil) != (tt.wantRetry == nil) {
				t.Fatalf("first attempt: err = %v", err)
			}
			if err == nil {
				return
			}
			if err := d.retryAll(ctx, []*domain.Notification{n}, err); err == nil {
				t.Fatal("retryAll returned no cause")
			}
			now = now.Add(time.Hour)
			again := claimFor(t, d, seller.ID)
			if again.PartsSent != tt.wantParts {
				t.Fatalf("parts sent = %d, want %d", again.PartsSent, tt.wantParts)
			}
			sender.texts = nil
			if err := d.push(ctx, sender, push, []*domain.Notification{again}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sender.texts, tt.wantRetry) {
				t.Fatalf("retry sent %q, want %q", sender.texts, tt.wantRetry)
			}
		})
	}
}

// claimFor claims the seller's one due notification.
func claimFor(t *testing.T, d *Deliverer, sellerID int64) *domain.Notification {
	t.Helper()
	got, err := d.Outbox.ClaimNotifications(pgtest.System(), d.Now(), d.lease(), 100, domain.Settle{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got {
		if n.SellerID == sellerID {
			return n
		}
	}
	t.Fatalf("nothing of seller %d claimed: %+v", sellerID, got)
	return nil
}

// TestRelayBatchFitsLease: the relay claim is sized from the staff
// group's pace, so posting it all fits in its lease, whatever the lease.
func TestRelayBatchFitsLease(t *testing.T) {
	for _, lease := range []time.Duration{0, time.Minute, 10 * time.Second} {
		d := &StaffDesk{Lease: lease}
		if n := d.relayBatch(); n < 1 || (n > 1 && time.Duration(n)*staffPostEvery > d.relayLease()) {
			t.Errorf("lease %v: %d sellers' posts × %v outlast it", d.relayLease(), n, staffPostEvery)
		}
	}
}
