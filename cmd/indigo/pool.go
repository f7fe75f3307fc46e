package main

import (
	"context"
	"fmt"
)

// pool.go: how many database connections one replica takes, and a check
// at start that the server has room for them.
//
// A connection is held for long only where something waits while holding
// it, and each such holder gets one of its own:
//   - the outbox's and the support queue's LISTEN, for good;
//   - a WeChat callback's transaction, which wraps the engine's turn and so
//     the WB token check a turn may make (up to two minutes): one per
//     WeChat worker;
//   - a staff turn, which opens a staff member's photos inside the staff
//     chat's transaction: one per Telegram intake worker.
//
// Everything else holds one for a statement or a short transaction between
// its remote calls: chat turns (conversations/remote.go), the outbox's
// claims and marks, the pacer's bookings, lease renewals, the poll's
// writes, the cron jobs, the web view and /healthz. Those take turns on
// shortConns, which stay free when every long holder holds its own, so a
// replica that is only busy still answers /healthz.
//
// The server must have room for every replica's pool: its max_connections
// less the superuser reserve at least replicas × poolSize() (34 each: two
// replicas fit PostgreSQL's default of 100, three do not). DATABASE_URL's
// pool_max_conns, when set, replaces poolSize (storage.OpenSized).

const (
	telegramWorkers = 8  // chats handled at once by long polling
	wechatWorkers   = 16 // WeChat callbacks handled at once
	deliverWorkers  = 32 // sellers the outbox sends to at once
	pollWorkers     = 8  // WB stores polled at once
	listenConns     = 2
	// shortConns is what the short holders above share. One statement is
	// a millisecond or so; at Telegram's 30 messages a second each takes
	// a few, far below what 8 connections serve.
	shortConns = 8
)

// poolSize is the connections one replica's pool holds: 34.
func poolSize() int32 { return longConns() + shortConns }

// longConns is what the long holders can take at once; with these taken,
// /healthz must still answer.
func longConns() int32 { return listenConns + wechatWorkers + telegramWorkers }

// checkConnections says how many replicas of this pool the server has room
// for, and refuses to start when not even this one fits: the workers would
// wait on connections the server never gives, and /healthz with them.
func (m *Main) checkConnections(ctx context.Context) error {
	limit, err := m.DB.ConnectionLimit(ctx)
	if err != nil {
		return err
	}
	pool := int(m.DB.Pool.Config().MaxConns)
	if pool > limit {
		return fmt.Errorf("the database takes %d connections (max_connections less the superuser reserve), "+
			"fewer than this replica's pool of %d: raise max_connections to at least replicas × %d + 3, "+
			"or set a smaller pool_max_conns in DATABASE_URL", limit, pool, pool)
	}
	if pool < int(poolSize()) {
		m.Log.Warn("pool_max_conns is below what the workers may hold at once: a burst of slow work can starve /healthz",
			"pool", pool, "workers_need", poolSize())
	}
	m.Log.Info("database connections", "pool", pool, "server_takes", limit, "replicas_that_fit", limit/pool)
	return nil
}
