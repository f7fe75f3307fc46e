package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// resale.go: the resale loop's steps on the shelf (package wb/resale runs
// them). Each is one transaction, called after the WB call it records, so
// no transaction waits on WB; each can be repeated after a crash without
// doing its work twice.

// LeaseResaleStores takes up to limit stores whose resale turn is due and
// that have units to look after, or a stock to bring down to an empty
// shelf, most overdue first. SKIP LOCKED lets
// replicas lease side by side; a lease outlives a crashed turn only until
// it ends.
func (us *UnitService) LeaseResaleStores(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []*domain.ResaleStore, err error) {
	defer wrap(&err, "lease resale stores")
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := us.db.q(ctx).Query(ctx, `UPDATE resale_stores r SET leased_until = $1::timestamptz + $2::interval,
		touched = false, stock_dirty = false
		FROM (SELECT r.store_id, r.stock_dirty,
				EXISTS (SELECT 1 FROM shelf_units u WHERE u.store_id = r.store_id AND u.status = 'shelved'
					AND u.chrt_id = 0 AND (u.size_checked_at IS NULL OR u.size_checked_at < $1::timestamptz - interval '1 day')) AS unsized,
				EXISTS (SELECT 1 FROM shelf_units u WHERE u.store_id = r.store_id AND u.status IN ('ordered', 'packed')
					AND (NOT u.in_supply OR u.staff_told_at IS NULL)) AS assembling,
				EXISTS (SELECT 1 FROM resale_supplies sp WHERE sp.store_id = r.store_id AND sp.state = 'handing_over') AS handing_over,
				EXISTS (SELECT 1 FROM shelf_units u WHERE u.store_id = r.store_id
					AND u.status IN ('ordered', 'packed', 'handed_over')) AS in_order,
				NOT r.invite_done AND (r.invite_reminded_at IS NULL
					OR r.invite_reminded_at < $1::timestamptz - interval '7 days') AS invite_due
			FROM resale_stores r JOIN stores s ON s.id = r.store_id
			WHERE r.due_at <= $1 AND (r.leased_until IS NULL OR r.leased_until <= $1)
			  AND s.active AND NOT s.token_rejected
			  AND (r.stock_dirty OR EXISTS (SELECT 1 FROM shelf_units u WHERE u.store_id = r.store_id
				AND u.status IN ('shelved', 'listed', 'ordered', 'packed', 'handed_over')))
			ORDER BY r.due_at LIMIT $3 FOR UPDATE OF r SKIP LOCKED) due
		WHERE r.store_id = due.store_id
		RETURNING r.store_id, r.warehouse_id, r.office_id, r.warehouse_name, r.blocked,
			r.statuses_due_at <= $1, r.reconcile_due_at <= $1,
			due.stock_dirty, due.unsized, due.assembling, due.handing_over, due.in_order, due.invite_due`, now, lease, limit)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.ResaleStore, error) {
		rs := &domain.ResaleStore{Store: &domain.Store{}}
		err := r.Scan(&rs.Store.ID, &rs.WarehouseID, &rs.OfficeID, &rs.WarehouseName, &rs.Blocked,
			&rs.StatusesDue, &rs.ReconcileDue, &rs.StockDirty, &rs.Unsized, &rs.Assembling, &rs.HandingOver, &rs.InOrder,
			&rs.InviteDue)
		return rs, err
	})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, rs := range list {
		ids[i] = rs.Store.ID
	}
	stores, err := NewStoreService(us.db).FindStores(ctx, domain.StoreFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*domain.Store, len(stores))
	for _, s := range stores {
		byID[s.ID] = s
	}
	out := list[:0]
	for _, rs := range list {
		if s, ok := byID[rs.Store.ID]; ok {
			rs.Store = s
			out = append(out, rs)
		}
	}
	return out, nil
}

