package storage_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestReminders: each reminder is queued once per return, store or local
// day, however often the job runs.
func TestReminders(t *testing.T) {
	db := pgtest.New(t)
	ns := storage.NewNotificationService(db)
	ctx := pgtest.System()
	now := time.Now()
	seller := pgtest.Seller(t, db, func(s *domain.Seller) { s.TimeZone = "UTC" })
	soon := now.Add(2 * 24 * time.Hour)
	store := pgtest.Store(t, db, seller.ID, func(s *domain.Store) { s.TokenExpiresAt = &soon })
	pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingPickupCode })
	pgtest.Return(t, db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupCode = domain.StatusAwaitingPickupCode, "1234" // the code is in: no nagging
	})
	nineUTC := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, time.UTC)

	for _, tt := range []struct {
		name string
		run  func() (int64, error)
		want int64
	}{
		{"DecisionAfter24h", func() (int64, error) {
			return ns.RemindWaiting(ctx, domain.NotifyAwaitingDecision, domain.StatusAwaitingSellerDecision, now.Add(time.Hour), "24h")
		}, 1},
		{"NotYetDue72h", func() (int64, error) {
			return ns.RemindWaiting(ctx, domain.NotifyAwaitingDecision, domain.StatusAwaitingSellerDecision, now.Add(-72*time.Hour), "72h")
		}, 0},
		{"PickupCodeOverdue", func() (int64, error) {
			return ns.RemindWaiting(ctx, domain.NotifyPickupCodeOverdue, domain.StatusAwaitingPickupCode, now.Add(time.Hour), "48h")
		}, 1},
		{"TokenIn3Days", func() (int64, error) { return ns.RemindExpiringTokens(ctx, now, 3) }, 1},
		{"TokenIn1Day", func() (int64, error) { return ns.RemindExpiringTokens(ctx, now, 1) }, 0},
		{"DailyAt9", func() (int64, error) { return ns.RemindDaily(ctx, nineUTC) }, 1},
		{"DailyAt10", func() (int64, error) { return ns.RemindDaily(ctx, nineUTC.Add(time.Hour)) }, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for pass := range 2 { // the second pass finds everything queued
				got, err := tt.run()
				if err != nil {
					t.Fatal(err)
				}
				if want := tt.want * int64(1-pass); got != want {
					t.Fatalf("pass %d queued %d, want %d", pass, got, want)
				}
			}
		})
	}
}

func TestJobRunOnce(t *testing.T) {
	db := pgtest.New(t)
	js := storage.NewJobRunService(db)
	at := time.Now().Truncate(time.Minute)
	first, err := js.StartJobRun(pgtest.System(), "digest", at)
	if err != nil || !first {
		t.Fatalf("first = %v, %v", first, err)
	}
	if second, err := js.StartJobRun(pgtest.System(), "digest", at); err != nil || second {
		t.Fatalf("second replica ran too: %v, %v", second, err)
	}
	if err := js.FinishJobRun(pgtest.System(), "digest", at, nil); err != nil {
		t.Fatal(err)
	}
}
