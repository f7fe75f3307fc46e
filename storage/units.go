package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// UnitService implements domain.ShelfService, and the resale loop's own
// steps (resale.go), on the shelf_units and resale_* tables.
type UnitService struct{ db *DB }

var _ domain.ShelfService = (*UnitService)(nil)

// NewUnitService returns the shelf's repository.
func NewUnitService(db *DB) *UnitService { return &UnitService{db: db} }

const unitColumns = `u.id, u.return_id, u.store_id, u.seller_id, r.return_number, r.product_name, r.vendor_code,
	u.barcode, u.nm_id, u.chrt_id, u.shelf_place, u.status, u.order_id, u.order_rid, u.ordered_at, u.order_b2b,
	u.cargo_type, u.order_price, u.order_currency, u.supply_id, u.in_supply, u.sticker, u.staff_told_at,
	u.sold_price, u.sold_currency, u.sold_at, u.version, u.created_at, u.updated_at`

const unitFrom = ` FROM shelf_units u JOIN returns r ON r.id = u.return_id `

func scanUnit(row pgx.Row) (*domain.Unit, error) {
	var u domain.Unit
	var chrt int64
	var orderID *int64
	var o domain.UnitOrder
	var orderedAt *time.Time
	err := row.Scan(&u.ID, &u.ReturnID, &u.StoreID, &u.SellerID, &u.ReturnNumber, &u.ProductName, &u.VendorCode,
		&u.Barcode, &u.NmID, &chrt, &u.ShelfPlace, &u.Status, &orderID, &o.RID, &orderedAt, &o.B2B,
		&o.CargoType, &o.Price, &o.Currency, &u.SupplyID, &u.InSupply, &u.Sticker, &u.StaffToldAt,
		&u.SoldPrice, &u.SoldCurrency, &u.SoldAt, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, err
	}
	u.ChrtID = uint64(chrt)
	if orderID != nil {
		o.ID = *orderID
		if orderedAt != nil {
			o.CreatedAt = *orderedAt
		}
		u.Order = &o
	}
	return &u, nil
}

// whereUnits turns a filter into a WHERE clause; the acting seller's id is
// always part of it.
func whereUnits(ctx context.Context, f domain.UnitFilter) (string, []any, error) {
	scope, err := actorScope(ctx)
	if err != nil {
		return "", nil, err
	}
	conds, args := []string{"true"}, []any{}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if scope != 0 {
		add("u.seller_id = ?", scope)
	}
	for cond, v := range map[string]*int64{"u.id = ?": f.ID, "u.return_id = ?": f.ReturnID,
		"u.seller_id = ?": f.SellerID, "u.store_id = ?": f.StoreID, "u.supply_id = ?": f.SupplyID,
		"u.order_id = ?": f.OrderID, "u.nm_id = ?": f.NmID} {
		if v != nil {
			add(cond, *v)
		}
	}
	if f.Statuses != nil {
		add("u.status = ANY(?)", f.Statuses)
	}
	if f.ChrtID != nil {
		add("u.chrt_id = ?", int64(*f.ChrtID))
	}
	if f.NoChrt {
		conds = append(conds, "u.chrt_id = 0 AND (u.size_checked_at IS NULL OR u.size_checked_at < now() - interval '1 day')")
	}
	if f.Untold {
		conds = append(conds, "u.status = 'ordered' AND u.staff_told_at IS NULL")
	}
	return "WHERE " + strings.Join(conds, " AND "), args, nil
}

// FindUnitByID returns one unit, if the actor may see it.
func (us *UnitService) FindUnitByID(ctx context.Context, id int64) (_ *domain.Unit, err error) {
	defer wrap(&err, "find unit %d", id)
	return us.findUnit(ctx, us.db.q(ctx), domain.UnitFilter{ID: &id}, "")
}

func (us *UnitService) findUnit(ctx context.Context, q querier, f domain.UnitFilter, lock string) (*domain.Unit, error) {
	where, args, err := whereUnits(ctx, f)
	if err != nil {
		return nil, err
	}
	u, err := scanUnit(q.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+where+` `+lock, args...))
	if errNoRows(err) {
		return nil, notFound("error.unit.not_found")
	}
	return u, err
}

// FindUnits lists matching units, oldest first.
func (us *UnitService) FindUnits(ctx context.Context, f domain.UnitFilter) (_ []*domain.Unit, err error) {
	defer wrap(&err, "find units")
	where, args, err := whereUnits(ctx, f)
	if err != nil {
		return nil, err
	}
	page := ""
	if f.Limit > 0 {
		page = fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := us.db.q(ctx).Query(ctx, `SELECT `+unitColumns+unitFrom+where+` ORDER BY u.id`+page, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Unit, error) { return scanUnit(r) })
}

