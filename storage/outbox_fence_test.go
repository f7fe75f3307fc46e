package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestOutboxFence: once a claim's lease lapsed and another sender claimed
// the row, the first sender's marks and renewals are refused; the live
// claim's are not.
func TestOutboxFence(t *testing.T) {
	db := pgtest.New(t)
	ns := storage.NewNotificationService(db)
	ctx := pgtest.System()
	now := time.Now()
	cause := errors.New("telegram 502")
	for _, tt := range []struct {
		name string
		mark func(ctx context.Context, id, claim int64) (bool, error)
		// terminal marks end the row: a second one is refused too.
		terminal bool
	}{
		{name: "PartsSent", mark: func(ctx context.Context, id, claim int64) (bool, error) {
			return ns.MarkPartsSent(ctx, id, claim, 1)
		}},
		{name: "Retry", terminal: true, mark: func(ctx context.Context, id, claim int64) (bool, error) {
			return ns.MarkRetry(ctx, id, claim, now.Add(time.Hour), cause)
		}},
		{name: "Renew", mark: func(ctx context.Context, id, claim int64) (bool, error) {
			held, err := ns.RenewClaim(ctx, claim, []int64{id}, now.Add(time.Hour))
			return len(held) == 1, err
		}},
		{name: "Held", terminal: true, mark: func(ctx context.Context, id, claim int64) (bool, error) {
			return ns.MarkHeld(ctx, id, claim, now.Add(time.Hour))
		}},
		{name: "Sent", terminal: true, mark: ns.MarkSent},
		{name: "Failed", terminal: true, mark: func(ctx context.Context, id, claim int64) (bool, error) {
			return ns.MarkFailed(ctx, id, claim, cause)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			seller := pgtest.Seller(t, db, nil)
			n := &domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring}
			if err := ns.CreateNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
			stale := claimOne(t, ns, n.ID, now.Add(time.Second))
			live := claimOne(t, ns, n.ID, now.Add(time.Second+2*time.Minute)) // the first lease lapsed
			if live.Claim == stale.Claim {
				t.Fatalf("both claims carry token %d", live.Claim)
			}
			if ok, err := tt.mark(ctx, n.ID, stale.Claim); err != nil || ok {
				t.Fatalf("stale claim: ok=%v err=%v, want refused", ok, err)
			}
			if ok, err := tt.mark(ctx, n.ID, live.Claim); err != nil || !ok {
				t.Fatalf("live claim: ok=%v err=%v, want done", ok, err)
			}
			if ok, err := tt.mark(ctx, n.ID, live.Claim); err != nil || ok == tt.terminal {
				t.Fatalf("again: ok=%v err=%v, terminal=%v", ok, err, tt.terminal)
			}
		})
	}
	t.Run("ErrSeller", func(t *testing.T) {
		seller := pgtest.Seller(t, db, nil)
		if _, err := ns.MarkSent(pgtest.As(seller), 1, 1); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})
}

// TestOutboxPartsSent: the parts a push got through survive the retry,
// and a claim-wide renewal keeps every row of the claim from others.
func TestOutboxPartsSent(t *testing.T) {
	db := pgtest.New(t)
	ns := storage.NewNotificationService(db)
	ctx := pgtest.System()
	seller := pgtest.Seller(t, db, nil)
	n := &domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring}
	if err := ns.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Second)
	first := claimOne(t, ns, n.ID, now)
	if held, err := ns.RenewClaim(ctx, first.Claim, nil, now.Add(time.Hour)); err != nil || len(held) != 1 {
		t.Fatalf("renew = %v, %v", held, err)
	}
	if got, err := ns.ClaimNotifications(ctx, now.Add(30*time.Minute), time.Minute, 10, domain.Settle{}); err != nil || len(got) != 0 {
		t.Fatalf("renewed row claimed by another: %v, %v", got, err)
	}
	if ok, err := ns.MarkPartsSent(ctx, n.ID, first.Claim, 2); err != nil || !ok {
		t.Fatalf("parts: %v, %v", ok, err)
	}
	if ok, err := ns.MarkRetry(ctx, n.ID, first.Claim, now, errors.New("telegram 502")); err != nil || !ok {
		t.Fatalf("retry: %v, %v", ok, err)
	}
	if again := claimOne(t, ns, n.ID, now.Add(time.Second)); again.PartsSent != 2 || again.Attempts != 2 {
		t.Fatalf("reclaimed %+v, want 2 parts sent after 2 attempts", again)
	}
}

func claimOne(t *testing.T, ns *storage.NotificationService, id int64, now time.Time) *domain.Notification {
	t.Helper()
	got, err := ns.ClaimNotifications(pgtest.System(), now, 2*time.Minute, 10, domain.Settle{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("claimed %+v, want notification %d", got, id)
	}
	return got[0]
}