// FinishResaleStores ends the leases of many stores' turns in one
// statement. A store touched during its turn stays due at once.
func (us *UnitService) FinishResaleStores(ctx context.Context, done []domain.ResaleDone) (err error) {
	defer wrap(&err, "finish %d resale turns", len(done))
	if err := systemOnly(ctx); err != nil {
		return err
	}
	n := len(done)
	ids, next, errs := make([]int64, n), make([]time.Time, n), make([]string, n)
	statuses, reconcile, dirty := make([]*time.Time, n), make([]*time.Time, n), make([]bool, n)
	for i, d := range done {
		ids[i], next[i], errs[i], statuses[i], reconcile[i] = d.StoreID, d.Next, errText(d.Err), d.StatusesAt, d.ReconcileAt
		dirty[i] = d.StockDirty
	}
	_, err = us.db.q(ctx).Exec(ctx, `UPDATE resale_stores r SET leased_until = NULL,
		due_at = CASE WHEN r.touched THEN least(d.next, $6) ELSE d.next END,
		statuses_due_at = coalesce(d.statuses_at, r.statuses_due_at),
		reconcile_due_at = coalesce(d.reconcile_at, r.reconcile_due_at),
		last_ok_at = CASE WHEN d.err = '' THEN $6 ELSE r.last_ok_at END, last_error = d.err,
		stock_dirty = r.stock_dirty OR d.dirty
		FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::text[], $7::boolean[])
			AS d(store_id, next, statuses_at, reconcile_at, err, dirty)
		WHERE r.store_id = d.store_id`, ids, next, statuses, reconcile, errs, us.db.Now(), dirty)
	return err
}

// SaveWarehouse records the store's FBS warehouse, made or found, and
// lifts a block: WB took the token after all.
func (us *UnitService) SaveWarehouse(ctx context.Context, storeID, warehouseID, officeID int64, name string) (err error) {
	defer wrap(&err, "save warehouse %d of store %d", warehouseID, storeID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		// Amounts set at another warehouse say nothing about this one.
		if _, err := tx.Exec(ctx, `DELETE FROM resale_stocks WHERE store_id = $1 AND EXISTS (SELECT 1
			FROM resale_stores WHERE store_id = $1 AND warehouse_id <> $2)`, storeID, warehouseID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE resale_stores SET warehouse_id = $2, office_id = $3,
			warehouse_name = $4, blocked = '', stock_dirty = true WHERE store_id = $1`, storeID, warehouseID, officeID, name)
		return err
	})
}

// BlockResale records why the store cannot sell on WB (a locales id; ""
// lifts the block). The seller and staff hear of a new reason once.
func (us *UnitService) BlockResale(ctx context.Context, storeID int64, reason string) (err error) {
	defer wrap(&err, "block resale of store %d", storeID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		var sellerID int64
		var name string
		err := tx.QueryRow(ctx, `UPDATE resale_stores r SET blocked = $2 FROM stores s
			WHERE r.store_id = $1 AND s.id = r.store_id AND r.blocked <> $2
			RETURNING s.seller_id, s.name`, storeID, reason).Scan(&sellerID, &name)
		if errNoRows(err) || reason == "" {
			return nil
		}
		if err != nil {
			return err
		}
		if err := insertNotification(ctx, tx, &domain.Notification{SellerID: sellerID, Kind: domain.NotifyResaleBlocked,
			StoreID: &storeID, Data: map[string]any{"Store": name, "Reason": reason}}); err != nil {
			return err
		}
		return queueResaleRelay(ctx, tx, sellerID, nil, domain.ResaleBlocked.Text(reason), nil)
	})
}

// SetUnitChrt records the size WB's card gives the units.
func (us *UnitService) SetUnitChrt(ctx context.Context, unitIDs []int64, chrt uint64) (err error) {
	defer wrap(&err, "set chrt %d of %d units", chrt, len(unitIDs))
	if err := systemOnly(ctx); err != nil {
		return err
	}
	_, err = us.db.q(ctx).Exec(ctx, `WITH sized AS (UPDATE shelf_units SET chrt_id = $2, version = version + 1,
			updated_at = now() WHERE id = ANY($1) AND chrt_id = 0 RETURNING store_id)
		UPDATE resale_stores SET stock_dirty = true WHERE store_id IN (SELECT store_id FROM sized)`, unitIDs, int64(chrt))
	return err
}

// NoSize records that WB's card has no size for the units' barcode, and
// tells staff the first time: the units stay shelved, not on sale.
func (us *UnitService) NoSize(ctx context.Context, unitIDs []int64) (err error) {
	defer wrap(&err, "no size for %d units", len(unitIDs))
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE shelf_units SET size_checked_at = now() WHERE id = ANY($1)
			RETURNING seller_id, return_id`, unitIDs)
		if err != nil {
			return err
		}
		type hit struct{ seller, ret int64 }
		hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hit, error) {
			var h hit
			err := r.Scan(&h.seller, &h.ret)
			return h, err
		})
		if err != nil {
			return err
		}
		for _, h := range hits {
			if err := queueResaleRelayOnce(ctx, tx, h.seller, &h.ret, domain.ResaleNoSize.Text()); err != nil {
				return err
			}
		}
		return nil
	})
}

