package domain

import (
	"context"
	"time"
)

// NotificationKind names what a seller is told. Each kind has a locales
// message "notify.<kind>".
type NotificationKind string

// Notification kinds.
const (
	NotifyReturnOnItsWay    NotificationKind = "return_on_its_way"
	NotifyPickupCodeNeeded  NotificationKind = "pickup_code_needed"
	NotifyPickedUp          NotificationKind = "picked_up"
	NotifyReceived          NotificationKind = "received"
	NotifyAwaitingDecision  NotificationKind = "awaiting_decision"
	NotifyListedForSale     NotificationKind = "listed_for_sale"
	NotifyShippedToSeller   NotificationKind = "shipped_to_seller"
	NotifyDisposed          NotificationKind = "disposed"
	NotifyTokenRejected     NotificationKind = "token_rejected"
	NotifyTokenExpiring     NotificationKind = "token_expiring"
	NotifyPickupCodeOverdue NotificationKind = "pickup_code_overdue"
	NotifyDailyDigest       NotificationKind = "daily_digest"
	NotifyTeamMemberJoined  NotificationKind = "team_member_joined"

	// Resale on WB (domain/unit.go): Data has Product, Return, Shelf.
	NotifyResaleSold      NotificationKind = "resale_sold"      // + Price (×100) and Currency
	NotifyResaleCancelled NotificationKind = "resale_cancelled" // back on the shelf and on sale
	NotifyResaleRefused   NotificationKind = "resale_refused"   // cancelled after hand-over: it comes back
	// NotifyResaleBlocked: Indigo cannot sell the store's items on WB;
	// Data has Store and Reason, a locales id saying why.
	NotifyResaleBlocked NotificationKind = "resale_blocked"
	// NotifyResaleInvite reminds the seller to invite IndigoWarehouse as a
	// user of the WB account (manual §6); Data has Store.
	NotifyResaleInvite NotificationKind = "resale_invite"

	// The two clocks (deadline.go): a decision deadline near, a default
	// applied, WB's pickup storage ending, and its end.
	NotifyDecisionDueSoon  NotificationKind = "decision_due_soon"
	NotifyDecidedByDefault NotificationKind = "decided_by_default"
	NotifyPickupExpiring   NotificationKind = "pickup_expiring"
	NotifyPickupExpired    NotificationKind = "pickup_expired"

	// Accounts (account.go): the balance fell below the limit (Data has
	// Balance, Limit, Hold); a payment was recorded (Amount, Balance,
	// Lifted); a month's statement was issued (Month "2006-01").
	NotifyAccountLow      NotificationKind = "account_low"
	NotifyPaymentRecorded NotificationKind = "payment_recorded"
	NotifyStatement       NotificationKind = "statement"
)

// AllNotificationKinds lists every kind, for the locales completeness test
// and the /notifications setting.
func AllNotificationKinds() []NotificationKind {
	return []NotificationKind{
		NotifyReturnOnItsWay, NotifyPickupCodeNeeded, NotifyPickedUp, NotifyReceived,
		NotifyAwaitingDecision, NotifyListedForSale, NotifyShippedToSeller, NotifyDisposed,
		NotifyTokenRejected, NotifyTokenExpiring, NotifyPickupCodeOverdue, NotifyDailyDigest,
		NotifyTeamMemberJoined, NotifyResaleSold, NotifyResaleCancelled, NotifyResaleRefused,
		NotifyResaleBlocked, NotifyResaleInvite, NotifyDecisionDueSoon, NotifyDecidedByDefault,
		NotifyPickupExpiring, NotifyPickupExpired, NotifyAccountLow, NotifyPaymentRecorded, NotifyStatement,
	}
}

// Urgent kinds are pushed even in the seller's quiet hours: waiting
// until morning would cost the seller the item or the store's data.
func (k NotificationKind) Urgent() bool {
	// Someone new acting for the seller cannot wait either: if the
	// invitation leaked, the owner must be able to remove them at once.
	return k == NotifyPickupCodeOverdue || k == NotifyTokenRejected || k == NotifyTeamMemberJoined ||
		k == NotifyPickupExpiring
}

