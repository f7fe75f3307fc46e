package domain

import (
	"context"
	"time"
)

// Poisoned inputs: one input a worker cannot get through without a panic
// (a bug, not an outage) must not stop the worker, nor come back forever.
// Every worker runs each input under a Guard; the failures are counted per
// input in PostgreSQL, shared by replicas and kept over restarts, and an
// input that failed PoisonLimit times is set aside and staff are told once.

// Workers, as the poisoned inputs' records name them.
const (
	WorkerTelegramUpdate = "telegram.update" // key: bot id/update id
	WorkerWeChatCallback = "wechat.callback" // key: MsgId, or sender and CreateTime
	WorkerOutbox         = "outbox"          // key: the notification id
	WorkerStaffRelay     = "staff.relay"     // key: the relay id
	WorkerPoll           = "poll"            // key: store id/feed
	WorkerResale         = "resale"          // key: store id
	WorkerJob            = "job"             // key: the job's name
)

// WorkItem names one input of one worker.
type WorkItem struct {
	Worker string // one of the Worker… constants
	Key    string // the input within the worker: an update id, an outbox id…
	// Whose input it is, when the worker knows: staff alerts name them.
	SellerID int64
	ChatID   string
}

// InputFailure is one failed attempt at an input.
type InputFailure struct {
	Item  WorkItem
	Err   string // what the panic said
	Stack string
	At    time.Time
}

// PoisonedInput is an input set aside after failing again and again,
// waiting for staff to be told about it.
type PoisonedInput struct {
	WorkItem
	Attempts   int
	LastError  string
	PoisonedAt time.Time
}

// PoisonService counts failed attempts per input and keeps the inputs set
// aside. Its methods never join the caller's transaction: a failure is
// recorded after that transaction was rolled back.
type PoisonService interface {
	// RecordFailure counts one failed attempt at f.Item. Failures before
	// forgetBefore are forgotten first, so a recurring input (a poll slot,
	// a job) failing now and then is not set aside for good. At limit
	// failures the input is poisoned: queued for one staff alert, by the
	// first call across replicas that gets there. It returns the failures
	// counted and whether the input is poisoned.
	RecordFailure(ctx context.Context, f InputFailure, limit int, forgetBefore time.Time) (attempts int, poisoned bool, err error)
	// ClaimPoisonAlerts leases poisoned inputs staff have not been told
	// about; a lease not marked alerted before it ends is claimed again.
	ClaimPoisonAlerts(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*PoisonedInput, error)
	// MarkPoisonAlerted records that staff were told about an input.
	MarkPoisonAlerted(ctx context.Context, item WorkItem) error
}
