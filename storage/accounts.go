package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// AccountService implements domain.AccountService and domain.AccountJobs:
// the ledger, the accounts staff keep and the monthly statements.
type AccountService struct {
	db *DB
	// cnyPerRUB converts amounts for the ¥ shown beside them; 0: none.
	cnyPerRUB float64
}

var (
	_ domain.AccountService = (*AccountService)(nil)
	_ domain.AccountJobs    = (*AccountService)(nil)
)

// NewAccountService returns the accounts repository; cnyPerRUB is the
// configured rate (INDIGO_CNY_PER_RUB), 0 for none.
func NewAccountService(db *DB, cnyPerRUB float64) *AccountService {
	return &AccountService{db: db, cnyPerRUB: cnyPerRUB}
}

// CNY implements domain.AccountService.
func (as *AccountService) CNY(kopecks int64) int64 {
	return int64(float64(kopecks) * as.cnyPerRUB)
}

// FindAccount implements domain.AccountService.
func (as *AccountService) FindAccount(ctx context.Context, sellerID int64) (_ *domain.Account, err error) {
	defer wrap(&err, "find account of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return nil, err
	}
	return findAccount(ctx, as.db.q(ctx), sellerID, "")
}

// FindLedger implements domain.AccountService.
func (as *AccountService) FindLedger(ctx context.Context, sellerID int64, from, to time.Time) (_ []*domain.LedgerEntry, err error) {
	defer wrap(&err, "find ledger of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return nil, err
	}
	return findLedger(ctx, as.db.q(ctx), sellerID, from, to)
}

func findLedger(ctx context.Context, q querier, sellerID int64, from, to time.Time) ([]*domain.LedgerEntry, error) {
	rows, err := q.Query(ctx, `SELECT `+entryColumns+` FROM ledger_entries e
		WHERE e.seller_id = $1 AND e.at >= $2 AND e.at < $3 ORDER BY e.at, e.id`, sellerID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEntry)
}

// uniqueKey is the key of a row whose cause is the staff member's one
// act: nothing else can bill it twice.
func uniqueKey(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + ":" + hex.EncodeToString(b)
}

// staffActor is the acting staff member; sellers and the system may not.
func staffActor(ctx context.Context) (domain.Actor, error) {
	a, ok := domain.ActorFromContext(ctx)
	if !ok || a.Kind != domain.ActorStaff {
		return domain.Actor{}, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("only staff keep accounts")}
	}
	return a, nil
}

// Charge implements domain.AccountService: a one-off charge with its
// reason, audited with it.
func (as *AccountService) Charge(ctx context.Context, sellerID, amount int64, reason string) (_ *domain.LedgerEntry, err error) {
	defer wrap(&err, "charge seller %d", sellerID)
	actor, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if amount <= 0 || reason == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "error.accounts.charge_usage", nil)
	}
	now := as.db.Now()
	e := &domain.LedgerEntry{SellerID: sellerID, Kind: domain.LedgerStaffCharge, Amount: -amount, Reason: reason,
		Key: uniqueKey("staff_charge"), Actor: actor, At: now}
	return e, as.write(ctx, e, "accounts.charge", map[string]any{"amount": amount, "reason": reason})
}

// write records a staff row with its audit entry and settles the account.
func (as *AccountService) write(ctx context.Context, e *domain.LedgerEntry, action string, details map[string]any) error {
	return as.db.InTx(ctx, func(ctx context.Context) error {
		q := as.db.q(ctx)
		if _, err := NewSellerService(as.db).FindSellerByID(ctx, e.SellerID); err != nil {
			return err
		}
		wrote, err := writeEntry(ctx, q, e)
		if err != nil {
			return err
		}
		if !wrote {
			return &domain.Error{Code: domain.CodeConflict, MsgID: "error.already_exists"}
		}
		details["entry"] = e.ID
		sid := e.SellerID
		if err := NewAuditService(as.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: action, SellerID: &sid, ReturnID: e.ReturnID, Details: details}); err != nil {
			return err
		}
		return as.db.settle(ctx, q, e.SellerID, false)
	})
}

