package storage

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// ApplyUnitEvent moves a unit through its lifecycle: it locks the row,
// checks the event against the table and the actor, writes the new status
// with the event's facts, records the transition, and queues what the
// seller and staff must hear, all in one transaction.
func (us *UnitService) ApplyUnitEvent(ctx context.Context, id int64, ch domain.UnitChange) (_ *domain.Unit, err error) {
	defer wrap(&err, "apply %s to unit %d", ch.Event, id)
	actor, ok := domain.ActorFromContext(ctx)
	if !ok {
		return nil, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("no actor in context")}
	}
	if !domain.UnitEventAllowed(ch.Event, actor) {
		return nil, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden",
			Err: errors.New(string(actor.Kind) + " may not " + string(ch.Event))}
	}
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		cur, err := us.findUnit(ctx, tx, domain.UnitFilter{ID: &id}, "FOR UPDATE OF u")
		if err != nil {
			return err
		}
		return us.apply(ctx, tx, cur, ch)
	})
	if err != nil {
		return nil, err
	}
	return us.FindUnitByID(ctx, id)
}

// apply is ApplyUnitEvent on a unit the caller locked, in its transaction.
func (us *UnitService) apply(ctx context.Context, tx pgx.Tx, cur *domain.Unit, ch domain.UnitChange) error {
	next, err := cur.Status.Next(ctx, ch.Event)
	if err != nil {
		return err
	}
	var orderID int64
	if cur.Order != nil {
		orderID = cur.Order.ID
	}
	// One statement: the table's check ties the order to the status.
	set, args := "", []any{cur.ID, next}
	switch ch.Event {
	case domain.UnitEventOrder:
		if ch.Order == nil {
			return domain.Errorf(domain.CodeInvalid, "error.invalid", nil)
		}
		o := ch.Order
		orderID = o.ID
		set = `, order_id = $3, order_rid = $4, ordered_at = $5, order_b2b = $6, cargo_type = $7,
			order_price = $8, order_currency = $9`
		args = append(args, o.ID, o.RID, o.CreatedAt, o.B2B, o.CargoType, o.Price, o.Currency)
	case domain.UnitEventCancel:
		// Back on the shelf: nothing of the cancelled order stays on it.
		set = `, order_id = NULL, order_rid = '', ordered_at = NULL, order_b2b = false, cargo_type = 0,
			order_price = 0, order_currency = 0, supply_id = NULL, in_supply = false, sticker = '',
			staff_told_at = NULL`
	case domain.UnitEventSell:
		set, args = `, sold_price = order_price, sold_currency = order_currency, sold_at = $3`, append(args, us.db.Now())
	}
	if _, err := tx.Exec(ctx, `UPDATE shelf_units SET status = $2, version = version + 1, updated_at = now()`+set+`
		WHERE id = $1`, args...); err != nil {
		return err
	}
	if err := us.record(ctx, tx, cur.ID, ch.Event, cur.Status, next, orderID, ch.Note); err != nil {
		return err
	}
	if err := us.tell(ctx, tx, cur, ch.Event); err != nil {
		return err
	}
	if ch.Event == domain.UnitEventSell { // billed with the sale (ledger.go)
		if err := us.db.chargeResale(ctx, tx, cur); err != nil {
			return err
		}
	}
	if cur.Status.OnShelf() == next.OnShelf() {
		return nil
	}
	// What the shelf offers changed: the WB stock must follow. The loop's
	// own events are followed within its turn; others make the store due.
	if a, _ := domain.ActorFromContext(ctx); a.Kind == domain.ActorSystem {
		_, err := tx.Exec(ctx, `UPDATE resale_stores SET stock_dirty = true WHERE store_id = $1`, cur.StoreID)
		return err
	}
	return us.touchResaleStore(ctx, tx, cur.StoreID, true)
}

// tell queues, in the transaction of the event, what the seller hears and
// what staff must do about it.
func (us *UnitService) tell(ctx context.Context, tx pgx.Tx, u *domain.Unit, ev domain.UnitEvent) error {
	if kind, ok := domain.UnitNotification(ev); ok {
		data := map[string]any{"Shelf": u.ShelfPlace}
		if u.Order != nil {
			data["Price"], data["Currency"] = u.Order.Price, u.Order.Currency
		}
		if err := insertNotification(ctx, tx, &domain.Notification{SellerID: u.SellerID, Kind: kind,
			ReturnID: &u.ReturnID, StoreID: &u.StoreID, Data: data}); err != nil {
			return err
		}
	}
	if !domain.UnitTellsStaff(ev) {
		return nil
	}
	task := map[domain.UnitEvent]domain.ResaleTask{domain.UnitEventCancel: domain.ResaleUnpick,
		domain.UnitEventRefuse: domain.ResaleRefused, domain.UnitEventWithdraw: domain.ResaleWithdraw}[ev]
	return queueResaleRelay(ctx, tx, u.SellerID, &u.ReturnID, string(task), nil)
}

// queueResaleRelay queues a resale task for staff in the seller's topic.
func queueResaleRelay(ctx context.Context, tx pgx.Tx, sellerID int64, returnID *int64, text string, files []*domain.RelayFile) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO support_relays (seller_id, kind, text, return_id)
		VALUES ($1, 'resale', $2, $3) RETURNING id`, sellerID, text, returnID).Scan(&id); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := tx.Exec(ctx, `INSERT INTO support_relay_files (relay_id, kind, file_name, content_type, data)
			VALUES ($1, $2, $3, $4, $5)`, id, f.Kind, f.Name, f.ContentType, f.Data); err != nil {
			return err
		}
	}
	return nil
}
