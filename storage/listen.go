package storage

import (
	"context"
	"log/slog"
	"time"
)

// OutboxChannel is the NOTIFY channel the outbox trigger signals.
const OutboxChannel = "indigo_outbox"

// Listen signals on the returned channel whenever PostgreSQL delivers a
// NOTIFY on channel; bursts collapse into one signal. It holds one pooled
// connection until ctx ends and reconnects after failures, so a sender can
// wait on it with a slow ticker as the fallback.
func (db *DB) Listen(ctx context.Context, channel string, log *slog.Logger) <-chan struct{} {
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		for ctx.Err() == nil {
			if err := db.listen(ctx, channel, signal); err != nil && ctx.Err() == nil {
				log.Warn("listen failed; retrying", "channel", channel, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	}()
	return out
}

func (db *DB) listen(ctx context.Context, channel string, signal func()) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// The connection goes back to the pool: it must not stay subscribed.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *")
		conn.Release()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+quoteIdent(channel)); err != nil {
		return err
	}
	signal() // anything written while we were not listening
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			return err
		}
		signal()
	}
}

func quoteIdent(s string) string { return `"` + s + `"` }
