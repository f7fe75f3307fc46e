package storage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestOutboxSettle: a seller whose outbox is still growing is left for a
// later claim, which takes the burst whole: once its newest row is Quiet
// old, or at once when its oldest is Max old. Zero settles nothing.
func TestOutboxSettle(t *testing.T) {
	settle := domain.Settle{Quiet: 10 * time.Second, Max: time.Minute}
	for _, tt := range []struct {
		name   string
		ages   []time.Duration // how long ago each row was written
		after  time.Duration   // the claim, this long after now
		settle domain.Settle
		want   int
	}{
		{"Growing", []time.Duration{0, 0, 0}, 0, settle, 0},
		{"Settled", []time.Duration{0, 0, 0}, 11 * time.Second, settle, 3},
		{"QuietLongEnough", []time.Duration{30 * time.Second, 20 * time.Second}, 0, settle, 2},
		{"KeepsComingPastMax", []time.Duration{2 * time.Minute, 0}, 0, settle, 2},
		{"NoSettle", []time.Duration{0, 0}, 0, domain.Settle{}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := pgtest.New(t)
			ns := storage.NewNotificationService(db)
			seller := pgtest.Seller(t, db, nil)
			for _, age := range tt.ages {
				n := &domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring}
				if err := ns.CreateNotification(pgtest.System(), n); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Pool.Exec(t.Context(), `UPDATE notifications SET created_at = created_at - $2::interval,
					next_attempt_at = next_attempt_at - $2::interval WHERE id = $1`, n.ID, age); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ns.ClaimNotifications(pgtest.System(), time.Now().Add(tt.after), time.Minute, 10, tt.settle)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("claimed %d of %d rows, want %d", len(got), len(tt.ages), tt.want)
			}
		})
	}
}

// TestQuietHoursRelease: switching quiet hours off makes what they held
// due at once, without the attempt holding cost; a row waiting out a
// failed send's backoff keeps its wait.
func TestQuietHoursRelease(t *testing.T) {
	db := pgtest.New(t)
	ns := storage.NewNotificationService(db)
	ctx := pgtest.System()
	seller := pgtest.Seller(t, db, func(s *domain.Seller) { s.QuietHours = true })
	var ids []int64
	for range 2 {
		n := &domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring}
		if err := ns.CreateNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	now := time.Now().Add(time.Second)
	claimed, err := ns.ClaimNotifications(ctx, now, time.Minute, 10, domain.Settle{})
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %v, %v", claimed, err)
	}
	morning := now.Add(9 * time.Hour)
	if ok, err := ns.MarkHeld(ctx, ids[0], claimed[0].Claim, morning); !ok || err != nil {
		t.Fatalf("held: %v, %v", ok, err)
	}
	if ok, err := ns.MarkRetry(ctx, ids[1], claimed[1].Claim, morning, errors.New("telegram 502")); !ok || err != nil {
		t.Fatalf("retry: %v, %v", ok, err)
	}
	off := false
	if _, err := storage.NewSellerService(db).UpdateSeller(ctx, seller.ID, domain.SellerUpdate{QuietHours: &off}); err != nil {
		t.Fatal(err)
	}
	again, err := ns.ClaimNotifications(ctx, now.Add(time.Minute), time.Minute, 10, domain.Settle{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, n := range again {
		got = append(got, n.ID)
	}
	if !slices.Equal(got, ids[:1]) {
		t.Fatalf("claimed %v after quiet hours were switched off, want only the held %d", got, ids[0])
	}
	if again[0].Attempts != 1 {
		t.Errorf("the held row counts %d attempts, want 1: holding is not an attempt", again[0].Attempts)
	}
}
