package domain

import (
	"context"
	"sort"
	"time"
)

// A seller's account with Indigo (the manual's "Accounts" page): what
// Indigo charged, what the seller paid, and the balance, which is the sum
// of the ledger's rows and nothing else. A row is written in the same
// transaction as the event that causes it and never changed: a mistake is
// put right by a row that reverses it.

// LedgerKind names what a ledger row is for.
type LedgerKind string

// Ledger kinds. A charge's kind is the tariff line it was billed by.
const (
	LedgerReceipt        LedgerKind = "receipt"
	LedgerInspection     LedgerKind = "inspection"
	LedgerPhotos         LedgerKind = "photos"
	LedgerStorageDay     LedgerKind = "storage_day"
	LedgerSellFee        LedgerKind = "sell_fee"
	LedgerResaleOrder    LedgerKind = "resale_order"
	LedgerResalePercent  LedgerKind = "resale_percent"
	LedgerReturnHandling LedgerKind = "return_handling"
	LedgerDisposeFee     LedgerKind = "dispose_fee"
	LedgerStaffCharge    LedgerKind = "staff_charge" // a one-off charge staff entered with a reason
	LedgerPayment        LedgerKind = "payment"      // money the seller paid, recorded by staff with its proof
	LedgerCorrection     LedgerKind = "correction"   // reverses one earlier row
)

// AllLedgerKinds lists the kinds in the order a statement lists them.
func AllLedgerKinds() []LedgerKind {
	return []LedgerKind{LedgerReceipt, LedgerInspection, LedgerPhotos, LedgerStorageDay, LedgerSellFee,
		LedgerResaleOrder, LedgerResalePercent, LedgerReturnHandling, LedgerDisposeFee, LedgerStaffCharge,
		LedgerPayment, LedgerCorrection}
}

// ChargeFor is the tariff line an event of a return bills, if any.
func ChargeFor(ev Event) (TariffKind, bool) {
	k, ok := map[Event]TariffKind{
		EventReceive:              TariffReceipt,
		EventReceiveForInspection: TariffReceipt,
		EventInspect:              TariffInspection,
		EventTransferToSale:       TariffSellFee,
		EventShipToSeller:         TariffReturnHandling,
		EventDispose:              TariffDisposeFee,
	}[ev]
	return k, ok
}

// HeldBy reports whether a hold on the account stops the event: shipping
// to the seller and disposal wait until the seller has paid.
func HeldBy(ev Event) bool { return ev == EventShipToSeller || ev == EventDispose }

// LedgerEntry is one row of a seller's ledger. Amount is signed kopecks:
// a charge is negative, a payment positive, so the balance is their sum.
type LedgerEntry struct {
	ID       int64
	SellerID int64
	Kind     LedgerKind
	Amount   int64
	ReturnID *int64
	// ReturnNumber is the return's number, read with the row for display.
	ReturnNumber string
	// Day is the Moscow day a storage charge is for.
	Day *time.Time
	// Key makes the row's cause happen once: a second row with the same
	// key is not written ("receipt:r12", "storage_day:r12:2026-11-05").
	Key      string
	TariffID *int64 // the tariff line it was billed by
	Reason   string // a staff charge's or correction's reason, a payment's note
	Method   PaymentMethod
	Reverses *int64 // a correction: the row it reverses
	HasProof bool   // a payment: its proof is kept
	Actor    Actor
	At       time.Time
}

// PaymentMethod is a way a seller pays Indigo.
type PaymentMethod string

// Payment methods: roubles by bank transfer, or yuan by Alipay or WeChat Pay.
const (
	PayBankTransferRUB PaymentMethod = "bank_transfer_rub"
	PayAlipayCNY       PaymentMethod = "alipay_cny"
	PayWeChatPayCNY    PaymentMethod = "wechat_pay_cny"
)

// AllPaymentMethods lists the methods a seller chooses from.
func AllPaymentMethods() []PaymentMethod {
	return []PaymentMethod{PayBankTransferRUB, PayAlipayCNY, PayWeChatPayCNY}
}

// ParsePaymentMethod validates a method name.
func ParsePaymentMethod(s string) (PaymentMethod, error) {
	for _, m := range AllPaymentMethods() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.accounts.unknown_method", map[string]any{"Method": s})
}

// PaymentDetails are what staff publish for a method: where to pay.
type PaymentDetails struct {
	Method    PaymentMethod
	Details   string
	UpdatedAt time.Time
}

// Account is a seller's standing: the balance and what staff set on it.
type Account struct {
	SellerID int64
	Balance  int64 // kopecks: the sum of the ledger
	// Limit is the lowest balance before the seller is reminded; nil: none.
	Limit *int64
	// Hold, where staff switch it on, stops shipping and disposal while
	// the balance is below the limit.
	Hold   bool
	Method PaymentMethod // "" until the seller chooses
}

// Below reports whether the balance is under the limit.
func (a *Account) Below() bool { return a.Limit != nil && a.Balance < *a.Limit }

// Held reports whether shipping and disposal wait for a payment.
func (a *Account) Held() bool { return a.Hold && a.Below() }