// NotificationFor says what the seller hears when a return enters a status.
// Statuses the seller does not need to hear about (e.g. the warehouse's own
// intermediate steps) return false.
func NotificationFor(s Status) (NotificationKind, bool) {
	kind, ok := map[Status]NotificationKind{
		StatusAwaitingReceiptAtWB:    NotifyReturnOnItsWay,
		StatusAwaitingPickupCode:     NotifyPickupCodeNeeded,
		StatusInTransitToWarehouse:   NotifyPickedUp,
		StatusAwaitingVerification:   NotifyReceived,
		StatusAwaitingSellerDecision: NotifyAwaitingDecision,
		StatusTransferredToSale:      NotifyListedForSale,
		StatusSentToSeller:           NotifyShippedToSeller,
		StatusDisposed:               NotifyDisposed,
		StatusPickupExpired:          NotifyPickupExpired,
	}[s]
	return kind, ok
}

// Notification is an outbox item: written in the same transaction as the
// change it reports, delivered later on the seller's channel.
type Notification struct {
	ID        int64
	SellerID  int64
	Kind      NotificationKind
	ReturnID  *int64
	StoreID   *int64
	Data      map[string]any
	CreatedAt time.Time
	SentAt    *time.Time
	Attempts  int
	// Claim is the token of the lease this notification was claimed under
	// (0 when not claimed): every mark is refused once another claim took
	// the row. PartsSent is how many replies of its push already went.
	Claim     int64
	PartsSent int
}

// NotificationFilter selects notifications.
type NotificationFilter struct {
	SellerID *int64
	Kind     *NotificationKind
	ReturnID *int64
	Unsent   bool
}

// NotificationService writes and reads the outbox.
type NotificationService interface {
	CreateNotification(ctx context.Context, n *Notification) error
	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
}

// Settle holds a seller's notifications back while more keep coming, so
// that a burst (a store's first import, a warehouse's morning) reaches
// the seller as one digest instead of a digest per moment it was looked
// at: a seller's notifications are claimed once the newest unsent one is
// Quiet old, or the oldest Max old, however many still come. The zero
// Settle claims at once.
type Settle struct{ Quiet, Max time.Duration }

// OutboxService hands notifications to the sender. A claimed notification
// is leased under a claim token: no other sender takes it until it is
// marked or the lease ends, so a sender that dies mid-way is replaced and
// nothing is lost. Every mark is fenced by the token and reports whether
// the row still carried it: false means another sender claimed it after
// this claim's lease lapsed, and this sender must leave it alone.
type OutboxService interface {
	// ClaimNotifications leases due notifications under one new token,
	// holding back a seller's while they settle.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int, settle Settle) ([]*Notification, error)
	// RenewClaim extends to until the lease of those of ids (every row of
	// the claim when ids is nil) that claim still holds unsent, and
	// returns their ids.
	RenewClaim(ctx context.Context, claim int64, ids []int64, until time.Time) ([]int64, error)
	// MarkPartsSent records that the first parts replies of a push went.
	MarkPartsSent(ctx context.Context, id, claim int64, parts int) (bool, error)
	MarkSent(ctx context.Context, id, claim int64) (bool, error)
	// MarkRetry puts a notification back for another attempt at next.
	MarkRetry(ctx context.Context, id, claim int64, next time.Time, cause error) (bool, error)
	// MarkHeld puts a notification back until the end of the seller's
	// quiet hours: not an attempt, and released at once when the seller
	// switches quiet hours off.
	MarkHeld(ctx context.Context, id, claim int64, until time.Time) (bool, error)
	// MarkFailed gives a notification up for good.
	MarkFailed(ctx context.Context, id, claim int64, cause error) (bool, error)
}
