package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// TariffService implements domain.TariffService: Indigo's own tariff,
// every line ever set kept with its date.
type TariffService struct{ db *DB }

var _ domain.TariffService = (*TariffService)(nil)

// NewTariffService returns the tariff repository.
func NewTariffService(db *DB) *TariffService { return &TariffService{db: db} }

// SetTariff adds a line from its date on, as the staff member or the
// system acting; it is audited in the same transaction. Sellers read the
// tariff through the cards, never set it.
func (ts *TariffService) SetTariff(ctx context.Context, t *domain.Tariff) (err error) {
	defer wrap(&err, "set tariff %s", t.Kind)
	actor, ok := domain.ActorFromContext(ctx)
	if !ok || actor.IsSeller() {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("only staff set tariffs")}
	}
	if err := t.Check(); err != nil {
		return err
	}
	if t.EffectiveFrom.IsZero() {
		t.EffectiveFrom = ts.db.Now()
	}
	t.SetBy = actor
	return ts.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		if err := tx.QueryRow(ctx, `INSERT INTO indigo_tariffs (kind, zone, max_weight_g, value, effective_from,
				set_by_kind, set_by_id, set_by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
			t.Kind, t.Zone, t.MaxWeightGram, t.Value, t.EffectiveFrom, actor.Kind, actor.ID, actor.Name,
		).Scan(&t.ID, &t.CreatedAt); err != nil {
			return err
		}
		return NewAuditService(ts.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "tariff.set", Details: map[string]any{
			"kind": t.Kind, "zone": t.Zone, "max_weight_g": t.MaxWeightGram, "value": t.Value,
			"effective_from": t.EffectiveFrom.UTC().Format(time.RFC3339),
		}})
	})
}

// TariffBook implements domain.TariffService: for each kind, zone and
// weight bracket, the newest line that had taken effect by at.
func (ts *TariffService) TariffBook(ctx context.Context, at time.Time) (_ domain.TariffBook, err error) {
	defer wrap(&err, "read the tariff at %s", at.Format(time.RFC3339))
	rows, err := ts.db.q(ctx).Query(ctx, `SELECT DISTINCT ON (kind, zone, max_weight_g)
			id, kind, zone, max_weight_g, value, effective_from, set_by_kind, set_by_id, set_by_name, created_at
		FROM indigo_tariffs WHERE effective_from <= $1
		ORDER BY kind, zone, max_weight_g, effective_from DESC, id DESC`, at)
	if err != nil {
		return domain.TariffBook{}, err
	}
	lines, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Tariff, error) {
		var t domain.Tariff
		err := r.Scan(&t.ID, &t.Kind, &t.Zone, &t.MaxWeightGram, &t.Value, &t.EffectiveFrom,
			&t.SetBy.Kind, &t.SetBy.ID, &t.SetBy.Name, &t.CreatedAt)
		return t, err
	})
	return domain.TariffBook{At: at, Lines: lines}, err
}