// Payment is money a seller paid, as staff record it.
type Payment struct {
	SellerID int64
	Amount   int64 // kopecks, positive
	Method   PaymentMethod
	Note     string
	// Key makes the payment recorded once however often the act that
	// records it comes again (the staff message's id); "" for none.
	Key string
	// Proof is the photo or file staff attached: the transfer's receipt.
	ProofName        string
	ProofContentType string
	Proof            []byte
}

// Statement is one calendar month (Moscow time) of a seller's ledger.
type Statement struct {
	SellerID int64
	Month    time.Time // the first day of the month, in Moscow
	Opening  int64     // the balance before the month
	Charges  int64     // the month's negative rows, summed (≤ 0)
	Credits  int64     // the month's positive rows, summed (≥ 0)
	Closing  int64     // Opening + Charges + Credits
	Entries  []*LedgerEntry
	// IssuedAt is when the statement was issued on the 1st; nil for a
	// month read on demand that was never issued.
	IssuedAt *time.Time
}

// KindTotal is one kind's rows of a month, counted and summed.
type KindTotal struct {
	Kind   LedgerKind
	Count  int
	Amount int64
}

// ReturnTotal is one return's rows of a month, summed.
type ReturnTotal struct {
	ReturnID     int64
	ReturnNumber string
	Count        int
	Amount       int64
}

// ByKind totals the statement's rows per kind, in AllLedgerKinds order.
func (s *Statement) ByKind() []KindTotal {
	sums := map[LedgerKind]*KindTotal{}
	for _, e := range s.Entries {
		t := sums[e.Kind]
		if t == nil {
			t = &KindTotal{Kind: e.Kind}
			sums[e.Kind] = t
		}
		t.Count++
		t.Amount += e.Amount
	}
	var out []KindTotal
	for _, k := range AllLedgerKinds() {
		if t := sums[k]; t != nil {
			out = append(out, *t)
		}
	}
	return out
}

// ByReturn totals the rows about a return per return, largest charge first.
func (s *Statement) ByReturn() []ReturnTotal {
	idx := map[int64]int{}
	var out []ReturnTotal
	for _, e := range s.Entries {
		if e.ReturnID == nil {
			continue
		}
		i, ok := idx[*e.ReturnID]
		if !ok {
			i = len(out)
			idx[*e.ReturnID] = i
			out = append(out, ReturnTotal{ReturnID: *e.ReturnID, ReturnNumber: e.ReturnNumber})
		}
		out[i].Count++
		out[i].Amount += e.Amount
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Amount < out[j].Amount })
	return out
}

// Moscow is the warehouse's clock: days and months are counted in it.
var Moscow = time.FixedZone("MSK", 3*3600)

// MonthOf is the first instant of t's month in Moscow.
func MonthOf(t time.Time) time.Time {
	t = t.In(Moscow)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Moscow)
}

// DayOf is the first instant of t's day in Moscow.
func DayOf(t time.Time) time.Time {
	t = t.In(Moscow)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Moscow)
}

// ParseMonth reads "2026-11" as that month's first instant in Moscow.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, Moscow)
	if err != nil {
		return time.Time{}, Errorf(CodeInvalid, "error.accounts.bad_month", nil)
	}
	return t, nil
}

// AccountService keeps the ledger, the accounts and the statements. A
// seller acting in ctx sees only their own; only staff record payments,
// charges, corrections, limits and payment details.
type AccountService interface {
	FindAccount(ctx context.Context, sellerID int64) (*Account, error)
	// FindLedger lists a seller's rows in [from, to), oldest first.
	FindLedger(ctx context.Context, sellerID int64, from, to time.Time) ([]*LedgerEntry, error)
	// Charge writes a staff one-off charge (Amount > 0 is charged).
	Charge(ctx context.Context, sellerID, amount int64, reason string) (*LedgerEntry, error)
	RecordPayment(ctx context.Context, p Payment) (*LedgerEntry, error)
	// Correct writes the row reversing the seller's row entryID; a row is
	// reversed once.
	Correct(ctx context.Context, sellerID, entryID int64, reason string) (*LedgerEntry, error)
	SetLimit(ctx context.Context, sellerID int64, limit *int64, hold bool) (*Account, error)
	ChoosePaymentMethod(ctx context.Context, sellerID int64, m PaymentMethod) error
	PublishPaymentDetails(ctx context.Context, m PaymentMethod, details string) error
	FindPaymentDetails(ctx context.Context) ([]PaymentDetails, error)

	// Statement is a month's statement, issued or not; Statements lists the
	// months the seller has rows in, newest first.
	Statement(ctx context.Context, sellerID int64, month time.Time) (*Statement, error)
	Statements(ctx context.Context, sellerID int64) ([]time.Time, error)

	// CNY converts kopecks to fen at the configured rate; 0 when none is set.
	CNY(kopecks int64) int64
}

// AccountJobs are the accounts' scheduled work, run by cmd/indigo.
type AccountJobs interface {
	// ChargeStorage charges today's storage (Moscow day) of every item
	// kept beyond its free days; each item and day is charged once.
	ChargeStorage(ctx context.Context, now time.Time) (int, error)
	// IssueStatements issues last month's statement of every seller with
	// rows and queues its push; each seller and month once.
	IssueStatements(ctx context.Context, now time.Time) (int, error)
}
