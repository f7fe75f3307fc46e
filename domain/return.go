package domain

import (
	"context"
	"time"
)

// Decision is the seller's choice for an inspected return (manual §4.3).
type Decision string

// Decisions.
const (
	DecisionSellOnWB       Decision = "sell_on_wb"       // back on sale from the warehouse via FBS
	DecisionReturnToSeller Decision = "return_to_seller" // shipped to the seller's country; needs a complete profile
	DecisionDispose        Decision = "dispose"
)

// AllDecisions lists the decisions in the manual's order.
func AllDecisions() []Decision {
	return []Decision{DecisionSellOnWB, DecisionReturnToSeller, DecisionDispose}
}

// ParseDecision validates a decision name.
func ParseDecision(s string) (Decision, error) {
	for _, d := range AllDecisions() {
		if string(d) == s {
			return d, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.return.unknown_decision", map[string]any{"Decision": s})
}

// Return is one returned item, with every column of the manual's tables.
type Return struct {
	ID       int64
	StoreID  int64
	SellerID int64

	// What WB says about the item.
	RequestDate  time.Time // "Return Request Date"
	ProductName  string    // "Product"
	VendorCode   string    // "SKU": the seller's vendor code
	NmID         int64     // WB's card id
	Barcode      string
	ReturnNumber string // "Return Number": WB's claim or shipment number
	Subject      string // product category, for the manual's category filter
	PhotoURL     string // the card's main photo
	Defective    bool   // "Defective Item?": the buyer's claim says so
	SrID         string // WB's order row id; joins claims and the goods-return report
	ShkID        int64  // WB's box barcode id in the goods-return report
	ClaimID      string // the buyer's claim in WB's returns API, when there is one
	PriceRUB     int64  // kopecks
	PriceCNY     int64  // fen
	// PriceSource says where the price came from; "" is no price yet.
	PriceSource PriceSource

	// At the pickup point (the QR/code exchange).
	PickupPointAddress string
	ReadyAt            *time.Time // when WB put it out for collection
	PickupCode         string     // what the seller sent; never shown to other sellers

	// The seller's before-arrival choices (manual §4.1).
	NeedsVerification  bool
	PhotoVideoRequired bool

	// The warehouse's side.
	Status            Status
	TrackingNumber    string
	ReceivedAt        *time.Time // "Receipt Date by IndigoWarehouse"
	DefectAfterCheck  *bool      // nil until inspected
	InspectionComment string
	Decision          Decision // "" until the seller decides
	Attachments       []*Attachment

	Version   int64 // bumped on every change; guards buttons from old messages
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Tab is the manual's tab the return is listed under.
func (r *Return) Tab() Tab { return TabOf(r.Status) }

// AwaitsCollection reports whether the seller's pickup code is with the
// warehouse for a return still at its pickup point: the return waits for
// the warehouse to collect it, no longer for the seller.
//
// It is read from stored data, not a status of the lifecycle: sending the
// code moves nothing (the item stays at the point until pick_up, which
// the lifecycle takes from awaiting_pickup_code either way), a corrected
// code would need a transition back, and the manual and WB know no such
// status. The reminders already tell the two apart by the code
// (storage/reminders.go).
func (r *Return) AwaitsCollection() bool {
	return r.Status == StatusAwaitingPickupCode && r.PickupCode != ""
}

// StatusLabel is the locales id that names the return's status for
// people: the status's own label, or "awaiting collection" once the
// pickup code is with the warehouse.
func (r *Return) StatusLabel() string {
	if r.AwaitsCollection() {
		return "label.awaiting_collection"
	}
	return "status." + string(r.Status)
}

// Transition is one recorded status change: the return's history.
type Transition struct {
	ReturnID int64
	Event    Event
	From     Status
	To       Status
	Actor    Actor
	Note     string
	At       time.Time
}

// ReturnFilter selects returns. Nil fields do not filter. A seller acting in
// the context only ever sees their own stores, whatever the filter says.
type ReturnFilter struct {
	ID           *int64
	SellerID     *int64
	StoreID      *int64
	Tab          *Tab
	Status       *Status
	Defective    *bool
	Search       *string    // product, vendor code, barcode or return number
	RequestFrom  *time.Time // inclusive
	RequestUntil *time.Time // exclusive
	ReturnNumber *string
	SrID         *string
	NmID         *int64

	Offset int
	Limit  int // 0 means no limit
	// CountUpTo bounds the total FindReturns counts: a large seller's
	// table says "more than n" rather than count every row. 0 counts all.
	CountUpTo int
}

// ReturnUpdate changes fields that are not the status. Nil fields are kept.
type ReturnUpdate struct {
	ProductName        *string
	VendorCode         *string
	Barcode            *string
	Subject            *string
	PhotoURL           *string
	Defective          *bool
	PriceRUB           *int64
	PriceCNY           *int64
	PriceSource        *PriceSource // set with the price it describes
	PickupPointAddress *string
	ReadyAt            *time.Time
	PickupCode         *string
	NeedsVerification  *bool
	PhotoVideoRequired *bool
	TrackingNumber     *string
	ReceivedAt         *time.Time
	DefectAfterCheck   *bool
	InspectionComment  *string
}

// ReturnChange is a status transition with the fields that go with it,
// applied atomically: the decision, the receipt date, the inspection result.
type ReturnChange struct {
	Event    Event
	Update   ReturnUpdate
	Decision Decision // set with the decide_* events
	Note     string   // free text for the history, e.g. a staff comment
}

// Summary is one tab's card on the main page: count and sums. The sums
// add up the priced returns only; Priced and Estimated say how many of
// Count that is and how many of those are the seller's price, not a buyer's.
type Summary struct {
	Tab       Tab
	Count     int
	PriceRUB  int64
	PriceCNY  int64
	Priced    int
	Estimated int
}

// ReturnService stores returns and moves them through the lifecycle.
type ReturnService interface {
	FindReturnByID(ctx context.Context, id int64) (*Return, error)
	FindReturns(ctx context.Context, f ReturnFilter) ([]*Return, int, error)
	CreateReturn(ctx context.Context, r *Return) error
	UpdateReturn(ctx context.Context, id int64, upd ReturnUpdate) (*Return, error)
	// ApplyEvent moves the return through the lifecycle and records who did it.
	ApplyEvent(ctx context.Context, id int64, ch ReturnChange) (*Return, error)
	// SyncReturn records what the marketplace says about a return: it creates
	// the return (in r.Status, telling the seller) or refreshes the
	// marketplace's fields of the one with the same claim id or srid. It
	// never changes the status of an existing return: that is ApplyEvent's job.
	SyncReturn(ctx context.Context, r *Return) (created bool, err error)
	FindTransitions(ctx context.Context, returnID int64) ([]*Transition, error)
	Summarize(ctx context.Context, f ReturnFilter) ([]Summary, error)
}

// Check validates a change against the return's current state and owner
// before it is applied, and returns the status it leads to. Rules beyond the
// lifecycle table live here so every channel enforces the same ones.
func (r *Return) Check(ctx context.Context, ch ReturnChange, owner *Seller) (Status, error) {
	next, err := r.Status.Next(ctx, ch.Event)
	if err != nil {
		if r.Decision != "" && TabOf(r.Status) != TabPendingDecision {
			return r.Status, &Error{Code: CodeConflict, MsgID: "error.return.decision_final", Err: err}
		}
		return r.Status, err
	}
	switch ch.Event {
	case EventDecideSell, EventDecideReturnToSeller, EventDecideDispose:
		if ch.Decision == "" || DecisionEvent(ch.Decision) != ch.Event {
			return r.Status, Errorf(CodeInvalid, "error.return.unknown_decision", map[string]any{"Decision": string(ch.Decision)})
		}
		if ch.Decision == DecisionReturnToSeller && (owner == nil || !owner.ProfileComplete()) {
			return r.Status, Errorf(CodeInvalid, "error.return.profile_incomplete", nil)
		}
	}
	return next, nil
}

// CheckBeforeArrival refuses before-arrival choices (needs verification,
// photo/video required) once the item has reached the warehouse.
func (r *Return) CheckBeforeArrival(upd ReturnUpdate) error {
	if upd.NeedsVerification == nil && upd.PhotoVideoRequired == nil {
		return nil
	}
	if r.Tab() != TabInTransit {
		return Errorf(CodeConflict, "error.return.already_arrived", nil)
	}
	return nil
}
