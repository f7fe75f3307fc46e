package domain

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
)

// Status is where a return is in its life (manual §4: the "Status" column).
type Status string

// Statuses, in the order a return lives.
const (
	StatusAwaitingReceiptAtWB      Status = "awaiting_receipt_at_wb"      // buyer's return is on its way inside WB
	StatusAwaitingPickupCode       Status = "awaiting_pickup_code"        // ready at a WB pickup point; needs the seller's code
	StatusInTransitToWarehouse     Status = "in_transit_to_warehouse"     // collected by the warehouse, on the road
	StatusAwaitingVerification     Status = "awaiting_verification"       // at the warehouse, inspection requested
	StatusAwaitingSellerDecision   Status = "awaiting_seller_decision"    // received (and inspected when asked)
	StatusAwaitingTransferToSale   Status = "awaiting_transfer_to_sale"   // seller chose Sell on WB
	StatusAwaitingShipmentToSeller Status = "awaiting_shipment_to_seller" // seller chose Return to seller
	StatusAwaitingDisposal         Status = "awaiting_disposal"           // seller chose Dispose
	StatusTransferredToSale        Status = "transferred_to_sale"         // final: on sale via FBS
	StatusSentToSeller             Status = "sent_to_seller"              // final: shipped to the seller's country
	StatusDisposed                 Status = "disposed"                    // final: utilised
	// final: nobody collected it from the pickup point within WB's seven
	// days, so WB took it back and charged the trip
	StatusPickupExpired Status = "pickup_expired"
)

// Event moves a return from one status to the next.
type Event string

// Events, in the order a return lives.
const (
	EventArriveAtPickupPoint  Event = "arrive_at_pickup_point"
	EventPickUp               Event = "pick_up"
	EventExpireAtPickupPoint  Event = "expire_at_pickup_point" // WB's seven days passed
	EventReceive              Event = "receive"                // straight to the seller's decision
	EventReceiveForInspection Event = "receive_for_inspection" // the seller asked for verification
	EventInspect              Event = "inspect"
	EventRequestInspection    Event = "request_inspection" // manual §4.3 button No. 2
	EventDecideSell           Event = "decide_sell"
	EventDecideReturnToSeller Event = "decide_return_to_seller"
	EventDecideDispose        Event = "decide_dispose"
	EventReopenDecision       Event = "reopen_decision" // a decision made for the seller, undone
	EventTransferToSale       Event = "transfer_to_sale"
	EventShipToSeller         Event = "ship_to_seller"
	EventDispose              Event = "dispose"
)

// lifecycle is THE return lifecycle: every legal transition, top to bottom in
// the order a return lives. Anything not listed here is illegal.
var lifecycle = fsm.Events{
	{Name: string(EventArriveAtPickupPoint), Src: []string{string(StatusAwaitingReceiptAtWB)}, Dst: string(StatusAwaitingPickupCode)},
	{Name: string(EventPickUp), Src: []string{string(StatusAwaitingReceiptAtWB), string(StatusAwaitingPickupCode)}, Dst: string(StatusInTransitToWarehouse)},
	{Name: string(EventExpireAtPickupPoint), Src: []string{string(StatusAwaitingPickupCode)}, Dst: string(StatusPickupExpired)},
	{Name: string(EventReceive), Src: []string{string(StatusInTransitToWarehouse)}, Dst: string(StatusAwaitingSellerDecision)},
	{Name: string(EventReceiveForInspection), Src: []string{string(StatusInTransitToWarehouse)}, Dst: string(StatusAwaitingVerification)},
	{Name: string(EventInspect), Src: []string{string(StatusAwaitingVerification)}, Dst: string(StatusAwaitingSellerDecision)},
	{Name: string(EventRequestInspection), Src: []string{string(StatusAwaitingSellerDecision)}, Dst: string(StatusAwaitingVerification)},
	{Name: string(EventDecideSell), Src: []string{string(StatusAwaitingSellerDecision)}, Dst: string(StatusAwaitingTransferToSale)},
	{Name: string(EventDecideReturnToSeller), Src: []string{string(StatusAwaitingSellerDecision)}, Dst: string(StatusAwaitingShipmentToSeller)},
	{Name: string(EventDecideDispose), Src: []string{string(StatusAwaitingSellerDecision)}, Dst: string(StatusAwaitingDisposal)},
	{Name: string(EventReopenDecision), Src: []string{string(StatusAwaitingTransferToSale), string(StatusAwaitingShipmentToSeller), string(StatusAwaitingDisposal)}, Dst: string(StatusAwaitingSellerDecision)},
	{Name: string(EventTransferToSale), Src: []string{string(StatusAwaitingTransferToSale)}, Dst: string(StatusTransferredToSale)},
	{Name: string(EventShipToSeller), Src: []string{string(StatusAwaitingShipmentToSeller)}, Dst: string(StatusSentToSeller)},
	{Name: string(EventDispose), Src: []string{string(StatusAwaitingDisposal)}, Dst: string(StatusDisposed)},
}

// Tab is one of the four tables of the manual's main page.
type Tab string

