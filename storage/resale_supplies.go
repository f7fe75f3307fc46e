package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

const supplyColumns = `id, store_id, seller_id, name, wb_id, b2b, cargo_type, state, shipping_date, qr,
	created_at, delivered_at`

func scanSupply(row pgx.Row) (*domain.Supply, error) {
	var s domain.Supply
	err := row.Scan(&s.ID, &s.StoreID, &s.SellerID, &s.Name, &s.WBID, &s.B2B, &s.CargoType, &s.State,
		&s.ShippingDate, &s.QR, &s.CreatedAt, &s.DeliveredAt)
	return &s, err
}

// FindSupplyByID returns one supply, if the actor may see it.
func (us *UnitService) FindSupplyByID(ctx context.Context, id int64) (_ *domain.Supply, err error) {
	defer wrap(&err, "find supply %d", id)
	return us.findSupply(ctx, us.db.q(ctx), id, "")
}

func (us *UnitService) findSupply(ctx context.Context, q querier, id int64, lock string) (*domain.Supply, error) {
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	s, err := scanSupply(q.QueryRow(ctx, `SELECT `+supplyColumns+` FROM resale_supplies
		WHERE id = $1 AND ($2::bigint = 0 OR seller_id = $2) `+lock, id, scope))
	if errNoRows(err) {
		return nil, notFound("error.unit.supply_not_found")
	}
	return s, err
}

// FindSupplies lists a store's supplies in the given states, oldest first.
func (us *UnitService) FindSupplies(ctx context.Context, storeID int64, states ...domain.SupplyState) (_ []*domain.Supply, err error) {
	defer wrap(&err, "find supplies of store %d", storeID)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := us.db.q(ctx).Query(ctx, `SELECT `+supplyColumns+` FROM resale_supplies
		WHERE store_id = $1 AND state = ANY($2) ORDER BY id`, storeID, states)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Supply, error) { return scanSupply(r) })
}

// OpenSupply returns the store's open supply for orders of one kind (B2B
// or not, one cargo type), making its row, with a unique name, when there
// is none. WB's supply is made after, by name (SetSupplyWBID).
func (us *UnitService) OpenSupply(ctx context.Context, storeID int64, b2b bool, cargoType int) (_ *domain.Supply, err error) {
	defer wrap(&err, "open a supply of store %d", storeID)
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	q := us.db.q(ctx)
	s, err := scanSupply(q.QueryRow(ctx, `SELECT `+supplyColumns+` FROM resale_supplies
		WHERE store_id = $1 AND b2b = $2 AND cargo_type = $3 AND state = 'open'`, storeID, b2b, cargoType))
	if !errNoRows(err) {
		return s, err
	}
	// The name tells the seller in WB's cabinet whose supply it is; the
	// id makes it unique, which finding it again after a crash relies on.
	return scanSupply(q.QueryRow(ctx, `INSERT INTO resale_supplies (id, store_id, seller_id, name, b2b, cargo_type)
		SELECT n, s.id, s.seller_id, 'Indigo · ' || left(s.name, 80) || ' · ' || n, $2, $3
		FROM stores s, nextval('resale_supplies_id_seq') n WHERE s.id = $1
		ON CONFLICT (store_id, b2b, cargo_type) WHERE state = 'open' DO NOTHING
		RETURNING `+supplyColumns, storeID, b2b, cargoType))
}

