package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// StockPlan says what the WB stock of the store should be per size: the
// units on the shelf and free (shelved or listed), as absolute amounts.
// Only lines that differ from what was last set, or that would list a
// shelved unit, come back, unless all is set: WB lowers the stock itself
// when a buyer orders, and setting an unchanged amount again would write
// over that before the order is matched.
func (us *UnitService) StockPlan(ctx context.Context, storeID int64, all bool) (_ []domain.StockLine, err error) {
	defer wrap(&err, "plan the stock of store %d", storeID)
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := us.db.q(ctx).Query(ctx, `WITH shelf AS (
			SELECT chrt_id, count(*) AS want,
				coalesce(array_agg(id ORDER BY id) FILTER (WHERE status = 'shelved'), '{}') AS shelved
			FROM shelf_units WHERE store_id = $1 AND chrt_id <> 0 AND status IN ('shelved', 'listed')
			GROUP BY chrt_id),
		pushed AS (SELECT chrt_id, amount FROM resale_stocks WHERE store_id = $1)
		SELECT chrt_id, coalesce(shelf.want, 0), coalesce(shelf.shelved, '{}')
		FROM shelf FULL JOIN pushed USING (chrt_id)
		WHERE $2 OR pushed.amount IS NULL OR pushed.amount <> coalesce(shelf.want, 0)
			OR cardinality(shelf.shelved) > 0
		ORDER BY chrt_id`, storeID, all)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.StockLine, error) {
		var l domain.StockLine
		var chrt int64
		err := r.Scan(&chrt, &l.Amount, &l.Shelved)
		l.ChrtID = uint64(chrt)
		return l, err
	})
}

// RecordStock records what WB read back after the stock was set per line,
// and lists the shelved units the lines counted: they are on sale now, so
// their returns reach Transferred to Sale.
func (us *UnitService) RecordStock(ctx context.Context, storeID int64, lines []domain.StockLine, readBack map[uint64]int, at time.Time) (listed int, err error) {
	defer wrap(&err, "record the stock of store %d", storeID)
	if err := systemOnly(ctx); err != nil {
		return 0, err
	}
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		listed = 0
		for _, l := range lines {
			amount, ok := readBack[l.ChrtID]
			if !ok {
				amount = l.Amount
			}
			if _, err := tx.Exec(ctx, `INSERT INTO resale_stocks (store_id, chrt_id, amount, set_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (store_id, chrt_id) DO UPDATE SET amount = $3, set_at = $4`,
				storeID, int64(l.ChrtID), amount, at); err != nil {
				return err
			}
			for _, id := range l.Shelved {
				ok, err := us.list(ctx, tx, id)
				if err != nil {
					return err
				}
				if ok {
					listed++
				}
			}
		}
		return nil
	})
	return listed, err
}

// list moves a shelved unit to listed and its return to Transferred to
// Sale, which tells the seller; a unit listed meanwhile is left alone.
func (us *UnitService) list(ctx context.Context, tx pgx.Tx, id int64) (bool, error) {
	u, err := us.findUnit(ctx, tx, domain.UnitFilter{ID: &id}, "FOR UPDATE OF u")
	if err != nil || u.Status != domain.UnitShelved {
		return false, err
	}
	if err := us.apply(ctx, tx, u, domain.UnitChange{Event: domain.UnitEventList, Note: "in the WB stock"}); err != nil {
		return false, err
	}
	_, err = NewReturnService(us.db).ApplyEvent(ctx, u.ReturnID, domain.ReturnChange{
		Event: domain.EventTransferToSale, Note: "shelf " + u.ShelfPlace})
	return true, err
}

// MatchOrder gives a buyer's new order the oldest free unit of its size at
// the store, and reports whether it did now. An order matched before
// returns its unit and false; an order no unit is free for returns nil.
func (us *UnitService) MatchOrder(ctx context.Context, storeID int64, chrt uint64, o domain.UnitOrder) (_ *domain.Unit, matched bool, err error) {
	defer wrap(&err, "match order %d at store %d", o.ID, storeID)
	if err := systemOnly(ctx); err != nil {
		return nil, false, err
	}
	var u *domain.Unit
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		matched, u = false, nil
		prev, err := us.findUnit(ctx, tx, domain.UnitFilter{OrderID: &o.ID}, "")
		if err == nil {
			u = prev
			return nil
		} else if domain.ErrorCode(err) != domain.CodeNotFound {
			return err
		}
		var id int64
		// A shelved unit of the size counts too: the stock that sold it was
		// set, and only the crash before recording it kept it shelved.
		err = tx.QueryRow(ctx, `SELECT id FROM shelf_units
			WHERE store_id = $1 AND chrt_id = $2 AND status IN ('listed', 'shelved')
			ORDER BY status = 'listed' DESC, id LIMIT 1 FOR UPDATE`, storeID, int64(chrt)).Scan(&id)
		if errNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := us.list(ctx, tx, id); err != nil {
			return err
		}
		cur, err := us.findUnit(ctx, tx, domain.UnitFilter{ID: &id}, "FOR UPDATE OF u")
		if err != nil {
			return err
		}
		if err := us.apply(ctx, tx, cur, domain.UnitChange{Event: domain.UnitEventOrder, Order: &o}); err != nil {
			return err
		}
		matched = true
		u, err = us.findUnit(ctx, tx, domain.UnitFilter{ID: &id}, "")
		return err
	})
	return u, matched, err
}

// NoUnitForOrder tells staff, once per order, that an order came for a
// size with no unit free on the store's shelf: the loop cancels it on WB.
func (us *UnitService) NoUnitForOrder(ctx context.Context, storeID int64, orderID int64, chrt uint64) (err error) {
	defer wrap(&err, "no unit for order %d", orderID)
	return us.storeRelay(ctx, storeID, domain.ResaleNoUnit.Text(orderID, chrt), true)
}
