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

// BenchmarkFigures reads the figures a scrape and /status read, in a
// database a year old: 500,000 notifications sent, 1,000 waiting and 200
// given up today, 2,000 seller messages waiting for the staff chat, and
// 100,000 job runs.
//
//	go test ./storage -run '^$' -bench BenchmarkFigures
func BenchmarkFigures(b *testing.B) {
	db := pgtest.New(b)
	seller := pgtest.Seller(b, db, nil)
	pgtest.Store(b, db, seller.ID, nil)
	for _, q := range []string{
		`INSERT INTO notifications (seller_id, kind, created_at, sent_at)
			SELECT $1, 'return_arrived', now() - g * interval '1 minute', now() - g * interval '1 minute' FROM generate_series(1, 500000) g`,
		`INSERT INTO notifications (seller_id, kind, created_at) SELECT $1, 'return_arrived', now() - g * interval '1 second' FROM generate_series(1, 1000) g`,
		`INSERT INTO notifications (seller_id, kind, failed_at) SELECT $1, 'return_arrived', now() FROM generate_series(1, 200) g`,
		`INSERT INTO support_relays (seller_id, kind, text) SELECT $1, 'message', 'hello' FROM generate_series(1, 2000) g`,
		`INSERT INTO job_runs (job, scheduled_for, error) SELECT 'job-' || (g % 14), now() - g * interval '5 minutes',
			CASE WHEN g % 100 = 0 THEN 'failed' ELSE '' END FROM generate_series(1, 100000) g WHERE $1::bigint > 0`,
		`ANALYZE`,
	} {
		args := []any{seller.ID}
		if q == `ANALYZE` {
			args = nil
		}
		if _, err := db.Pool.Exec(pgtest.System(), q, args...); err != nil {
			b.Fatal(err)
		}
	}
	hs := storage.NewHealthService(db)
	b.ResetTimer()
	for b.Loop() {
		f, err := hs.Figures(pgtest.System(), time.Now())
		if err != nil || f.OutboxPending != 1000 || f.OutboxFailed != 200 || f.RelayPending != 2000 {
			b.Fatalf("figures = %+v, %v", f, err)
		}
	}
}