// Tabs, in the order the manual shows them.
const (
	TabInTransit       Tab = "in_transit"
	TabProcessing      Tab = "processing"
	TabPendingDecision Tab = "pending_decision"
	TabCompleted       Tab = "completed"
)

var tabOf = map[Status]Tab{
	StatusAwaitingReceiptAtWB:      TabInTransit,
	StatusAwaitingPickupCode:       TabInTransit,
	StatusInTransitToWarehouse:     TabInTransit,
	StatusAwaitingVerification:     TabProcessing,
	StatusAwaitingTransferToSale:   TabProcessing,
	StatusAwaitingShipmentToSeller: TabProcessing,
	StatusAwaitingDisposal:         TabProcessing,
	StatusAwaitingSellerDecision:   TabPendingDecision,
	StatusTransferredToSale:        TabCompleted,
	StatusSentToSeller:             TabCompleted,
	StatusDisposed:                 TabCompleted,
	StatusPickupExpired:            TabCompleted,
}

// TabOf returns the tab a status is listed under.
func TabOf(s Status) Tab { return tabOf[s] }

// StatusesOf returns the statuses listed under a tab, in lifecycle order.
func StatusesOf(t Tab) []Status {
	var out []Status
	for _, s := range AllStatuses() {
		if tabOf[s] == t {
			out = append(out, s)
		}
	}
	return out
}

// AllStatuses lists every status in lifecycle order.
func AllStatuses() []Status {
	return []Status{
		StatusAwaitingReceiptAtWB, StatusAwaitingPickupCode, StatusInTransitToWarehouse,
		StatusAwaitingVerification, StatusAwaitingSellerDecision,
		StatusAwaitingTransferToSale, StatusAwaitingShipmentToSeller, StatusAwaitingDisposal,
		StatusTransferredToSale, StatusSentToSeller, StatusDisposed, StatusPickupExpired,
	}
}

// AllEvents lists every event in lifecycle order.
func AllEvents() []Event {
	out := make([]Event, len(lifecycle))
	for i, e := range lifecycle {
		out[i] = Event(e.Name)
	}
	return out
}

// AllTabs lists the four tabs in the manual's order.
func AllTabs() []Tab {
	return []Tab{TabInTransit, TabProcessing, TabPendingDecision, TabCompleted}
}

// ParseStatus validates a status name.
func ParseStatus(s string) (Status, error) {
	if _, ok := tabOf[Status(s)]; ok {
		return Status(s), nil
	}
	return "", Errorf(CodeInvalid, "error.return.unknown_status", map[string]any{"Status": s})
}

// ParseTab validates a tab name.
func ParseTab(s string) (Tab, error) {
	for _, t := range AllTabs() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.return.unknown_tab", map[string]any{"Tab": s})
}

// ParseEvent validates an event name.
func ParseEvent(s string) (Event, error) {
	for _, e := range AllEvents() {
		if string(e) == s {
			return e, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.return.unknown_event", map[string]any{"Event": s})
}

// IsFinal reports whether nothing can happen to a return after this status.
func (s Status) IsFinal() bool { return TabOf(s) == TabCompleted }

// Next returns the status an event leads to from s, or a conflict error
// when the lifecycle has no such transition.
func (s Status) Next(ctx context.Context, ev Event) (Status, error) {
	next, err := nextState(ctx, lifecycle, string(s), string(ev), "error.return.illegal_transition", "event")
	return Status(next), err
}

// nextState moves a lifecycle table's machine, rebuilt at state, by one
// event; an event the table does not allow from there is a conflict with
// the message msgID. The return's and the shelf unit's lifecycles share it.
func nextState(ctx context.Context, table fsm.Events, state, ev, msgID, what string) (string, error) {
	m := fsm.NewFSM(state, table, nil)
	if err := m.Event(ctx, ev); err != nil {
		var invalid fsm.InvalidEventError
		var unknown fsm.UnknownEventError
		if errors.As(err, &invalid) || errors.As(err, &unknown) {
			return state, &Error{
				Code:  CodeConflict,
				MsgID: msgID,
				Data:  map[string]any{"Event": ev, "Status": state},
				Err:   fmt.Errorf("%s %s from %s: %w", what, ev, state, err),
			}
		}
		return state, fmt.Errorf("%s %s from %s: %w", what, ev, state, err)
	}
	return m.Current(), nil
}

// LifecycleFSM returns a fresh machine at the first status, for diagrams.
func LifecycleFSM() *fsm.FSM {
	return fsm.NewFSM(string(StatusAwaitingReceiptAtWB), lifecycle, nil)
}

// DecisionEvent is the event that records a seller's decision.
func DecisionEvent(d Decision) Event {
	switch d {
	case DecisionSellOnWB:
		return EventDecideSell
	case DecisionReturnToSeller:
		return EventDecideReturnToSeller
	default:
		return EventDecideDispose
	}
}

// ReceiveEvent is the receipt event that honours the seller's before-arrival
// choice: a return marked "needs verification" goes to inspection first.
func ReceiveEvent(r *Return) Event {
	if r.NeedsVerification || r.PhotoVideoRequired {
		return EventReceiveForInspection
	}
	return EventReceive
}
