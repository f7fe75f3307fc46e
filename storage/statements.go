package storage

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// statements.go: the accounts' two scheduled jobs, the daily storage
// charge and the statements of the 1st, and reading any month back.

// ChargeStorage implements domain.AccountJobs. An item is kept while its
// return is at the warehouse, or its shelf unit is on the shelf or in an
// order not yet handed over. The rate and the free days are those in
// effect at the start of the day; the key (return, day) makes every
// replica's and every restart's run of the same day write nothing more.
func (as *AccountService) ChargeStorage(ctx context.Context, now time.Time) (n int, err error) {
	defer wrap(&err, "charge storage of %s", now.Format(time.DateOnly))
	dayStart := domain.DayOf(now)
	day := dayStart.Format(time.DateOnly)
	err = as.db.InTx(ctx, func(ctx context.Context) error {
		q := as.db.q(ctx)
		rows, err := q.Query(ctx, `INSERT INTO ledger_entries (seller_id, kind, amount, return_id, return_number, day, key,
				tariff_id, actor_kind, at)
			SELECT r.seller_id, 'storage_day', -st.value, r.id, r.return_number, $4::date,
				'storage_day:r' || r.id || ':' || $1::text, st.id, 'system', $3
			FROM returns r
			LEFT JOIN shelf_units u ON u.return_id = r.id
			CROSS JOIN LATERAL (SELECT id, value FROM indigo_tariffs WHERE kind = 'storage_day' AND effective_from <= $2
				ORDER BY effective_from DESC, id DESC LIMIT 1) st
			LEFT JOIN LATERAL (SELECT value FROM indigo_tariffs WHERE kind = 'free_days' AND effective_from <= $2
				ORDER BY effective_from DESC, id DESC LIMIT 1) fd ON true
			CROSS JOIN LATERAL (SELECT coalesce(r.received_at, (SELECT min(t.at) FROM return_transitions t
				WHERE t.return_id = r.id AND t.event IN ('receive', 'receive_for_inspection'))) AS at) recv
			WHERE recv.at IS NOT NULL AND st.value > 0
			  AND (r.status IN ('awaiting_verification', 'awaiting_seller_decision', 'awaiting_transfer_to_sale',
			                    'awaiting_shipment_to_seller', 'awaiting_disposal')
			       OR r.status = 'transferred_to_sale' AND u.status IN ('shelved', 'listed', 'ordered', 'packed'))
			  -- Moscow's days: UTC+3 all year, whatever the session's zone.
			  AND $4::date - ((recv.at AT TIME ZONE 'UTC') + interval '3 hours')::date >= coalesce(fd.value, 0)
			ON CONFLICT (seller_id, key) DO NOTHING
			RETURNING seller_id`, day, dayStart, as.db.Now(), dayStart)
		if err != nil {
			return err
		}
		sellers := map[int64]bool{}
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			n++
			sellers[id] = true
			return nil
		}); err != nil {
			return err
		}
		// In one order on every replica, so two runs never wait on each
		// other's accounts rows crosswise.
		for _, id := range slices.Sorted(maps.Keys(sellers)) {
			if err := as.db.settle(ctx, q, id, false); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Statement implements domain.AccountService: the month's rows, the
// balance before them, and the totals; IssuedAt when it was issued.
func (as *AccountService) Statement(ctx context.Context, sellerID int64, month time.Time) (_ *domain.Statement, err error) {
	defer wrap(&err, "statement of seller %d for %s", sellerID, month.Format("2006-01"))
	if err := sellerScope(ctx, sellerID); err != nil {
		return nil, err
	}
	return statement(ctx, as.db.q(ctx), sellerID, domain.MonthOf(month))
}

func statement(ctx context.Context, q querier, sellerID int64, month time.Time) (*domain.Statement, error) {
	s := &domain.Statement{SellerID: sellerID, Month: month}
	err := q.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE seller_id = $1 AND at < $2`,
		sellerID, month).Scan(&s.Opening)
	if err != nil {
		return nil, err
	}
	if s.Entries, err = findLedger(ctx, q, sellerID, month, month.AddDate(0, 1, 0)); err != nil {
		return nil, err
	}
	for _, e := range s.Entries {
		if e.Amount < 0 {
			s.Charges += e.Amount
		} else {
			s.Credits += e.Amount
		}
	}
	s.Closing = s.Opening + s.Charges + s.Credits
	var issued time.Time
	err = q.QueryRow(ctx, `SELECT issued_at FROM statements WHERE seller_id = $1 AND month = $2`,
		sellerID, month).Scan(&issued)
	if err == nil {
		s.IssuedAt = &issued
	} else if !errNoRows(err) {
		return nil, err
	}
	return s, nil
}

// Statements implements domain.AccountService.
func (as *AccountService) Statements(ctx context.Context, sellerID int64) (_ []time.Time, err error) {
	defer wrap(&err, "statements of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return nil, err
	}
	rows, err := as.db.q(ctx).Query(ctx, `SELECT DISTINCT date_trunc('month', (at AT TIME ZONE 'UTC') + interval '3 hours')::date AS m
		FROM ledger_entries WHERE seller_id = $1 ORDER BY m DESC`, sellerID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (time.Time, error) {
		var d time.Time
		if err := r.Scan(&d); err != nil {
			return time.Time{}, err
		}
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, domain.Moscow), nil
	})
}

// IssueStatements implements domain.AccountJobs: last month's statement
// of every seller with rows until this month, each issued once with its
// push queued in the same transaction. A run missed on the 1st issues
// them at the next run.
func (as *AccountService) IssueStatements(ctx context.Context, now time.Time) (n int, err error) {
	defer wrap(&err, "issue statements of %s", now.Format(time.DateOnly))
	this := domain.MonthOf(now)
	last := this.AddDate(0, -1, 0)
	rows, err := as.db.q(ctx).Query(ctx, `SELECT DISTINCT e.seller_id FROM ledger_entries e
		WHERE e.at < $1 AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.seller_id = e.seller_id AND s.month = $2)`,
		this, last)
	if err != nil {
		return 0, err
	}
	sellers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	for _, id := range sellers {
		err := as.db.InTx(ctx, func(ctx context.Context) error {
			q := as.db.q(ctx)
			s, err := statement(ctx, q, id, last)
			if err != nil {
				return err
			}
			tag, err := q.Exec(ctx, `INSERT INTO statements (seller_id, month, opening, charges, credits, closing, issued_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
				id, last, s.Opening, s.Charges, s.Credits, s.Closing, as.db.Now())
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			n++
			return insertNotification(ctx, q, &domain.Notification{SellerID: id, Kind: domain.NotifyStatement,
				Data: map[string]any{"Month": last.Format("2006-01")}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
