package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// PoisonService implements domain.PoisonService on poisoned_inputs.
type PoisonService struct{ db *DB }

var _ domain.PoisonService = (*PoisonService)(nil)

// NewPoisonService returns the poisoned inputs' repository.
func NewPoisonService(db *DB) *PoisonService { return &PoisonService{db: db} }

// maxStack bounds the stack kept per input; the log has it whole.
const maxStack = 16 << 10

// RecordFailure counts the failure in its own transaction on the pool:
// the caller's transaction, if its ctx carries one, was rolled back by the
// panic being recorded.
func (ps *PoisonService) RecordFailure(ctx context.Context, f domain.InputFailure, limit int, forgetBefore time.Time) (attempts int, poisoned bool, err error) {
	defer wrap(&err, "record failure of %s %s", f.Item.Worker, f.Item.Key)
	// A failure after forgetBefore continues the count; an older one starts
	// a new case, with its own alert.
	const upsert = `INSERT INTO poisoned_inputs AS p
		(worker, key, seller_id, chat_id, attempts, last_error, last_stack, first_failed_at, last_failed_at)
		VALUES ($1, $2, NULLIF($3::bigint, 0), $4, 1, $5, $6, $7, $7)
		ON CONFLICT (worker, key) DO UPDATE SET
			attempts           = CASE WHEN p.last_failed_at < $8 THEN 1 ELSE p.attempts + 1 END,
			first_failed_at    = CASE WHEN p.last_failed_at < $8 THEN EXCLUDED.first_failed_at ELSE p.first_failed_at END,
			poisoned_at        = CASE WHEN p.last_failed_at < $8 THEN NULL ELSE p.poisoned_at END,
			alert_leased_until = CASE WHEN p.last_failed_at < $8 THEN NULL ELSE p.alert_leased_until END,
			alerted_at         = CASE WHEN p.last_failed_at < $8 THEN NULL ELSE p.alerted_at END,
			seller_id          = COALESCE(EXCLUDED.seller_id, p.seller_id),
			chat_id            = CASE WHEN EXCLUDED.chat_id <> '' THEN EXCLUDED.chat_id ELSE p.chat_id END,
			last_error         = EXCLUDED.last_error,
			last_stack         = EXCLUDED.last_stack,
			last_failed_at     = EXCLUDED.last_failed_at
		RETURNING attempts, poisoned_at IS NOT NULL`
	// The upsert holds the row's lock to commit, so of two replicas failing
	// at once the second counts after the first and only one poisons it.
	const poison = `UPDATE poisoned_inputs SET poisoned_at = $3 WHERE worker = $1 AND key = $2 AND poisoned_at IS NULL`
	stack := f.Stack
	if len(stack) > maxStack {
		stack = stack[:maxStack]
	}
	err = pgx.BeginFunc(ctx, ps.db.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, upsert, f.Item.Worker, f.Item.Key, f.Item.SellerID, f.Item.ChatID,
			f.Err, stack, f.At, forgetBefore).Scan(&attempts, &poisoned); err != nil {
			return err
		}
		if poisoned || attempts < limit {
			return nil
		}
		poisoned = true
		_, err := tx.Exec(ctx, poison, f.Item.Worker, f.Item.Key, f.At)
		return err
	})
	return attempts, poisoned, err
}

// ClaimPoisonAlerts leases the oldest poisoned inputs staff were not told
// about; replicas skip each other's leases.
func (ps *PoisonService) ClaimPoisonAlerts(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []*domain.PoisonedInput, err error) {
	defer wrap(&err, "claim poison alerts")
	const q = `UPDATE poisoned_inputs p SET alert_leased_until = $2
		FROM (SELECT worker, key FROM poisoned_inputs
			WHERE poisoned_at IS NOT NULL AND alerted_at IS NULL
				AND (alert_leased_until IS NULL OR alert_leased_until <= $1)
			ORDER BY poisoned_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
		WHERE p.worker = due.worker AND p.key = due.key
		RETURNING p.worker, p.key, COALESCE(p.seller_id, 0), p.chat_id, p.attempts, p.last_error, p.poisoned_at`
	rows, err := ps.db.Pool.Query(ctx, q, now, now.Add(lease), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*domain.PoisonedInput, error) {
		p := &domain.PoisonedInput{}
		err := row.Scan(&p.Worker, &p.Key, &p.SellerID, &p.ChatID, &p.Attempts, &p.LastError, &p.PoisonedAt)
		return p, err
	})
}

// MarkPoisonAlerted records that staff were told.
func (ps *PoisonService) MarkPoisonAlerted(ctx context.Context, item domain.WorkItem) (err error) {
	defer wrap(&err, "mark %s %s alerted", item.Worker, item.Key)
	_, err = ps.db.Pool.Exec(ctx, `UPDATE poisoned_inputs SET alerted_at = $3, alert_leased_until = NULL
		WHERE worker = $1 AND key = $2`, item.Worker, item.Key, ps.db.Now())
	return err
}
