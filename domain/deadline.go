package domain

import (
	"context"
	"time"
)

// Two clocks run against a return. At the warehouse, a pending decision
// has a deadline after which the seller's default is applied. At WB's
// pickup point, a return waits seven days for its code, after which WB
// takes it back and charges the trip.

// IndigoDefault is what happens at the deadline for a seller who set no
// default: the item goes back on sale, which keeps its value and, until
// the warehouse lists it, can still be undone.
const IndigoDefault = DecisionSellOnWB

// DecisionDeadline is when a pending decision is made for the seller.
type DecisionDeadline struct {
	ReturnID  int64
	EnteredAt time.Time // when the return began waiting for the decision
	DueAt     time.Time
	Default   Decision
	// SellerDefault is false when the default is Indigo's, not the seller's.
	SellerDefault bool
}

// DueAfter is the deadline of a decision that began waiting at entered.
func DueAfter(entered time.Time, days int) time.Time {
	return entered.Add(time.Duration(days) * 24 * time.Hour)
}

// AutoDecisionKind says why a decision was made without the seller.
type AutoDecisionKind string

// Auto decisions.
const (
	AutoByRule    AutoDecisionKind = "rule"    // the seller's first matching rule
	AutoByDefault AutoDecisionKind = "default" // the deadline passed
)

// AutoDecision is a decision made for the seller, recorded with why, so
// the digest can name the rule and the seller can undo it.
type AutoDecision struct {
	ReturnID int64
	SellerID int64
	Kind     AutoDecisionKind
	Decision Decision
	RuleID   int64
	RuleName string
	At       time.Time
	Undone   *time.Time
	Reported *time.Time // when a digest told the seller
}

// CanUndo reports whether a decision made for the seller may still be
// taken back: nothing irreversible has happened while the return waits
// for the warehouse to carry the decision out.
func (a *AutoDecision) CanUndo(r *Return) bool {
	if a == nil || a.Undone != nil {
		return false
	}
	switch r.Status {
	case StatusAwaitingTransferToSale, StatusAwaitingShipmentToSeller, StatusAwaitingDisposal:
		return r.Decision == a.Decision
	}
	return false
}

// DecisionService runs the decisions Indigo makes for sellers: rules at
// the decision point and defaults at the deadline, both once.
type DecisionService interface {
	// Deadline is the return's pending-decision deadline; false when it
	// does not wait for a decision.
	Deadline(ctx context.Context, r *Return) (DecisionDeadline, bool, error)
	// ApplyDueDefaults decides, once across replicas, every return whose
	// deadline has passed by now, and returns how many it decided.
	ApplyDueDefaults(ctx context.Context, now time.Time) (int, error)
	// FindAutoDecision is the last decision made for the seller on r.
	FindAutoDecision(ctx context.Context, returnID int64) (*AutoDecision, error)
	// UndoAutoDecision puts the return back to waiting for the seller.
	UndoAutoDecision(ctx context.Context, returnID int64) (*Return, error)
	// FindUnreportedAutoDecisions lists what was decided for the seller
	// since the last digest, and MarkAutoDecisionsReported closes them.
	FindUnreportedAutoDecisions(ctx context.Context, sellerID int64) ([]*AutoDecision, error)
	MarkAutoDecisionsReported(ctx context.Context, sellerID int64, at time.Time) error
}

// PickupStorage is how long WB keeps a return at the pickup point before it
// charges the trip back (wb-resale.md §4).
const PickupStorage = 7 * 24 * time.Hour

// PickupDeadline is when WB stops keeping r at the pickup point; false when
// r is not waiting there or WB gave no ready time.
func PickupDeadline(r *Return) (time.Time, bool) {
	if r.Status != StatusAwaitingPickupCode || r.ReadyAt == nil {
		return time.Time{}, false
	}
	return r.ReadyAt.Add(PickupStorage), true
}

// DaysLeft counts the calendar days in loc from now to the deadline: 0 on
// the last day, -1 once it has passed. Days are the reader's own, so a
// deadline at 23:00 in Moscow is a day later for a seller in Shanghai.
func DaysLeft(now, deadline time.Time, loc *time.Location) int {
	if !now.Before(deadline) {
		return -1
	}
	y1, m1, d1 := now.In(loc).Date()
	y2, m2, d2 := deadline.In(loc).Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// PickupReminders are the points before the end of WB's storage at which
// the seller is reminded, each once.
var PickupReminders = []time.Duration{72 * time.Hour, 24 * time.Hour}

// DecisionReminders are the points before a decision deadline at which the
// seller is reminded, each once.
var DecisionReminders = []time.Duration{72 * time.Hour, 24 * time.Hour}

// ReturnCharge is an amount charged against a return by someone other
// than Indigo: WB's reverse logistics for a return not collected in time.
type ReturnCharge struct {
	ReturnID  int64
	Kind      string // "wb_uncollected"
	AmountRUB int64  // kopecks; 0 when WB's tariff was not known
	Source    string // the tariff row and date it was read from
	At        time.Time
}

// Charge kinds.
const ChargeWBUncollected = "wb_uncollected"

// PickupClockService runs WB's seven-day clock.
type PickupClockService interface {
	// ExpirePickups marks every return whose storage ended before now as
	// lost to WB's trip back, with the charge, once; it returns how many.
	ExpirePickups(ctx context.Context, now time.Time) (int, error)
	// FindExpiringPickups lists returns waiting at a pickup point whose
	// storage ends before until, soonest first (staff's list).
	FindExpiringPickups(ctx context.Context, until time.Time, limit int) ([]*Return, error)
	FindReturnCharges(ctx context.Context, returnID int64) ([]*ReturnCharge, error)
}
