package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/indigo-warehouse/indigo/domain"
)

// SendBudget keeps chat platforms' send limits in PostgreSQL, so every
// replica books its sends in the same windows (telegram.SendBudget). Each
// booking is one short transaction of its own, on a connection of its own:
// it never joins the caller's unit of work, since a row held for a whole
// turn would stop every replica's sends behind it.
type SendBudget struct {
	db *DB
}

// NewSendBudget returns the deployment's shared send budget.
func NewSendBudget(db *DB) *SendBudget { return &SendBudget{db: db} }

// ReserveSend books the earliest moment at or after now at which one more
// send fits every window, and returns it.
func (b *SendBudget) ReserveSend(ctx context.Context, now time.Time, windows []domain.SendWindow) (at time.Time, err error) {
	defer wrap(&err, "SendBudget.ReserveSend(%d windows)", len(windows))
	// PostgreSQL keeps microseconds; computing on what it will store
	// keeps a booked moment from moving once saved.
	now = now.Truncate(time.Microsecond)
	keys := make([]string, len(windows))
	for i, w := range windows {
		keys[i] = w.Key
	}
	err = pgx.BeginFunc(ctx, b.db.Pool, func(tx pgx.Tx) error {
		logs, err := lockLogs(ctx, tx, keys)
		if err != nil {
			return err
		}
		for i, w := range windows {
			logs[i] = logs[i].Forget(now, w.Per)
		}
		at = domain.NextSend(now, windows, logs)
		var batch pgx.Batch
		for i, w := range windows {
			l := logs[i].Book(now, at, w.Per)
			idle := l.Sends[len(l.Sends)-1].Add(w.Per)
			if l.Blocked.After(idle) {
				idle = l.Blocked
			}
			// An upsert, in case ForgetIdleSends took the row meanwhile.
			batch.Queue(`INSERT INTO send_budget (key, sends, idle_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET sends = excluded.sends, idle_at = excluded.idle_at`,
				w.Key, l.Sends, idle)
		}
		return tx.SendBatch(ctx, &batch).Close()
	})
	return at, err
}

// ReleaseSend gives back one send booked at at in each window, one the
// sender could not use.
func (b *SendBudget) ReleaseSend(ctx context.Context, windows []domain.SendWindow, at time.Time) (err error) {
	defer wrap(&err, "SendBudget.ReleaseSend(%d windows)", len(windows))
	keys := make([]string, len(windows))
	for i, w := range windows {
		keys[i] = w.Key
	}
	return pgx.BeginFunc(ctx, b.db.Pool, func(tx pgx.Tx) error {
		logs, err := lockLogs(ctx, tx, keys)
		if err != nil {
			return err
		}
		var batch pgx.Batch
		for i, k := range keys {
			batch.Queue(`UPDATE send_budget SET sends = $2 WHERE key = $1`, k, logs[i].Release(at.Truncate(time.Microsecond)).Sends)
		}
		return tx.SendBatch(ctx, &batch).Close()
	})
}

// lockLogs creates the windows' rows if they are new and locks them in key
// order, so two bookings that share windows cannot deadlock.
func lockLogs(ctx context.Context, tx pgx.Tx, keys []string) ([]domain.SendLog, error) {
	var batch pgx.Batch
	batch.Queue(`INSERT INTO send_budget (key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, keys)
	found := map[string]domain.SendLog{}
	batch.Queue(`SELECT key, sends, blocked_until FROM send_budget WHERE key = ANY($1) ORDER BY key FOR UPDATE`, keys).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var key string
				var l domain.SendLog
				var blocked pgtype.Timestamptz
				if err := rows.Scan(&key, &l.Sends, &blocked); err != nil {
					return err
				}
				l.Blocked = blocked.Time // -infinity reads as the zero time
				found[key] = l
			}
			return rows.Err()
		})
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return nil, fmt.Errorf("lock send windows: %w", err)
	}
	logs := make([]domain.SendLog, len(keys))
	for i, k := range keys {
		logs[i] = found[k]
	}
	return logs, nil
}

// BlockSends holds every send under keys back until until, as the
// platform's 429 asked; a longer block already there stays.
func (b *SendBudget) BlockSends(ctx context.Context, keys []string, until time.Time) (err error) {
	defer wrap(&err, "SendBudget.BlockSends(%v)", keys)
	_, err = b.db.Pool.Exec(ctx, `
		INSERT INTO send_budget (key, blocked_until, idle_at) SELECT unnest($1::text[]), $2, $2
		ON CONFLICT (key) DO UPDATE SET
			blocked_until = greatest(send_budget.blocked_until, excluded.blocked_until),
			idle_at = greatest(send_budget.idle_at, excluded.idle_at)`, keys, until)
	return err
}

// ForgetIdleSends drops the windows that count nothing any more at now:
// one row per chat ever written to would otherwise stay for good.
func (b *SendBudget) ForgetIdleSends(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "SendBudget.ForgetIdleSends")
	tag, err := b.db.Pool.Exec(ctx, `DELETE FROM send_budget WHERE idle_at < $1`, now)
	return tag.RowsAffected(), err
}
