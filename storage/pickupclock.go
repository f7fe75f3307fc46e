package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// PickupClockService implements domain.PickupClockService: WB's seven
// days at the pickup point, and what a return left there costs.
type PickupClockService struct{ db *DB }

var _ domain.PickupClockService = (*PickupClockService)(nil)

// NewPickupClockService returns the pickup clock.
func NewPickupClockService(db *DB) *PickupClockService { return &PickupClockService{db: db} }

// pickupStorageSQL is domain.PickupStorage as an interval.
var pickupStorageSQL = fmt.Sprintf("interval '%d hours'", int(domain.PickupStorage.Hours()))

// ExpirePickups implements domain.PickupClockService. Each return is
// moved under its row lock with its charge in one transaction, and the
// lifecycle allows the move once, so replicas expire each return once.
func (pc *PickupClockService) ExpirePickups(ctx context.Context, now time.Time) (n int, err error) {
	defer wrap(&err, "expire pickups")
	if err := staffOnly(ctx); err != nil {
		return 0, err
	}
	return eachDue(ctx, pc.db, `SELECT id FROM returns
		WHERE status = 'awaiting_pickup_code' AND ready_at + `+pickupStorageSQL+` <= $1 ORDER BY ready_at LIMIT 500`, now, pc.expire)
}

func (pc *PickupClockService) expire(ctx context.Context, id int64, now time.Time) (done bool, err error) {
	rs := NewReturnService(pc.db)
	err = pc.db.InTx(ctx, func(ctx context.Context) error {
		cur, err := rs.findReturnByID(ctx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		end, waiting := domain.PickupDeadline(cur)
		if !waiting || end.After(now) {
			return nil // collected, or moved on, meanwhile
		}
		// ApplyEvent records WB's charge with the move (afterTransition).
		note := "WB: not collected within 7 days"
		if _, err := rs.ApplyEvent(ctx, id, domain.ReturnChange{Event: domain.EventExpireAtPickupPoint, Note: note}); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// recordUncollectedCharge records WB's reverse logistics for a return
// whose pickup storage ended, from the latest return tariffs (the row for
// goods from a seller's own warehouse), in the move's transaction; it is
// recorded once however the end was learnt (the clock, WB's report).
func recordUncollectedCharge(ctx context.Context, db *DB, r *domain.Return) error {
	c := domain.ReturnCharge{ReturnID: r.ID, Kind: domain.ChargeWBUncollected}
	rows, date, err := NewMarketRateService(db).FindReturnRates(ctx)
	if err != nil {
		return err
	}
	if row, ok := domain.SellerWarehouseRow(rows, func(r domain.ReturnRate) string { return r.Warehouse }); ok {
		c.AmountRUB = row.UncollectedRUB
		c.Source = row.Warehouse + " " + date.Format(time.DateOnly)
	}
	tx, _ := Tx(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO return_charges (return_id, kind, amount_rub, source, at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (return_id, kind) DO NOTHING`,
		r.ID, c.Kind, c.AmountRUB, c.Source, db.Now())
	return err
}

// FindExpiringPickups implements domain.PickupClockService.
func (pc *PickupClockService) FindExpiringPickups(ctx context.Context, until time.Time, limit int) (_ []*domain.Return, err error) {
	defer wrap(&err, "find expiring pickups")
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := pc.db.q(ctx).Query(ctx, `SELECT `+returnColumns+` FROM returns
		WHERE status = 'awaiting_pickup_code' AND ready_at IS NOT NULL AND ready_at + `+pickupStorageSQL+` < $1
		ORDER BY ready_at, id LIMIT $2`, until, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Return, error) { return scanReturn(r) })
}

// FindReturnCharges implements domain.PickupClockService, for a return
// the actor may see.
func (pc *PickupClockService) FindReturnCharges(ctx context.Context, returnID int64) (_ []*domain.ReturnCharge, err error) {
	defer wrap(&err, "find charges of return %d", returnID)
	if _, err := NewReturnService(pc.db).FindReturnByID(ctx, returnID); err != nil {
		return nil, err
	}
	rows, err := pc.db.q(ctx).Query(ctx, `SELECT return_id, kind, amount_rub, source, at FROM return_charges
		WHERE return_id = $1 ORDER BY id`, returnID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.ReturnCharge, error) {
		var c domain.ReturnCharge
		err := r.Scan(&c.ReturnID, &c.Kind, &c.AmountRUB, &c.Source, &c.At)
		return &c, err
	})
}

// RemindPickupExpiring queues pickup_expiring at each of
// domain.PickupReminders before WB's storage ends, once per point, for
// returns whose code the seller has not sent.
func (ns *NotificationService) RemindPickupExpiring(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "queue pickup expiry reminders")
	for _, before := range domain.PickupReminders {
		tag := fmt.Sprintf("pickup-%dh", int(before.Hours()))
		res, err := ns.db.q(ctx).Exec(ctx, `INSERT INTO notifications (seller_id, kind, return_id, store_id, data)
			SELECT r.seller_id, 'pickup_expiring', r.id, r.store_id, jsonb_build_object('reminder', $3::text)
			FROM returns r
			WHERE r.status = 'awaiting_pickup_code' AND r.pickup_code = '' AND r.ready_at IS NOT NULL
			  AND r.ready_at + `+pickupStorageSQL+` - $2::interval <= $1 AND r.ready_at + `+pickupStorageSQL+` > $1
			  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.return_id = r.id AND n.kind = 'pickup_expiring'
			                  AND n.data->>'reminder' = $3)`, now, before, tag)
		if err != nil {
			return n, err
		}
		n += res.RowsAffected()
	}
	return n, nil
}

// RemindDecisionDue queues decision_due_soon at each of
// domain.DecisionReminders before a pending decision's deadline, once per
// point and wait.
func (ns *NotificationService) RemindDecisionDue(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "queue decision deadline reminders")
	for _, before := range domain.DecisionReminders {
		tag := fmt.Sprintf("due-%dh", int(before.Hours()))
		res, err := ns.db.q(ctx).Exec(ctx, `INSERT INTO notifications (seller_id, kind, return_id, store_id, data)
			SELECT r.seller_id, 'decision_due_soon', r.id, r.store_id,
				jsonb_build_object('reminder', $3::text, 'wait', to_char(e.entered AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))
			FROM returns r
			CROSS JOIN LATERAL (SELECT `+enteredDecisionSQL+` AS entered) e
			CROSS JOIN LATERAL (SELECT e.entered + `+decisionDaysSQL+` * interval '1 day' AS due) d
			WHERE r.status = 'awaiting_seller_decision' AND d.due - $2::interval <= $1 AND d.due > $1
			  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.return_id = r.id AND n.kind = 'decision_due_soon'
			                  AND n.data->>'reminder' = $3
			                  AND n.data->>'wait' = to_char(e.entered AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))`,
			now, before, tag)
		if err != nil {
			return n, err
		}
		n += res.RowsAffected()
	}
	return n, nil
}
