package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// ledger.go: writing the ledger. Every row goes in through writeEntry, in
// the transaction of the event that causes it, keyed so that its cause is
// billed once; the database refuses to change or remove a row (migration
// 00023's trigger). After a row, settle tells the seller when the balance
// fell below the limit staff set.

// writeEntry inserts e unless a row with its key exists; it reports
// whether it wrote one and fills e's id and time.
func writeEntry(ctx context.Context, q querier, e *domain.LedgerEntry) (bool, error) {
	err := q.QueryRow(ctx, `INSERT INTO ledger_entries (seller_id, kind, amount, return_id, return_number, day, key,
			tariff_id, reason, method, reverses, actor_kind, actor_id, actor_name, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (seller_id, key) DO NOTHING RETURNING id`,
		e.SellerID, e.Kind, e.Amount, e.ReturnID, e.ReturnNumber, e.Day, e.Key, e.TariffID, e.Reason, e.Method,
		e.Reverses, e.Actor.Kind, e.Actor.ID, e.Actor.Name, e.At).Scan(&e.ID)
	if errNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write ledger row %s: %w", e.Key, err)
	}
	return true, nil
}

// tariffAt is the line of a kind in effect at a time; false when none is.
func tariffAt(ctx context.Context, q querier, kind domain.TariffKind, at time.Time) (domain.Tariff, bool, error) {
	t := domain.Tariff{Kind: kind}
	err := q.QueryRow(ctx, `SELECT id, value, effective_from FROM indigo_tariffs
		WHERE kind = $1 AND zone = '' AND effective_from <= $2
		ORDER BY effective_from DESC, id DESC LIMIT 1`, kind, at).Scan(&t.ID, &t.Value, &t.EffectiveFrom)
	if errNoRows(err) {
		return t, false, nil
	}
	return t, err == nil, err
}

// charge bills one tariff line for a cause: nothing when the line is not
// set or is zero, or when the cause was billed already.
func (db *DB) charge(ctx context.Context, q querier, e domain.LedgerEntry, kind domain.TariffKind, amount func(v int64) int64) error {
	t, ok, err := tariffAt(ctx, q, kind, e.At)
	if err != nil || !ok {
		return err
	}
	e.Amount = -t.Value
	if amount != nil {
		e.Amount = -amount(t.Value)
	}
	if e.Amount == 0 {
		return nil
	}
	e.TariffID = &t.ID
	wrote, err := writeEntry(ctx, q, &e)
	if err != nil || !wrote {
		return err
	}
	return db.settle(ctx, q, e.SellerID, false)
}

// chargeEvent bills what a return's lifecycle event costs, at the time it
// happens, as the actor who caused it.
func (db *DB) chargeEvent(ctx context.Context, q querier, r *domain.Return, ev domain.Event) error {
	kind, ok := domain.ChargeFor(ev)
	if !ok {
		return nil
	}
	actor, _ := domain.ActorFromContext(ctx)
	e := domain.LedgerEntry{SellerID: r.SellerID, Kind: domain.LedgerKind(kind), ReturnID: &r.ID,
		ReturnNumber: r.ReturnNumber, Key: fmt.Sprintf("%s:r%d", kind, r.ID), Actor: actor, At: db.Now()}
	if err := db.charge(ctx, q, e, kind, nil); err != nil {
		return err
	}
	if ev == domain.EventInspect && r.PhotoVideoRequired {
		e.Kind, e.Key = domain.LedgerPhotos, fmt.Sprintf("photos:r%d", r.ID)
		return db.charge(ctx, q, e, domain.TariffPhotos, nil)
	}
	return nil
}

// chargeResale bills a resold unit the buyer received: the fee per order
// and the percentage of a rouble price.
func (db *DB) chargeResale(ctx context.Context, q querier, u *domain.Unit) error {
	actor, _ := domain.ActorFromContext(ctx)
	e := domain.LedgerEntry{SellerID: u.SellerID, Kind: domain.LedgerResaleOrder, ReturnID: &u.ReturnID,
		ReturnNumber: u.ReturnNumber, Key: fmt.Sprintf("resale_order:u%d", u.ID), Actor: actor, At: db.Now()}
	if err := db.charge(ctx, q, e, domain.TariffResaleOrder, nil); err != nil {
		return err
	}
	if u.Order == nil || u.Order.Currency != rubCode || u.Order.Price <= 0 {
		return nil
	}
	e.Kind, e.Key = domain.LedgerResalePercent, fmt.Sprintf("resale_percent:u%d", u.ID)
	price := u.Order.Price
	return db.charge(ctx, q, e, domain.TariffResalePercent, func(bp int64) int64 { return (price*bp + 5000) / 10000 })
}

