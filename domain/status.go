package domain

import "time"

// status.go: what the people who run Indigo read about the service itself
// (issue 22). The same figures feed the Prometheus metrics, /readyz and the
// staff chat's /status, so the three never disagree.

// PartState is how one outside part (the database, a chat platform, WB)
// answers.
type PartState string

// Part states.
const (
	PartOff      PartState = "off"      // not configured
	PartStarting PartState = "starting" // configured, not reached yet
	PartUp       PartState = "up"
	PartDown     PartState = "down" // it did answer once, or never: retried with backoff
)

// AllPartStates lists the states, for labels and tests.
func AllPartStates() []PartState { return []PartState{PartOff, PartStarting, PartUp, PartDown} }

// The parts the service depends on.
const (
	PartDatabase = "database"
	PartTelegram = "telegram"
	PartWeChat   = "wechat"
	PartWB       = "wb"
)

// AllParts lists the parts, in the order /status shows them.
func AllParts() []string { return []string{PartDatabase, PartTelegram, PartWeChat, PartWB} }

// Part is the state of one outside part, as the service last saw it.
type Part struct {
	Name  string // one of AllParts
	State PartState
	Since time.Time // when it entered State
	Error string    // the last failure, scrubbed of secrets; "" when up
}

// Figures are what the database holds for the service right now: the
// outbox, the staff relay and the polling schedule. Durations are ages
// at the time of reading; zero when nothing waits.
type Figures struct {
	OutboxPending int           // notifications not yet sent nor given up
	OutboxOldest  time.Duration // how long the oldest of them has waited
	OutboxFailed  int           // notifications given up in the last day
	RelayPending  int           // seller messages not yet posted in the staff chat
	RelayOldest   time.Duration
	// PollOverdue is, per feed, how long the most overdue slot of an
	// active store with a usable token has been waiting to be polled.
	PollOverdue map[Feed]time.Duration
	// PollsDue counts, per feed, those slots.
	PollsDue map[Feed]int
	// JobFailures counts the claimed job runs of the last day that ended
	// in an error.
	JobFailures int
}

// Counters are what this replica counted since it started, by the same
// counters the metrics export.
type Counters struct {
	Started       time.Time
	WBCalls       int64
	WBRateLimited int64 // WB's 429s
	Delivered     int64 // notifications that reached a chat
	// DeliveryP50 and DeliveryP90 estimate how long a delivered
	// notification waited in the outbox.
	DeliveryP50, DeliveryP90 time.Duration
	ChatSends                map[Channel]int64
	ChatRateLimited          map[Channel]int64
	ChatRetries              map[Channel]int64
	Turns                    int64
	TurnErrors               int64
	JobRuns                  int64
	JobErrors                int64
}

// ServiceStatus is the whole picture /status shows.
type ServiceStatus struct {
	Parts    []Part
	Figures  Figures
	Counters Counters
}
