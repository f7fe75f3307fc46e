package storage

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// MarketRateService implements domain.MarketRateService: the latest copy
// of WB's tariffs, the same for every seller.
type MarketRateService struct{ db *DB }

var _ domain.MarketRateService = (*MarketRateService)(nil)

// NewMarketRateService returns the WB tariff repository.
func NewMarketRateService(db *DB) *MarketRateService { return &MarketRateService{db: db} }

// SaveMarketRates replaces each part WB answered, in one transaction, so
// a card never reads half of one copy and half of another.
func (ms *MarketRateService) SaveMarketRates(ctx context.Context, r domain.MarketRates) (err error) {
	defer wrap(&err, "save WB tariffs of %s", r.Date.Format(time.DateOnly))
	if err := staffOnly(ctx); err != nil {
		return err
	}
	return ms.db.inTx(ctx, func(tx pgx.Tx) error {
		if r.Commissions != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM wb_commissions`); err != nil {
				return err
			}
			for _, c := range r.Commissions {
				if _, err := tx.Exec(ctx, `INSERT INTO wb_commissions (subject_id, subject_name, parent_name, fbs_basis_points, fetched_at)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING`,
					c.SubjectID, c.SubjectName, c.ParentName, c.FBSBasisPoints, r.FetchedAt); err != nil {
					return err
				}
			}
		}
		if r.Box != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM wb_box_rates`); err != nil {
				return err
			}
			for _, b := range r.Box {
				if _, err := tx.Exec(ctx, `INSERT INTO wb_box_rates (warehouse, base_rub, liter_rub, coef_percent, tariff_date, fetched_at)
					VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (warehouse) DO NOTHING`,
					b.Warehouse, b.BaseRUB, b.LiterRUB, b.CoefPercent, r.Date, r.FetchedAt); err != nil {
					return err
				}
			}
		}
		if r.Return != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM wb_return_rates`); err != nil {
				return err
			}
			for _, rr := range r.Return {
				if _, err := tx.Exec(ctx, `INSERT INTO wb_return_rates (warehouse, uncollected_rub, tariff_date, fetched_at)
					VALUES ($1, $2, $3, $4) ON CONFLICT (warehouse) DO NOTHING`,
					rr.Warehouse, rr.UncollectedRUB, r.Date, r.FetchedAt); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// FindCommission implements domain.MarketRateService.
func (ms *MarketRateService) FindCommission(ctx context.Context, subjectID int64, subjectName string) (_ domain.Commission, _ time.Time, _ bool, err error) {
	defer wrap(&err, "find WB commission of %d %q", subjectID, subjectName)
	var c domain.Commission
	var at time.Time
	err = ms.db.q(ctx).QueryRow(ctx, `SELECT subject_id, subject_name, parent_name, fbs_basis_points, fetched_at
		FROM wb_commissions WHERE subject_id = $1 OR ($1 = 0 AND lower(subject_name) = lower($2))
		ORDER BY subject_id LIMIT 1`, subjectID, strings.TrimSpace(subjectName)).Scan(
		&c.SubjectID, &c.SubjectName, &c.ParentName, &c.FBSBasisPoints, &at)
	if errNoRows(err) {
		if subjectID != 0 && subjectName != "" {
			return ms.FindCommission(ctx, 0, subjectName)
		}
		return domain.Commission{}, time.Time{}, false, nil
	}
	return c, at, err == nil, err
}

// FindBoxRates implements domain.MarketRateService.
func (ms *MarketRateService) FindBoxRates(ctx context.Context) (_ []domain.BoxRate, date time.Time, err error) {
	defer wrap(&err, "find WB box tariffs")
	rows, err := ms.db.q(ctx).Query(ctx, `SELECT warehouse, base_rub, liter_rub, coef_percent, tariff_date
		FROM wb_box_rates ORDER BY warehouse`)
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []domain.BoxRate
	var b domain.BoxRate
	_, err = pgx.ForEachRow(rows, []any{&b.Warehouse, &b.BaseRUB, &b.LiterRUB, &b.CoefPercent, &date}, func() error {
		out = append(out, b)
		return nil
	})
	return out, date, err
}

// FindReturnRates implements domain.MarketRateService.
func (ms *MarketRateService) FindReturnRates(ctx context.Context) (_ []domain.ReturnRate, date time.Time, err error) {
	defer wrap(&err, "find WB return tariffs")
	rows, err := ms.db.q(ctx).Query(ctx, `SELECT warehouse, uncollected_rub, tariff_date FROM wb_return_rates ORDER BY warehouse`)
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []domain.ReturnRate
	var r domain.ReturnRate
	_, err = pgx.ForEachRow(rows, []any{&r.Warehouse, &r.UncollectedRUB, &date}, func() error {
		out = append(out, r)
		return nil
	})
	return out, date, err
}
