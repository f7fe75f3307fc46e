package main

// pool.go: how many database connections one replica needs. Every worker
// below may hold a connection at once (a chat turn holds its transaction
// while it calls WB, for up to two minutes), so the pool is their sum plus
// what must still get one then: the listeners, the staff relay, /healthz
// and the web view. With fewer, a burst of slow WB calls starves the rest,
// and /healthz fails on a replica that is only busy. DATABASE_URL's
// pool_max_conns, when set, replaces the sum (storage.OpenSized); the
// database's max_connections must allow the pools of all replicas.

const (
	telegramWorkers = 8  // chats handled at once by long polling
	wechatWorkers   = 16 // WeChat callbacks handled at once
	deliverWorkers  = 32 // sellers the outbox sends to at once
	pollWorkers     = 8  // WB stores polled at once
	// listenConns: the outbox's and the support queue's LISTEN, held for good.
	listenConns = 2
	// staffConns: the staff desk's relay flush, beside the staff chat's turns.
	staffConns = 1
	// poolHeadroom is for /healthz, the web view and the cron jobs.
	poolHeadroom = 8
)

// poolSize is the connections one replica's pool holds: 75.
func poolSize() int32 {
	return telegramWorkers + wechatWorkers + deliverWorkers + pollWorkers + listenConns + staffConns + poolHeadroom
}

// workerConns is how many connections the workers can hold together, all
// but the headroom: with these taken, /healthz must still answer.
func workerConns() int32 { return poolSize() - poolHeadroom }
