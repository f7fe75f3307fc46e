package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// setTariff sets one tariff line from a time, as staff do.
func setTariff(t *testing.T, db *storage.DB, kind domain.TariffKind, value int64, from time.Time) {
	t.Helper()
	if err := storage.NewTariffService(db).SetTariff(staffCtx(), &domain.Tariff{Kind: kind, Value: value, EffectiveFrom: from}); err != nil {
		t.Fatal(err)
	}
}

// ledgerSum is the sum of a seller's rows, read straight from the table.
func ledgerSum(t *testing.T, db *storage.DB, sellerID int64) int64 {
	t.Helper()
	var sum int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE seller_id = $1`,
		sellerID).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

func mustBalance(t *testing.T, as *storage.AccountService, sellerID, want int64) {
	t.Helper()
	a, err := as.FindAccount(pgtest.System(), sellerID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Balance != want {
		t.Errorf("balance = %d, want %d", a.Balance, want)
	}
}

func proof() domain.Payment {
	return domain.Payment{Method: domain.PayBankTransferRUB, ProofName: "receipt.jpg", ProofContentType: "image/jpeg", Proof: []byte("jpeg")}
}

// TestLedgerInvariants: lifecycle steps bill the tariff once each, in the
// step's transaction; the balance is the sum of the rows; the database
// refuses to change or remove a row; a correction reverses one row once.
func TestLedgerInvariants(t *testing.T) {
	db := pgtest.New(t)
	clock := &fakeClock{now: time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	from := clock.Now().AddDate(0, 0, -1)
	setTariff(t, db, domain.TariffReceipt, 50_00, from)
	setTariff(t, db, domain.TariffInspection, 30_00, from)
	setTariff(t, db, domain.TariffPhotos, 20_00, from)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	rs := storage.NewReturnService(db)
	r := receivedReturn(t, db, store.ID, func(r *domain.Return) { r.NeedsVerification, r.PhotoVideoRequired = true, true })
	if _, err := rs.ApplyEvent(staffCtx(), r.ID, domain.ReturnChange{Event: domain.EventInspect}); err != nil {
		t.Fatal(err)
	}
	as := storage.NewAccountService(db, 0.08)
	charge, err := as.Charge(staffCtx(), seller.ID, 100_00, "extra packing")
	if err != nil {
		t.Fatal(err)
	}
	p := proof()
	p.SellerID, p.Amount = seller.ID, 500_00
	if _, err := as.RecordPayment(staffCtx(), p); err != nil {
		t.Fatal(err)
	}
	want := int64(-50_00 - 30_00 - 20_00 - 100_00 + 500_00)
	mustBalance(t, as, seller.ID, want)
	if got := ledgerSum(t, db, seller.ID); got != want {
		t.Errorf("sum of rows = %d, want %d", got, want)
	}

	t.Run("RowsNeverChange", func(t *testing.T) {
		for _, q := range []string{
			`UPDATE ledger_entries SET amount = 0 WHERE seller_id = $1`,
			`DELETE FROM ledger_entries WHERE seller_id = $1`,
			`TRUNCATE ledger_entries CASCADE`,
		} {
			args := []any{seller.ID}
			if q[0] == 'T' {
				args = nil
			}
			// The trigger's refusal, not some other constraint's.
			if _, err := db.Pool.Exec(context.Background(), q, args...); err == nil || !strings.Contains(err.Error(), "never changed") {
				t.Errorf("%s: %v, want the ledger trigger's refusal", q, err)
			}
		}
		if got := ledgerSum(t, db, seller.ID); got != want {
			t.Errorf("after the refused changes the sum = %d, want %d", got, want)
		}
	})
	t.Run("CorrectionReverses", func(t *testing.T) {
		c, err := as.Correct(staffCtx(), seller.ID, charge.ID, "charged by mistake")
		if err != nil {
			t.Fatal(err)
		}
		if c.Amount != 100_00 || c.Reverses == nil || *c.Reverses != charge.ID {
			t.Errorf("correction = %+v", c)
		}
		mustBalance(t, as, seller.ID, want+100_00)
		if _, err := as.Correct(staffCtx(), seller.ID, charge.ID, "again"); domain.ErrorMsgID(err) != "error.accounts.corrected_already" {
			t.Errorf("second correction: %v", err)
		}
		if _, err := as.Correct(staffCtx(), seller.ID, c.ID, ""); domain.ErrorMsgID(err) != "error.accounts.correct_correction" {
			t.Errorf("correcting a correction: %v", err)
		}
		mustBalance(t, as, seller.ID, ledgerSum(t, db, seller.ID))
	})
	t.Run("Audited", func(t *testing.T) {
		if n := count(t, db, `SELECT count(*) FROM audit_log WHERE seller_id = $1 AND action LIKE 'accounts.%'`, seller.ID); n != 3 {
			t.Errorf("%d accounts audit entries, want 3 (charge, payment, correction)", n)
		}
	})
}

// TestStorageChargeOncePerDay: two replicas running the daily job many
// times a day charge each kept item once per day beyond its free days,
// and so does a replica started again the same day; an item shipped is
// not charged any more.
func TestStorageChargeOncePerDay(t *testing.T) {
	url := pgtest.NewURL(t)
	open := func() *storage.DB {
		db, err := storage.Open(context.Background(), url, pgtest.SecretKey)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	dbs := []*storage.DB{open(), open()}
	received := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC) // 11:00 in Moscow
	clock := &fakeClock{now: received}
	for _, db := range dbs {
		db.Now = clock.Now
	}
	db := dbs[0]
	setTariff(t, db, domain.TariffStorageDay, 10_00, received.AddDate(0, 0, -5))
	setTariff(t, db, domain.TariffFreeDays, 2, received.AddDate(0, 0, -5))
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	kept := []*domain.Return{receivedReturn(t, db, store.ID, nil), receivedReturn(t, db, store.ID, nil)}
	run := func(dbs []*storage.DB, day int) int {
		clock.Set(received.AddDate(0, 0, day).Add(time.Duration(day) * time.Hour))
		return onEveryReplica(t, dbs, func(db *storage.DB) (int, error) {
			return storage.NewAccountService(db, 0).ChargeStorage(pgtest.System(), clock.Now())
		})
	}
	for _, tt := range []struct{ day, want int }{{0, 0}, {1, 0}, {2, 2}, {2, 0}, {3, 2}} {
		if n := run(dbs, tt.day); n != tt.want {
			t.Errorf("day %d: %d charged, want %d", tt.day, n, tt.want)
		}
	}
	// A restart: the first replica's pool goes, a new one comes the same day.
	dbs[0].Close()
	restarted := open()
	restarted.Now = clock.Now
	dbs = []*storage.DB{restarted, dbs[1]}
	if n := run(dbs, 3); n != 0 {
		t.Errorf("after a restart on day 3: %d charged again", n)
	}
	// The first item leaves: only the other is charged on day 4.
	ship := kept[0]
	if _, err := storage.NewAccountService(restarted, 0).FindAccount(pgtest.System(), seller.ID); err != nil {
		t.Fatal(err)
	}
	mustApply(t, restarted, ship.ID, domain.ReturnChange{Event: domain.EventDecideDispose, Decision: domain.DecisionDispose})
	mustApply(t, restarted, ship.ID, domain.ReturnChange{Event: domain.EventDispose})
	if n := run(dbs, 4); n != 1 {
		t.Errorf("day 4: %d charged, want 1", n)
	}
	if n := count(t, restarted, `SELECT count(*) FROM ledger_entries WHERE kind = 'storage_day'`); n != 5 {
		t.Errorf("%d storage rows, want 5", n)
	}
	if n := count(t, restarted, `SELECT count(DISTINCT (return_id, day)) FROM ledger_entries WHERE kind = 'storage_day'`); n != 5 {
		t.Errorf("%d distinct item-days, want 5", n)
	}
}

func mustApply(t *testing.T, db *storage.DB, id int64, ch domain.ReturnChange) *domain.Return {
	t.Helper()
	r, err := storage.NewReturnService(db).ApplyEvent(staffCtx(), id, ch)
	if err != nil {
		t.Fatalf("%s: %v", ch.Event, err)
	}
	return r
}

// TestTariffEffectiveDate: a line set ahead of its date bills nothing
// before it; the day it takes effect every charge reads it.
func TestTariffEffectiveDate(t *testing.T) {
	db := pgtest.New(t)
	start := time.Date(2026, 12, 10, 7, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	db.Now = clock.Now
	change := time.Date(2026, 12, 12, 0, 0, 0, 0, domain.Moscow)
	setTariff(t, db, domain.TariffStorageDay, 10_00, start.AddDate(0, -1, 0))
	setTariff(t, db, domain.TariffReceipt, 40_00, start.AddDate(0, -1, 0))
	setTariff(t, db, domain.TariffStorageDay, 25_00, change)
	setTariff(t, db, domain.TariffReceipt, 60_00, change)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	first := receivedReturn(t, db, store.ID, nil)
	as := storage.NewAccountService(db, 0)
	for _, day := range []int{0, 1, 2, 3} {
		clock.Set(start.AddDate(0, 0, day))
		if _, err := as.ChargeStorage(pgtest.System(), clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	second := receivedReturn(t, db, store.ID, nil) // on day 3, after the change
	rows, err := as.FindLedger(pgtest.System(), seller.ID, start.AddDate(0, -1, 0), start.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, e := range rows {
		key := string(e.Kind)
		if e.Day != nil {
			key += " " + e.Day.Format("01-02")
		} else if *e.ReturnID == second.ID {
			key += " second"
		} else if *e.ReturnID == first.ID {
			key += " first"
		}
		got[key] = e.Amount
	}
	want := map[string]int64{"receipt first": -40_00, "receipt second": -60_00,
		"storage_day 12-10": -10_00, "storage_day 12-11": -10_00, "storage_day 12-12": -25_00, "storage_day 12-13": -25_00}
	if len(got) != len(want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

// TestStatementTotals: the statement issued on the 1st has the month's
// rows and totals exactly as the ledger has them, the balance before the
// month as its opening; every replica's run issues it once, with one push.
func TestStatementTotals(t *testing.T) {
	dbs := pgtest.Replicas(t, 2)
	clock := &fakeClock{now: time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)}
	for _, db := range dbs {
		db.Now = clock.Now
	}
	db := dbs[0]
	seller := pgtest.Seller(t, db, nil)
	as := storage.NewAccountService(db, 0)
	charge := func(at time.Time, amount int64) {
		clock.Set(at)
		if _, err := as.Charge(staffCtx(), seller.ID, amount, "work"); err != nil {
			t.Fatal(err)
		}
	}
	charge(time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC), 70_00)
	charge(time.Date(2026, 11, 1, 0, 30, 0, 0, domain.Moscow), 100_00) // just into November in Moscow
	clock.Set(time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC))
	p := proof()
	p.SellerID, p.Amount = seller.ID, 250_00
	if _, err := as.RecordPayment(staffCtx(), p); err != nil {
		t.Fatal(err)
	}
	charge(time.Date(2026, 11, 30, 23, 59, 0, 0, domain.Moscow), 30_00)
	charge(time.Date(2026, 12, 1, 0, 1, 0, 0, domain.Moscow), 999_00) // December's

	first := time.Date(2026, 12, 1, 6, 0, 0, 0, domain.Moscow)
	clock.Set(first)
	if n := onEveryReplica(t, dbs, func(db *storage.DB) (int, error) {
		return storage.NewAccountService(db, 0).IssueStatements(pgtest.System(), first)
	}); n != 1 {
		t.Fatalf("%d statements issued, want 1", n)
	}
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, domain.Moscow)
	s, err := as.Statement(pgtest.As(seller), seller.ID, nov)
	if err != nil {
		t.Fatal(err)
	}
	var charges, credits int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(amount) FILTER (WHERE amount < 0), 0),
		coalesce(sum(amount) FILTER (WHERE amount > 0), 0) FROM ledger_entries
		WHERE seller_id = $1 AND at >= $2 AND at < $3`, seller.ID, nov, nov.AddDate(0, 1, 0)).Scan(&charges, &credits); err != nil {
		t.Fatal(err)
	}
	if s.Opening != -70_00 || s.Charges != charges || s.Credits != credits || charges != -130_00 || credits != 250_00 ||
		s.Closing != -70_00-130_00+250_00 || len(s.Entries) != 3 || s.IssuedAt == nil {
		t.Errorf("statement = %+v; ledger charges %d credits %d", s, charges, credits)
	}
	var stored [4]int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT opening, charges, credits, closing FROM statements
		WHERE seller_id = $1`, seller.ID).Scan(&stored[0], &stored[1], &stored[2], &stored[3]); err != nil {
		t.Fatal(err)
	}
	if stored != [4]int64{s.Opening, s.Charges, s.Credits, s.Closing} {
		t.Errorf("issued totals %v, read %+v", stored, s)
	}
	if n := count(t, db, `SELECT count(*) FROM notifications WHERE seller_id = $1 AND kind = 'statement'`, seller.ID); n != 1 {
		t.Errorf("%d statement pushes, want 1", n)
	}
	months, err := as.Statements(pgtest.As(seller), seller.ID)
	if err != nil || len(months) != 3 || !months[1].Equal(nov) {
		t.Errorf("months = %v, %v", months, err)
	}
}

// TestHoldStopsShipping: below the limit with the hold on, the seller is
// told once and neither shipping nor disposal goes; a payment lifts it,
// the seller is told so, and the shipment goes.
func TestHoldStopsShipping(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	setTariff(t, db, domain.TariffReceipt, 80_00, time.Now().AddDate(0, 0, -1))
	as := storage.NewAccountService(db, 0)
	limit := int64(-100_00)
	if _, err := as.SetLimit(staffCtx(), seller.ID, &limit, true); err != nil {
		t.Fatal(err)
	}
	r := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingShipmentToSeller })
	disp := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingDisposal })
	receivedReturn(t, db, store.ID, nil) // −80: above the limit
	if a, _ := as.FindAccount(pgtest.System(), seller.ID); a.Held() {
		t.Fatalf("held at %d", a.Balance)
	}
	receivedReturn(t, db, store.ID, nil) // −160: below it
	receivedReturn(t, db, store.ID, nil) // still below: no second reminder
	if n := count(t, db, `SELECT count(*) FROM notifications WHERE seller_id = $1 AND kind = 'account_low'`, seller.ID); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	rs := storage.NewReturnService(db)
	for _, tt := range []struct {
		id int64
		ev domain.Event
	}{{r.ID, domain.EventShipToSeller}, {disp.ID, domain.EventDispose}} {
		if _, err := rs.ApplyEvent(staffCtx(), tt.id, domain.ReturnChange{Event: tt.ev}); domain.ErrorMsgID(err) != "error.accounts.held" {
			t.Errorf("%s while held: %v", tt.ev, err)
		}
	}
	if got, _ := rs.FindReturnByID(pgtest.System(), r.ID); got.Status != domain.StatusAwaitingShipmentToSeller {
		t.Errorf("status = %s", got.Status)
	}
	p := proof()
	p.SellerID, p.Amount = seller.ID, 200_00
	if _, err := as.RecordPayment(staffCtx(), p); err != nil {
		t.Fatal(err)
	}
	ns, err := storage.NewNotificationService(db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := ns[len(ns)-1]
	if last.Kind != domain.NotifyPaymentRecorded || last.Data["Lifted"] != true {
		t.Errorf("last notification = %+v", last)
	}
	mustApply(t, db, r.ID, domain.ReturnChange{Event: domain.EventShipToSeller})
	mustApply(t, db, disp.ID, domain.ReturnChange{Event: domain.EventDispose})
}

// TestAccountIsolation: a seller reads only their own account, ledger and
// statements, and neither charges, records payments nor sets limits.
func TestAccountIsolation(t *testing.T) {
	db := pgtest.New(t)
	alice := pgtest.Seller(t, db, nil)
	bob := pgtest.Seller(t, db, nil)
	as := storage.NewAccountService(db, 0)
	if _, err := as.Charge(staffCtx(), alice.ID, 10_00, "work"); err != nil {
		t.Fatal(err)
	}
	asBob := pgtest.As(bob)
	now := time.Now()
	checks := map[string]error{}
	_, checks["FindAccount"] = as.FindAccount(asBob, alice.ID)
	_, checks["FindLedger"] = as.FindLedger(asBob, alice.ID, now.AddDate(-1, 0, 0), now.AddDate(0, 0, 1))
	_, checks["Statement"] = as.Statement(asBob, alice.ID, now)
	_, checks["Statements"] = as.Statements(asBob, alice.ID)
	checks["ChoosePaymentMethod"] = as.ChoosePaymentMethod(asBob, alice.ID, domain.PayAlipayCNY)
	for name, err := range checks {
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("%s of another seller: %v, want not found", name, err)
		}
	}
	rows, err := as.FindLedger(pgtest.System(), alice.ID, now.AddDate(-1, 0, 0), now.AddDate(0, 0, 1))
	if err != nil || len(rows) != 1 {
		t.Fatalf("alice's rows = %v, %v", rows, err)
	}
	if _, err := as.Correct(staffCtx(), bob.ID, rows[0].ID, "as bob's"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("correcting alice's row as bob's: %v, want not found", err)
	}
	p := proof()
	p.SellerID, p.Amount = bob.ID, 10_00
	forbidden := map[string]error{}
	_, forbidden["Charge"] = as.Charge(asBob, bob.ID, 1, "x")
	_, forbidden["RecordPayment"] = as.RecordPayment(asBob, p)
	_, forbidden["SetLimit"] = as.SetLimit(asBob, bob.ID, nil, false)
	forbidden["PublishPaymentDetails"] = as.PublishPaymentDetails(asBob, domain.PayAlipayCNY, "mine")
	for name, err := range forbidden {
		if domain.ErrorCode(err) != domain.CodeForbidden {
			t.Errorf("%s by a seller: %v, want forbidden", name, err)
		}
	}
	if a, err := as.FindAccount(asBob, bob.ID); err != nil || a.Balance != 0 {
		t.Errorf("bob's own account = %+v, %v", a, err)
	}
}

// TestResaleCharged: a resold unit the buyer received is billed the fee
// per order and the percentage of its rouble price, once, with the sale.
func TestResaleCharged(t *testing.T) {
	db := pgtest.New(t)
	setTariff(t, db, domain.TariffResaleOrder, 100_00, time.Now().AddDate(0, 0, -1))
	setTariff(t, db, domain.TariffResalePercent, 250, time.Now().AddDate(0, 0, -1))
	seller := pgtest.Seller(t, db, nil)
	us := storage.NewUnitService(db)
	u, err := us.ShelveUnit(staffCtx(), forSale(t, db, seller.ID, domain.StatusAwaitingTransferToSale).ID, "A-1")
	mustOK(t, err)
	order := &domain.UnitOrder{ID: 5501, RID: "rid-5501", CreatedAt: time.Now(), CargoType: 1, Price: 2000_00, Currency: 643}
	for _, ch := range []domain.UnitChange{{Event: domain.UnitEventList}, {Event: domain.UnitEventOrder, Order: order},
		{Event: domain.UnitEventPack}, {Event: domain.UnitEventHandOver}, {Event: domain.UnitEventSell}} {
		if _, err := us.ApplyUnitEvent(pgtest.System(), u.ID, ch); err != nil {
			t.Fatalf("%s: %v", ch.Event, err)
		}
	}
	rows, err := storage.NewAccountService(db, 0).FindLedger(pgtest.As(seller), seller.ID, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1))
	mustOK(t, err)
	got := map[domain.LedgerKind]int64{}
	for _, e := range rows {
		got[e.Kind] += e.Amount
	}
	if len(rows) != 2 || got[domain.LedgerResaleOrder] != -100_00 || got[domain.LedgerResalePercent] != -50_00 {
		t.Errorf("rows = %v", got)
	}
}