// rubCode is the rouble's ISO 4217 number, which WB's orders carry.
const rubCode = 643

// checkHold refuses an event a hold on the seller's account stops.
func checkHold(ctx context.Context, q querier, sellerID int64, ev domain.Event) error {
	if !domain.HeldBy(ev) {
		return nil
	}
	a, err := findAccount(ctx, q, sellerID, "")
	if err != nil {
		return err
	}
	if a.Held() {
		return &domain.Error{Code: domain.CodeConflict, MsgID: "error.accounts.held",
			Err: errors.New("the seller's balance is below the limit and staff hold shipping and disposal")}
	}
	return nil
}

// settle keeps the seller told about the limit: the first row that takes
// the balance below it queues one reminder (saying whether shipping and
// disposal now wait), and a balance back at or above it clears the mark.
// force reminds again though the seller was told (staff changed the limit).
func (db *DB) settle(ctx context.Context, q querier, sellerID int64, force bool) error {
	var limit *int64
	var hold bool
	var since *time.Time
	err := q.QueryRow(ctx, `SELECT balance_limit, hold, below_since FROM accounts WHERE seller_id = $1 FOR UPDATE`,
		sellerID).Scan(&limit, &hold, &since)
	if errNoRows(err) || err == nil && limit == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the limit of seller %d: %w", sellerID, err)
	}
	balance, err := balanceOf(ctx, q, sellerID)
	if err != nil {
		return err
	}
	below := balance < *limit
	switch {
	case below && (since == nil || force):
		if _, err := q.Exec(ctx, `UPDATE accounts SET below_since = $2 WHERE seller_id = $1`, sellerID, db.Now()); err != nil {
			return err
		}
		return insertNotification(ctx, q, &domain.Notification{SellerID: sellerID, Kind: domain.NotifyAccountLow,
			Data: map[string]any{"Balance": balance, "Limit": *limit, "Hold": hold}})
	case !below && since != nil:
		_, err := q.Exec(ctx, `UPDATE accounts SET below_since = NULL WHERE seller_id = $1`, sellerID)
		return err
	}
	return nil
}

func balanceOf(ctx context.Context, q querier, sellerID int64) (int64, error) {
	var b int64
	err := q.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE seller_id = $1`, sellerID).Scan(&b)
	if err != nil {
		return 0, fmt.Errorf("sum the ledger of seller %d: %w", sellerID, err)
	}
	return b, nil
}

// findAccount reads a seller's standing; a seller staff never set
// anything on has the defaults.
func findAccount(ctx context.Context, q querier, sellerID int64, lock string) (*domain.Account, error) {
	a := &domain.Account{SellerID: sellerID}
	err := q.QueryRow(ctx, `SELECT balance_limit, hold, payment_method FROM accounts WHERE seller_id = $1 `+lock,
		sellerID).Scan(&a.Limit, &a.Hold, &a.Method)
	if err != nil && !errNoRows(err) {
		return nil, fmt.Errorf("read the account of seller %d: %w", sellerID, err)
	}
	a.Balance, err = balanceOf(ctx, q, sellerID)
	return a, err
}

// entryColumns are what scanEntry reads, in its order.
const entryColumns = `e.id, e.seller_id, e.kind, e.amount, e.return_id, e.return_number, e.day, e.key, e.tariff_id,
	e.reason, e.method, e.reverses, EXISTS (SELECT 1 FROM payment_proofs p WHERE p.entry_id = e.id),
	e.actor_kind, e.actor_id, e.actor_name, e.at`

func scanEntry(r pgx.CollectableRow) (*domain.LedgerEntry, error) {
	var e domain.LedgerEntry
	err := r.Scan(&e.ID, &e.SellerID, &e.Kind, &e.Amount, &e.ReturnID, &e.ReturnNumber, &e.Day, &e.Key, &e.TariffID,
		&e.Reason, &e.Method, &e.Reverses, &e.HasProof, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name, &e.At)
	return &e, err
}
