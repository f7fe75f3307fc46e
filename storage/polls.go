package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// PollScheduleService implements domain.PollScheduleService.
type PollScheduleService struct{ db *DB }

var _ domain.PollScheduleService = (*PollScheduleService)(nil)

// NewPollScheduleService returns the poll schedule repository.
func NewPollScheduleService(db *DB) *PollScheduleService { return &PollScheduleService{db: db} }

// LeaseDuePolls takes up to limit due slots of active stores with a usable
// token, most overdue first. SKIP LOCKED lets replicas lease side by side
// without waiting on each other; the lease outlives a crashed poller only
// until it ends.
func (ps *PollScheduleService) LeaseDuePolls(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []domain.PollSlot, err error) {
	defer wrap(&err, "lease due polls")
	if err := ps.mustBeSystem(ctx); err != nil {
		return nil, err
	}
	// Stores created since the last round get their slots here, due at once.
	if _, err := ps.db.q(ctx).Exec(ctx, `INSERT INTO store_polls (store_id, feed, due_at)
		SELECT s.id, f.feed, $1 FROM stores s CROSS JOIN unnest($2::text[]) AS f(feed)
		WHERE s.active AND NOT EXISTS (SELECT 1 FROM store_polls p WHERE p.store_id = s.id)
		ON CONFLICT DO NOTHING`, now, domain.AllFeeds()); err != nil {
		return nil, err
	}
	rows, err := ps.db.q(ctx).Query(ctx, `UPDATE store_polls p SET leased_until = $1::timestamptz + $2::interval
		FROM (SELECT p.store_id, p.feed FROM store_polls p JOIN stores s ON s.id = p.store_id
			WHERE p.due_at <= $1 AND (p.leased_until IS NULL OR p.leased_until <= $1)
			  AND s.active AND NOT s.token_rejected
			ORDER BY p.due_at LIMIT $3 FOR UPDATE OF p SKIP LOCKED) due
		WHERE p.store_id = due.store_id AND p.feed = due.feed
		RETURNING p.store_id, p.feed, p.due_at`, now, lease, limit)
	if err != nil {
		return nil, err
	}
	type slot struct {
		storeID int64
		feed    domain.Feed
		due     time.Time
	}
	leased, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (slot, error) {
		var s slot
		err := r.Scan(&s.storeID, &s.feed, &s.due)
		return s, err
	})
	if err != nil || len(leased) == 0 {
		return nil, err
	}
	ids := make([]int64, len(leased))
	for i, s := range leased {
		ids[i] = s.storeID
	}
	stores, err := NewStoreService(ps.db).FindStores(ctx, domain.StoreFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*domain.Store, len(stores))
	for _, s := range stores {
		byID[s.ID] = s
	}
	out := make([]domain.PollSlot, 0, len(leased))
	for _, s := range leased {
		if st, ok := byID[s.storeID]; ok {
			out = append(out, domain.PollSlot{Store: st, Feed: s.feed, DueAt: s.due})
		}
	}
	return out, nil
}

// FinishPoll ends a lease and sets when the feed is next due.
func (ps *PollScheduleService) FinishPoll(ctx context.Context, storeID int64, feed domain.Feed, next time.Time, pollErr error) (err error) {
	defer wrap(&err, "finish %s poll of store %d", feed, storeID)
	if err := ps.mustBeSystem(ctx); err != nil {
		return err
	}
	msg := ""
	if pollErr != nil {
		msg = pollErr.Error()
	}
	_, err = ps.db.q(ctx).Exec(ctx, `UPDATE store_polls SET due_at = $3, leased_until = NULL,
		last_ok_at = CASE WHEN $4 = '' THEN now() ELSE last_ok_at END, last_error = $4
		WHERE store_id = $1 AND feed = $2`, storeID, feed, next, msg)
	if err != nil {
		return err
	}
	if pollErr == nil {
		_, err = ps.db.q(ctx).Exec(ctx, `UPDATE stores SET last_polled_at = now() WHERE id = $1`, storeID)
	}
	return err
}

// PollNow makes every feed of a store due at once. The store's owner may ask.
func (ps *PollScheduleService) PollNow(ctx context.Context, storeID int64) (err error) {
	defer wrap(&err, "poll store %d now", storeID)
	if _, err := NewStoreService(ps.db).FindStoreByID(ctx, storeID); err != nil {
		return err
	}
	_, err = ps.db.q(ctx).Exec(ctx, `INSERT INTO store_polls (store_id, feed, due_at)
		SELECT $1, f.feed, now() FROM unnest($2::text[]) AS f(feed)
		ON CONFLICT (store_id, feed) DO UPDATE SET due_at = least(store_polls.due_at, now())`,
		storeID, domain.AllFeeds())
	return err
}

func (ps *PollScheduleService) mustBeSystem(ctx context.Context) error {
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	return nil
}