// SetSupplyWBID records WB's id of a supply made or found by its name.
func (us *UnitService) SetSupplyWBID(ctx context.Context, supplyID int64, wbID string) (err error) {
	defer wrap(&err, "set WB id %s of supply %d", wbID, supplyID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	_, err = us.db.q(ctx).Exec(ctx, `UPDATE resale_supplies SET wb_id = $2 WHERE id = $1 AND wb_id = ''`, supplyID, wbID)
	return err
}

// SetSupplyShipping records the day WB was told the supply ships.
func (us *UnitService) SetSupplyShipping(ctx context.Context, supplyID int64, day string) (err error) {
	defer wrap(&err, "set shipping of supply %d", supplyID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	_, err = us.db.q(ctx).Exec(ctx, `UPDATE resale_supplies SET shipping_date = $2 WHERE id = $1`, supplyID, day)
	return err
}

// AssignUnits puts ordered units into an open supply before WB is asked
// to add their orders, and returns those it put: a unit in another supply
// already, or a supply no longer open, takes none.
func (us *UnitService) AssignUnits(ctx context.Context, supplyID int64, unitIDs []int64) (_ []int64, err error) {
	defer wrap(&err, "assign %d units to supply %d", len(unitIDs), supplyID)
	if err := systemOnly(ctx); err != nil {
		return nil, err
	}
	var ids []int64
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		sp, err := us.findSupply(ctx, tx, supplyID, "FOR UPDATE")
		if err != nil || sp.State != domain.SupplyOpen {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE shelf_units SET supply_id = $2, in_supply = false,
			version = version + 1, updated_at = now()
			WHERE id = ANY($1) AND store_id = $3 AND supply_id IS NULL AND status IN ('ordered', 'packed')
			RETURNING id`, unitIDs, supplyID, sp.StoreID)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	return ids, err
}

// MarkInSupply records that WB has the units' orders in their supply.
func (us *UnitService) MarkInSupply(ctx context.Context, supplyID int64, unitIDs []int64) (err error) {
	defer wrap(&err, "mark %d units in supply %d", len(unitIDs), supplyID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	_, err = us.db.q(ctx).Exec(ctx, `UPDATE shelf_units SET in_supply = true WHERE supply_id = $1 AND id = ANY($2)`,
		supplyID, unitIDs)
	return err
}

// TellStaff queues the pick task of an ordered unit with its sticker, once:
// a unit staff were told about is left alone.
func (us *UnitService) TellStaff(ctx context.Context, unitID int64, sticker string, file *domain.RelayFile, at time.Time) (err error) {
	defer wrap(&err, "tell staff to pick unit %d", unitID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE shelf_units SET sticker = $2, staff_told_at = $3, version = version + 1,
			updated_at = now() WHERE id = $1 AND staff_told_at IS NULL AND status = 'ordered'`, unitID, sticker, at)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		u, err := us.findUnit(ctx, tx, domain.UnitFilter{ID: &unitID}, "")
		if err != nil {
			return err
		}
		var files []*domain.RelayFile
		if file != nil {
			files = append(files, file)
		}
		return queueResaleRelay(ctx, tx, u.SellerID, &u.ReturnID, domain.ResalePick.Text(), files)
	})
}

// HandOver implements domain.ShelfService: staff handed the supply to the
// courier or drove it to WB; the loop delivers it. A supply with units
// still to pack is refused.
func (us *UnitService) HandOver(ctx context.Context, supplyID int64) (_ *domain.Supply, err error) {
	defer wrap(&err, "hand over supply %d", supplyID)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		sp, err := us.findSupply(ctx, tx, supplyID, "FOR UPDATE")
		if err != nil || sp.State == domain.SupplyHandingOver {
			return err
		}
		if sp.State != domain.SupplyOpen {
			return domain.Errorf(domain.CodeConflict, "error.unit.supply_closed", nil)
		}
		var packed, unpacked int
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'packed'),
			count(*) FILTER (WHERE status <> 'packed') FROM shelf_units WHERE supply_id = $1`,
			supplyID).Scan(&packed, &unpacked); err != nil {
			return err
		}
		switch {
		case unpacked > 0:
			return domain.Errorf(domain.CodeConflict, "error.unit.unpacked", map[string]any{"Count": unpacked})
		case packed == 0:
			return domain.Errorf(domain.CodeConflict, "error.unit.supply_empty", nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE resale_supplies SET state = 'handing_over' WHERE id = $1`, supplyID); err != nil {
			return err
		}
		return us.touchResaleStore(ctx, tx, sp.StoreID, false)
	})
	if err != nil {
		return nil, err
	}
	return us.FindSupplyByID(ctx, supplyID)
}

// SupplyDelivered records that WB took a supply: its packed units are
// handed over, and staff get its QR. Recording it again does nothing.
func (us *UnitService) SupplyDelivered(ctx context.Context, supplyID int64, qr string, file *domain.RelayFile, at time.Time) (err error) {
	defer wrap(&err, "record supply %d delivered", supplyID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	return us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		sp, err := us.findSupply(ctx, tx, supplyID, "FOR UPDATE")
		if err != nil || sp.State == domain.SupplyDelivered {
			return err
		}
		units, err := us.FindUnits(ctx, domain.UnitFilter{SupplyID: &supplyID, Statuses: []domain.UnitStatus{domain.UnitPacked}})
		if err != nil {
			return err
		}
		var first *int64
		for _, u := range units {
			if err := us.apply(ctx, tx, u, domain.UnitChange{Event: domain.UnitEventHandOver, Note: sp.WBID}); err != nil {
				return err
			}
			if first == nil {
				first = &u.ReturnID
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE resale_supplies SET state = 'delivered', qr = $2, delivered_at = $3
			WHERE id = $1`, supplyID, qr, at); err != nil {
			return err
		}
		var files []*domain.RelayFile
		if file != nil {
			files = append(files, file)
		}
		return queueResaleRelay(ctx, tx, sp.SellerID, first, domain.ResaleQR.Text(supplyID), files)
	})
}

// DropSupply records that a supply emptied by cancellations was deleted.
func (us *UnitService) DropSupply(ctx context.Context, supplyID int64) (err error) {
	defer wrap(&err, "drop supply %d", supplyID)
	if err := systemOnly(ctx); err != nil {
		return err
	}
	_, err = us.db.q(ctx).Exec(ctx, `UPDATE resale_supplies SET state = 'dropped'
		WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM shelf_units WHERE supply_id = $1)`, supplyID)
	return err
}