// RecordPayment implements domain.AccountService: the payment, its proof
// and the audit entry in one transaction, and the seller told the new
// balance, and that shipping goes on when the payment lifted a hold.
func (as *AccountService) RecordPayment(ctx context.Context, p domain.Payment) (_ *domain.LedgerEntry, err error) {
	defer wrap(&err, "record payment of seller %d", p.SellerID)
	actor, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if p.Amount <= 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "error.accounts.payment_usage", nil)
	}
	if len(p.Proof) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "error.accounts.proof_needed", nil)
	}
	now := as.db.Now()
	key := uniqueKey("payment")
	if p.Key != "" {
		key = "payment:" + p.Key
	}
	e := &domain.LedgerEntry{SellerID: p.SellerID, Kind: domain.LedgerPayment, Amount: p.Amount, Reason: p.Note,
		Method: p.Method, Key: key, Actor: actor, At: now}
	err = as.db.InTx(ctx, func(ctx context.Context) error {
		q := as.db.q(ctx)
		before, err := findAccount(ctx, q, p.SellerID, "")
		if err != nil {
			return err
		}
		if err := as.write(ctx, e, "accounts.payment", map[string]any{"amount": p.Amount, "method": p.Method,
			"note": p.Note, "proof": p.ProofName}); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO payment_proofs (entry_id, file_name, content_type, data) VALUES ($1, $2, $3, $4)`,
			e.ID, p.ProofName, p.ProofContentType, p.Proof); err != nil {
			return err
		}
		after, err := findAccount(ctx, q, p.SellerID, "")
		if err != nil {
			return err
		}
		return insertNotification(ctx, q, &domain.Notification{SellerID: p.SellerID, Kind: domain.NotifyPaymentRecorded,
			Data: map[string]any{"Amount": p.Amount, "Balance": after.Balance, "Lifted": before.Held() && !after.Held()}})
	})
	return e, err
}

// Correct implements domain.AccountService: the row that reverses one
// earlier row, once; a correction itself is never reversed.
func (as *AccountService) Correct(ctx context.Context, sellerID, entryID int64, reason string) (_ *domain.LedgerEntry, err error) {
	defer wrap(&err, "correct ledger row %d", entryID)
	actor, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	var orig *domain.LedgerEntry
	rows, err := as.db.q(ctx).Query(ctx, `SELECT `+entryColumns+` FROM ledger_entries e WHERE e.id = $1 AND e.seller_id = $2`, entryID, sellerID)
	if err == nil {
		orig, err = pgx.CollectExactlyOneRow(rows, scanEntry)
	}
	switch {
	case errNoRows(err):
		return nil, notFound("error.accounts.no_entry")
	case err != nil:
		return nil, err
	case orig.Kind == domain.LedgerCorrection:
		return nil, domain.Errorf(domain.CodeConflict, "error.accounts.correct_correction", nil)
	}
	e := &domain.LedgerEntry{SellerID: orig.SellerID, Kind: domain.LedgerCorrection, Amount: -orig.Amount,
		ReturnID: orig.ReturnID, ReturnNumber: orig.ReturnNumber, Key: fmt.Sprintf("correction:%d", orig.ID),
		Reason: strings.TrimSpace(reason), Reverses: &orig.ID, Actor: actor, At: as.db.Now()}
	err = as.write(ctx, e, "accounts.correct", map[string]any{"reverses": orig.ID, "amount": e.Amount, "reason": e.Reason})
	if domain.ErrorCode(err) == domain.CodeConflict {
		return nil, domain.Errorf(domain.CodeConflict, "error.accounts.corrected_already", nil)
	}
	return e, err
}

// SetLimit implements domain.AccountService. The seller is reminded at
// once when the balance is below the new limit.
func (as *AccountService) SetLimit(ctx context.Context, sellerID int64, limit *int64, hold bool) (_ *domain.Account, err error) {
	defer wrap(&err, "set the limit of seller %d", sellerID)
	if _, err := staffActor(ctx); err != nil {
		return nil, err
	}
	var a *domain.Account
	err = as.db.InTx(ctx, func(ctx context.Context) error {
		q := as.db.q(ctx)
		if _, err := NewSellerService(as.db).FindSellerByID(ctx, sellerID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO accounts (seller_id, balance_limit, hold) VALUES ($1, $2, $3)
			ON CONFLICT (seller_id) DO UPDATE SET balance_limit = $2, hold = $3, below_since = NULL, updated_at = now()`,
			sellerID, limit, hold); err != nil {
			return err
		}
		sid := sellerID
		if err := NewAuditService(as.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "accounts.limit", SellerID: &sid,
			Details: map[string]any{"limit": limit, "hold": hold}}); err != nil {
			return err
		}
		if err := as.db.settle(ctx, q, sellerID, true); err != nil {
			return err
		}
		a, err = findAccount(ctx, q, sellerID, "")
		return err
	})
	return a, err
}

// ChoosePaymentMethod implements domain.AccountService: the seller's own
// choice (or staff's for them), audited.
func (as *AccountService) ChoosePaymentMethod(ctx context.Context, sellerID int64, m domain.PaymentMethod) (err error) {
	defer wrap(&err, "choose payment method of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return err
	}
	if _, err := domain.ParsePaymentMethod(string(m)); err != nil {
		return err
	}
	return as.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := as.db.q(ctx).Exec(ctx, `INSERT INTO accounts (seller_id, payment_method) VALUES ($1, $2)
			ON CONFLICT (seller_id) DO UPDATE SET payment_method = $2, updated_at = now()`, sellerID, m); err != nil {
			return err
		}
		sid := sellerID
		return NewAuditService(as.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "accounts.method", SellerID: &sid,
			Details: map[string]any{"method": m}})
	})
}

// PublishPaymentDetails implements domain.AccountService.
func (as *AccountService) PublishPaymentDetails(ctx context.Context, m domain.PaymentMethod, details string) (err error) {
	defer wrap(&err, "publish details of %s", m)
	if _, err := staffActor(ctx); err != nil {
		return err
	}
	if _, err := domain.ParsePaymentMethod(string(m)); err != nil {
		return err
	}
	details = strings.TrimSpace(details)
	if details == "" || len(details) > 2000 {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.details_usage", nil)
	}
	return as.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := as.db.q(ctx).Exec(ctx, `INSERT INTO payment_details (method, details) VALUES ($1, $2)
			ON CONFLICT (method) DO UPDATE SET details = $2, updated_at = now()`, m, details); err != nil {
			return err
		}
		return NewAuditService(as.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "accounts.details",
			Details: map[string]any{"method": m, "details": details}})
	})
}

// FindPaymentDetails implements domain.AccountService: the same for
// every seller, in AllPaymentMethods order.
func (as *AccountService) FindPaymentDetails(ctx context.Context) (_ []domain.PaymentDetails, err error) {
	defer wrap(&err, "find payment details")
	if _, err := actorScope(ctx); err != nil {
		return nil, err
	}
	rows, err := as.db.q(ctx).Query(ctx, `SELECT method, details, updated_at FROM payment_details
		ORDER BY array_position(ARRAY['bank_transfer_rub', 'alipay_cny', 'wechat_pay_cny'], method)`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PaymentDetails, error) {
		var d domain.PaymentDetails
		err := r.Scan(&d.Method, &d.Details, &d.UpdatedAt)
		return d, err
	})
}
