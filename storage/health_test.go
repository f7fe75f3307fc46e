package storage_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestFigures: a change's notification waits in the outbox and a new
// store's feeds are due; both show in the figures, aged from when they
// were written or fell due.
func TestFigures(t *testing.T) {
	db := pgtest.New(t)
	hs := storage.NewHealthService(db)
	f, err := hs.Figures(pgtest.System(), time.Now())
	if err != nil || f.OutboxPending != 0 || f.RelayPending != 0 || len(f.PollsDue) != 0 {
		t.Fatalf("empty database: %+v, %v", f, err)
	}
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	r := pgtest.Return(t, db, store.ID, nil)
	if _, err := storage.NewReturnService(db).ApplyEvent(pgtest.System(), r.ID, domain.ReturnChange{Event: domain.EventArriveAtPickupPoint}); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewPollScheduleService(db).LeaseDuePolls(pgtest.System(), time.Now(), 0, 0); err != nil {
		t.Fatal(err) // creates the store's slots, due now; a zero limit leases none
	}
	later := time.Now().Add(time.Hour)
	f, err = hs.Figures(pgtest.System(), later)
	if err != nil {
		t.Fatal(err)
	}
	if f.OutboxPending != 1 || f.OutboxOldest < 59*time.Minute {
		t.Errorf("outbox = %d, oldest %v; want 1 about an hour old", f.OutboxPending, f.OutboxOldest)
	}
	for _, feed := range domain.AllFeeds() {
		if f.PollsDue[feed] != 1 || f.PollOverdue[feed] < 59*time.Minute {
			t.Errorf("%s: %d due, %v overdue; want 1 about an hour", feed, f.PollsDue[feed], f.PollOverdue[feed])
		}
	}
}

func TestMigrationsPending(t *testing.T) {
	db := pgtest.New(t)
	if n, err := db.MigrationsPending(pgtest.System()); err != nil || n != 0 {
		t.Fatalf("a migrated database: %d pending, %v", n, err)
	}
	if _, err := db.Pool.Exec(pgtest.System(), `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	if n, err := db.MigrationsPending(pgtest.System()); err != nil || n != 1 {
		t.Fatalf("one version forgotten: %d pending, %v", n, err)
	}
}