// queueResaleRelayOnce queues a task unless the same one was queued for the
// same return before: a step repeated after a crash tells staff once.
func queueResaleRelayOnce(ctx context.Context, tx pgx.Tx, sellerID int64, returnID *int64, text string) error {
	var seen bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM support_relays WHERE seller_id = $1
		AND kind = 'resale' AND text = $2 AND return_id IS NOT DISTINCT FROM $3)`, sellerID, text, returnID).Scan(&seen); err != nil || seen {
		return err
	}
	return queueResaleRelay(ctx, tx, sellerID, returnID, text, nil)
}

// systemOnly refuses everyone but the system: the loop's steps follow WB.
func systemOnly(ctx context.Context) error {
	a, ok := domain.ActorFromContext(ctx)
	if !ok || a.Kind != domain.ActorSystem {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	return nil
}

// ReportDrift tells staff that WB's stock of a size differs from the shelf
// (the loop then sets the shelf's amount).
func (us *UnitService) ReportDrift(ctx context.Context, storeID int64, chrt uint64, wbAmount, shelf int) (err error) {
	defer wrap(&err, "report stock drift of store %d", storeID)
	return us.storeRelay(ctx, storeID, domain.ResaleDrift.Text(chrt, wbAmount, shelf), false)
}

// PassNeeded asks staff, once a day, to order a pass to a WB warehouse.
func (us *UnitService) PassNeeded(ctx context.Context, storeID, officeID int64) (err error) {
	defer wrap(&err, "ask for a pass for store %d", storeID)
	return us.storeRelay(ctx, storeID, domain.ResalePass.Text(officeID, us.db.Now().Format(time.DateOnly)), true)
}

// storeRelay queues a task about a store in its seller's topic; once
// queues it only if the same one was not queued before.
func (us *UnitService) storeRelay(ctx context.Context, storeID int64, text string, once bool) error {
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		var sellerID int64
		if err := tx.QueryRow(ctx, `SELECT seller_id FROM stores WHERE id = $1`, storeID).Scan(&sellerID); err != nil {
			return err
		}
		if once {
			return queueResaleRelayOnce(ctx, tx, sellerID, nil, text)
		}
		return queueResaleRelay(ctx, tx, sellerID, nil, text, nil)
	})
}

// RemindInvite reminds the seller, once a week until they say it is done,
// to invite IndigoWarehouse as a user of the store's WB account: WB lets
// only the account's owner do that (wb-resale.md §3).
func (us *UnitService) RemindInvite(ctx context.Context, storeID int64, now time.Time) (err error) {
	defer wrap(&err, "remind store %d to invite", storeID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		var sellerID int64
		var name string
		err := tx.QueryRow(ctx, `UPDATE resale_stores r SET invite_reminded_at = $2 FROM stores s
			WHERE r.store_id = $1 AND s.id = r.store_id AND NOT r.invite_done
			  AND (r.invite_reminded_at IS NULL OR r.invite_reminded_at < $2::timestamptz - interval '7 days')
			RETURNING s.seller_id, s.name`, storeID, now).Scan(&sellerID, &name)
		if errNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		return insertNotification(ctx, tx, &domain.Notification{SellerID: sellerID, Kind: domain.NotifyResaleInvite,
			StoreID: &storeID, Data: map[string]any{"Store": name}})
	})
}

// ConfirmInvite implements domain.ShelfService; the store's seller says so.
func (us *UnitService) ConfirmInvite(ctx context.Context, storeID int64) (err error) {
	defer wrap(&err, "confirm the invite of store %d", storeID)
	scope, err := actorScope(ctx)
	if err != nil {
		return err
	}
	tag, err := us.db.q(ctx).Exec(ctx, `UPDATE resale_stores r SET invite_done = true FROM stores s
		WHERE r.store_id = $1 AND s.id = r.store_id AND ($2::bigint = 0 OR s.seller_id = $2)`, storeID, scope)
	if err == nil && tag.RowsAffected() == 0 {
		return notFound("error.store.not_found")
	}
	return err
}

// QueuePickLists queues the day's pick list for every seller with ordered
// units not yet packed, once a day: staff start the day from it.
func (us *UnitService) QueuePickLists(ctx context.Context, day time.Time) (n int, err error) {
	defer wrap(&err, "queue pick lists")
	if err := systemOnly(ctx); err != nil {
		return 0, err
	}
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT seller_id FROM shelf_units WHERE status = 'ordered' ORDER BY seller_id`)
		if err != nil {
			return err
		}
		sellers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range sellers {
			if err := queueResaleRelayOnce(ctx, tx, id, nil, domain.ResalePickList.Text(day.Format(time.DateOnly))); err != nil {
				return err
			}
		}
		n = len(sellers)
		return nil
	})
	return n, err
}
