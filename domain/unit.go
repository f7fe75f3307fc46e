package domain

import (
	"context"

	"github.com/looplab/fsm"
)

// A shelf unit is one resold item on Indigo's shelf (manual §6): a return
// the seller decided to sell on WB, put on a shelf place by staff, listed
// in the seller's FBS warehouse, ordered by a buyer, packed, handed over to
// WB and sold. Its lifecycle is its own, beside the return's: the return
// ends at "Transferred to Sale" once its unit is live on WB.

// UnitStatus is where a shelf unit is.
type UnitStatus string

// Unit statuses, in the order a unit lives.
const (
	UnitShelved    UnitStatus = "shelved"     // on the shelf, not yet in the WB stock
	UnitListed     UnitStatus = "listed"      // in the WB stock: a buyer can order it
	UnitOrdered    UnitStatus = "ordered"     // a buyer's order holds it: staff pick it
	UnitPacked     UnitStatus = "packed"      // picked, labelled and packed in its supply
	UnitHandedOver UnitStatus = "handed_over" // its supply went to WB
	UnitSold       UnitStatus = "sold"        // final: the buyer received it
	UnitRefused    UnitStatus = "refused"     // final: cancelled after hand-over; it comes back as a return
	UnitWithdrawn  UnitStatus = "withdrawn"   // final: the seller took it off sale
)

// UnitEvent moves a unit from one status to the next.
type UnitEvent string

// Unit events, in the order a unit lives.
const (
	// UnitEventShelve records a unit's creation in its history; it is no
	// transition of the table, as a return's creation is none of its own.
	UnitEventShelve UnitEvent = "shelve"

	UnitEventList     UnitEvent = "list"      // the WB stock counts it
	UnitEventOrder    UnitEvent = "order"     // a buyer's new order was matched to it
	UnitEventPack     UnitEvent = "pack"      // staff packed it
	UnitEventHandOver UnitEvent = "hand_over" // its supply was delivered to WB
	UnitEventSell     UnitEvent = "sell"      // WB says the buyer received it
	UnitEventCancel   UnitEvent = "cancel"    // the order was cancelled before the unit left: back on the shelf
	UnitEventRefuse   UnitEvent = "refuse"    // the order was cancelled or refused after hand-over
	UnitEventWithdraw UnitEvent = "withdraw"  // the seller took it off sale
)

// unitLifecycle is THE shelf unit lifecycle: every legal transition, top to
// bottom in the order a unit lives. Anything not listed here is illegal.
var unitLifecycle = fsm.Events{
	{Name: string(UnitEventList), Src: []string{string(UnitShelved)}, Dst: string(UnitListed)},
	{Name: string(UnitEventOrder), Src: []string{string(UnitListed)}, Dst: string(UnitOrdered)},
	{Name: string(UnitEventPack), Src: []string{string(UnitOrdered)}, Dst: string(UnitPacked)},
	{Name: string(UnitEventHandOver), Src: []string{string(UnitPacked)}, Dst: string(UnitHandedOver)},
	{Name: string(UnitEventSell), Src: []string{string(UnitHandedOver)}, Dst: string(UnitSold)},
	{Name: string(UnitEventCancel), Src: []string{string(UnitOrdered), string(UnitPacked)}, Dst: string(UnitListed)},
	{Name: string(UnitEventRefuse), Src: []string{string(UnitHandedOver)}, Dst: string(UnitRefused)},
	{Name: string(UnitEventWithdraw), Src: []string{string(UnitListed)}, Dst: string(UnitWithdrawn)},
}

// AllUnitStatuses lists every unit status in lifecycle order.
func AllUnitStatuses() []UnitStatus {
	return []UnitStatus{UnitShelved, UnitListed, UnitOrdered, UnitPacked, UnitHandedOver,
		UnitSold, UnitRefused, UnitWithdrawn}
}

// AllUnitEvents lists every unit event in lifecycle order.
func AllUnitEvents() []UnitEvent {
	out := make([]UnitEvent, len(unitLifecycle))
	for i, e := range unitLifecycle {
		out[i] = UnitEvent(e.Name)
	}
	return out
}

// ParseUnitStatus validates a unit status name.
func ParseUnitStatus(s string) (UnitStatus, error) {
	for _, v := range AllUnitStatuses() {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.unit.unknown_status", map[string]any{"Status": s})
}

// IsFinal reports whether nothing can happen to a unit after this status.
func (s UnitStatus) IsFinal() bool {
	return s == UnitSold || s == UnitRefused || s == UnitWithdrawn
}

// OnShelf reports whether a unit in this status is physically on Indigo's
// shelf and free for a buyer: what the WB stock may count.
func (s UnitStatus) OnShelf() bool { return s == UnitShelved || s == UnitListed }

// InOrder reports whether a buyer's order holds the unit, so WB's
// statuses of that order are followed.
func (s UnitStatus) InOrder() bool {
	return s == UnitOrdered || s == UnitPacked || s == UnitHandedOver
}

// Next returns the status an event leads to from s, or a conflict error
// when the lifecycle has no such transition.
func (s UnitStatus) Next(ctx context.Context, ev UnitEvent) (UnitStatus, error) {
	next, err := nextState(ctx, unitLifecycle, string(s), string(ev), "error.unit.illegal_transition", "unit event")
	return UnitStatus(next), err
}

// UnitLifecycleFSM returns a fresh machine at the first status, for diagrams.
func UnitLifecycleFSM() *fsm.FSM {
	return fsm.NewFSM(string(UnitShelved), unitLifecycle, nil)
}

// UnitNotification says what the seller hears when a unit event happens;
// events the seller need not hear about return false. Listing is told by
// the return reaching Transferred to Sale.
func UnitNotification(ev UnitEvent) (NotificationKind, bool) {
	kind, ok := map[UnitEvent]NotificationKind{
		UnitEventSell:   NotifyResaleSold,
		UnitEventCancel: NotifyResaleCancelled,
		UnitEventRefuse: NotifyResaleRefused,
	}[ev]
	return kind, ok
}

// UnitTellsStaff reports whether staff must act when the event happens:
// put a unit back on its shelf place, or take it off the shelf. The buyer's
// order itself reaches staff with its sticker, once WB has one.
func UnitTellsStaff(ev UnitEvent) bool {
	return ev == UnitEventCancel || ev == UnitEventRefuse || ev == UnitEventWithdraw
}

// UnitEventAllowed says who may cause an event: a seller only withdraws
// their unit, staff pack units and withdraw them for a seller, and the
// resale loop does the rest as WB reports it, packing too when WB's scan
// closed a supply that staff never marked.
func UnitEventAllowed(ev UnitEvent, a Actor) bool {
	switch a.Kind {
	case ActorSeller:
		return ev == UnitEventWithdraw
	case ActorStaff:
		return ev == UnitEventPack || ev == UnitEventWithdraw
	case ActorSystem:
		return true
	}
	return false
}
