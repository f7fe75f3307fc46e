package resale

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// followStatuses reads WB's statuses of the orders holding units and moves
// each unit as WB says: sold when the buyer received it, back on the shelf
// when the order was cancelled before the unit left, refused when it was
// cancelled or refused after (the item then comes back as a return).
func (t *turn) followStatuses(ctx context.Context) error {
	units, err := t.l.Ledger.FindUnits(ctx, domain.UnitFilter{StoreID: ptr(t.storeID()),
		Statuses: []domain.UnitStatus{domain.UnitOrdered, domain.UnitPacked, domain.UnitHandedOver}})
	if err != nil || len(units) == 0 {
		return err
	}
	byOrder := make(map[int64]*domain.Unit, len(units))
	ids := make([]int64, 0, len(units))
	for _, u := range units {
		byOrder[u.Order.ID] = u
		ids = append(ids, u.Order.ID)
	}
	statuses, err := t.l.WB.OrderStatuses(ctx, t.token(), ids)
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("store %d order statuses: %w", t.storeID(), err))
	}
	for _, st := range statuses {
		if u := byOrder[st.ID]; u != nil {
			errs = append(errs, t.follow(ctx, u, st))
		}
	}
	return errors.Join(errs...)
}

// follow applies the events that take a unit to where WB's status says it
// is, one at a time: an order WB closed by its own scan, which staff never
// marked packed or handed over, goes through those steps first.
func (t *turn) follow(ctx context.Context, u *domain.Unit, st wb.OrderStatus) error {
	note := "WB: " + st.SupplierStatus + "/" + st.WBStatus
	for _, ev := range eventsFor(u.Status, st) {
		next, err := t.l.Ledger.ApplyUnitEvent(ctx, u.ID, domain.UnitChange{Event: ev, Note: note})
		if err != nil {
			return fmt.Errorf("store %d unit %d: %w", t.storeID(), u.ID, err)
		}
		u = next
		t.moved++
	}
	return nil
}

// eventsFor lists the unit events from status that WB's status calls for.
func eventsFor(status domain.UnitStatus, st wb.OrderStatus) []domain.UnitEvent {
	handedOver := st.SupplierStatus == "complete" || st.Sold()
	switch {
	case st.Cancelled() && status == domain.UnitHandedOver:
		return []domain.UnitEvent{domain.UnitEventRefuse}
	case st.Cancelled() && handedOver && status != domain.UnitHandedOver:
		return append(catchUp(status), domain.UnitEventRefuse)
	case st.Cancelled():
		return []domain.UnitEvent{domain.UnitEventCancel}
	case st.Sold():
		return append(catchUp(status), domain.UnitEventSell)
	case handedOver:
		return catchUp(status)
	}
	return nil
}

// catchUp is how a unit reaches handed over from where it is.
func catchUp(status domain.UnitStatus) []domain.UnitEvent {
	switch status {
	case domain.UnitOrdered:
		return []domain.UnitEvent{domain.UnitEventPack, domain.UnitEventHandOver}
	case domain.UnitPacked:
		return []domain.UnitEvent{domain.UnitEventHandOver}
	}
	return nil
}

// passEnd reads a pass's dateEnd ("2022-07-31 17:53:13+00:00").
func passEnd(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04:05-07:00", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
