package storage

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// health.go: the figures the service's operators watch (issue 22), read
// on a metrics scrape, by /readyz and by the staff chat's /status. Each
// query reads a partial index or a small table, so a scrape every few
// seconds costs the database nothing worth measuring.

// HealthService reads the service's figures.
type HealthService struct{ db *DB }

// NewHealthService returns the figures' reader.
func NewHealthService(db *DB) *HealthService { return &HealthService{db: db} }

// Figures reads the outbox, the staff relay, the polling schedule and the
// job runs as they are at now.
func (hs *HealthService) Figures(ctx context.Context, now time.Time) (_ domain.Figures, err error) {
	defer wrap(&err, "read service figures")
	var f domain.Figures
	var outboxOldest, relayOldest *time.Time
	const q = `SELECT
		(SELECT count(*) FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL),
		(SELECT min(created_at) FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL),
		(SELECT count(*) FROM notifications WHERE failed_at > $1::timestamptz - interval '1 day'),
		(SELECT count(*) FROM support_relays WHERE relayed_at IS NULL),
		(SELECT min(created_at) FROM support_relays WHERE relayed_at IS NULL),
		(SELECT count(*) FROM job_runs WHERE error <> '' AND scheduled_for > $1::timestamptz - interval '1 day')`
	if err := hs.db.q(ctx).QueryRow(ctx, q, now).Scan(&f.OutboxPending, &outboxOldest, &f.OutboxFailed,
		&f.RelayPending, &relayOldest, &f.JobFailures); err != nil {
		return f, err
	}
	f.OutboxOldest, f.RelayOldest = age(now, outboxOldest), age(now, relayOldest)
	f.PollOverdue, f.PollsDue = map[domain.Feed]time.Duration{}, map[domain.Feed]int{}
	// The slots LeaseDuePolls would take: what a round has not reached yet.
	rows, err := hs.db.q(ctx).Query(ctx, `SELECT p.feed, count(*), min(p.due_at)
		FROM store_polls p JOIN stores s ON s.id = p.store_id
		WHERE p.due_at <= $1 AND s.active AND NOT s.token_rejected GROUP BY p.feed`, now)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var feed domain.Feed
		var n int
		var oldest time.Time
		if err := rows.Scan(&feed, &n, &oldest); err != nil {
			return f, err
		}
		f.PollsDue[feed], f.PollOverdue[feed] = n, age(now, &oldest)
	}
	return f, rows.Err()
}

func age(now time.Time, t *time.Time) time.Duration {
	if t == nil || t.After(now) {
		return 0
	}
	return now.Sub(*t)
}

// MigrationsPending counts the embedded migrations the database has not
// applied: a replica of a newer build started before `indigo migrate` ran.
func (db *DB) MigrationsPending(ctx context.Context) (_ int, err error) {
	defer wrap(&err, "check migrations")
	rows, err := db.q(ctx).Query(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	versions, err := embeddedVersions()
	if err != nil {
		return 0, err
	}
	pending := 0
	for _, v := range versions {
		if !applied[v] {
			pending++
		}
	}
	return pending, nil
}

// embeddedVersions are the numbers of the migration files built in.
func embeddedVersions() ([]int64, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var versions []int64
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s: no version number", base)
		}
		versions = append(versions, v)
	}
	return versions, nil
}