// ShelveUnit implements domain.ShelfService. Only staff and the system
// shelve: it is a warehouse step.
func (us *UnitService) ShelveUnit(ctx context.Context, returnID int64, place string) (_ *domain.Unit, err error) {
	defer wrap(&err, "shelve return %d", returnID)
	place = strings.TrimSpace(place)
	if place == "" || len([]rune(place)) > 40 {
		return nil, domain.Errorf(domain.CodeInvalid, "error.unit.shelf_place", nil)
	}
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	var id int64
	err = us.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		r, err := NewReturnService(us.db).findReturnByID(ctx, returnID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if r.Status != domain.StatusAwaitingTransferToSale {
			return domain.Errorf(domain.CodeConflict, "error.unit.not_for_sale",
				map[string]any{"Status": string(r.Status)})
		}
		cur, err := us.findUnit(ctx, tx, domain.UnitFilter{ReturnID: &returnID}, "FOR UPDATE OF u")
		switch {
		case err == nil && cur.Status != domain.UnitShelved:
			return domain.Errorf(domain.CodeConflict, "error.unit.already_listed", nil)
		case err == nil:
			id = cur.ID
			_, err = tx.Exec(ctx, `UPDATE shelf_units SET shelf_place = $2, version = version + 1, updated_at = now()
				WHERE id = $1`, id, place)
			return err
		case domain.ErrorCode(err) != domain.CodeNotFound:
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO shelf_units (return_id, store_id, seller_id, nm_id, barcode, shelf_place, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'shelved') RETURNING id`,
			r.ID, r.StoreID, r.SellerID, r.NmID, r.Barcode, place).Scan(&id); err != nil {
			return err
		}
		if err := us.record(ctx, tx, id, domain.UnitEventShelve, "", domain.UnitShelved, 0, "shelf "+place); err != nil {
			return err
		}
		return us.touchResaleStore(ctx, tx, r.StoreID, true)
	})
	if err != nil {
		return nil, err
	}
	return us.FindUnitByID(ctx, id)
}

// touchResaleStore makes the store's resale turn due now, creating its row
// with the first unit: something changed that WB must hear; stock says
// the shelf's offer did. A turn under way keeps it due when it ends.
func (us *UnitService) touchResaleStore(ctx context.Context, q querier, storeID int64, stock bool) error {
	_, err := q.Exec(ctx, `INSERT INTO resale_stores (store_id, due_at) VALUES ($1, $2)
		ON CONFLICT (store_id) DO UPDATE SET due_at = least(resale_stores.due_at, $2), touched = true,
			stock_dirty = resale_stores.stock_dirty OR $3`,
		storeID, us.db.Now(), stock)
	return err
}

// record writes one line of a unit's history with the acting party.
func (us *UnitService) record(ctx context.Context, q querier, unitID int64, ev domain.UnitEvent, from, to domain.UnitStatus, orderID int64, note string) error {
	actor, ok := domain.ActorFromContext(ctx)
	if !ok {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("no actor in context")}
	}
	_, err := q.Exec(ctx, `INSERT INTO shelf_unit_transitions
		(unit_id, event, from_status, to_status, order_id, actor_kind, actor_id, actor_name, actor_person, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		unitID, ev, from, to, orderID, actor.Kind, actor.ID, actor.Name, actor.Person, note, us.db.Now())
	return err
}

// FindUnitTransitions returns a unit's history, oldest first.
func (us *UnitService) FindUnitTransitions(ctx context.Context, unitID int64) (_ []*domain.UnitTransition, err error) {
	defer wrap(&err, "find transitions of unit %d", unitID)
	if _, err := us.FindUnitByID(ctx, unitID); err != nil {
		return nil, err
	}
	rows, err := us.db.q(ctx).Query(ctx, `SELECT unit_id, event, from_status, to_status, order_id,
		actor_kind, actor_id, actor_name, actor_person, note, at
		FROM shelf_unit_transitions WHERE unit_id = $1 ORDER BY id`, unitID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.UnitTransition, error) {
		var t domain.UnitTransition
		err := r.Scan(&t.UnitID, &t.Event, &t.From, &t.To, &t.OrderID, &t.Actor.Kind, &t.Actor.ID,
			&t.Actor.Name, &t.Actor.Person, &t.Note, &t.At)
		return &t, err
	})
}

// SummarizeUnits implements domain.ShelfService.
func (us *UnitService) SummarizeUnits(ctx context.Context, f domain.UnitFilter) (_ domain.UnitSummary, err error) {
	defer wrap(&err, "summarize units")
	f.Statuses, f.Limit = nil, 0
	where, args, err := whereUnits(ctx, f)
	if err != nil {
		return domain.UnitSummary{}, err
	}
	var s domain.UnitSummary
	err = us.db.q(ctx).QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE u.status IN ('shelved', 'listed')),
		count(*) FILTER (WHERE u.status IN ('ordered', 'packed', 'handed_over')),
		count(*) FILTER (WHERE u.status = 'sold'),
		coalesce(sum(u.sold_price) FILTER (WHERE u.status = 'sold' AND u.sold_currency IN (0, 643)), 0)`+
		unitFrom+where, args...).Scan(&s.OnShelf, &s.InOrder, &s.Sold, &s.SoldPrice)
	return s, err
}
