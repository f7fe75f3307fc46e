package conversations_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

var accountsNow = time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)

// TestAccountsCommand: /accounts shows the seller's own balance (with
// yuan), this month's charges by kind and by return, the price list, the
// statements of any month, and the payment methods with the details
// staff published; another seller's returns never appear.
func TestAccountsCommand(t *testing.T) {
	h, _ := clockHarness(t, accountsNow)
	setTariff(t, h.db, accountsNow, domain.Tariff{Kind: domain.TariffReceipt, Value: 50_00},
		domain.Tariff{Kind: domain.TariffFreeDays, Value: 3}, domain.Tariff{Kind: domain.TariffResalePercent, Value: 250})
	l := bundle.For("en")
	alice := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "9301"}}
	})
	bob := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Identities, s.Language = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "9302"}}, domain.LangRussian
	})
	pgtest.Received(t, h.db, alice.ID, "R-ALICE")
	pgtest.Received(t, h.db, bob.ID, "R-BOB-1")
	pgtest.Received(t, h.db, bob.ID, "R-BOB-2")
	if err := storage.NewAccountService(h.db, 0).PublishPaymentDetails(staffActs, domain.PayAlipayCNY, "Alipay: pay@indigo.example"); err != nil {
		t.Fatal(err)
	}

	c := h.chat("9301", "en")
	got := texts(c.send("/accounts"))
	for _, want := range []string{l.T("flow.accounts.balance_owed", map[string]any{"Balance": "−₽50 (≈ −¥4)", "Owed": "₽50 (≈ ¥4)"}),
		"R-ALICE", l.Plural("flow.accounts.kind_line", 1, map[string]any{"Kind": l.Label("ledger_kind", "receipt"), "Amount": "−₽50 (≈ −¥4)"}),
		l.T("flow.accounts.method_none")} {
		if !strings.Contains(got, want) {
			t.Errorf("/accounts lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "R-BOB") {
		t.Errorf("alice sees bob's returns:\n%s", got)
	}
	expect(t, c.press(l.T("button.accounts.prices")), l.Label("tariff_kind", "receipt")+": ₽50 (≈ ¥4)",
		l.Plural("flow.accounts.days", 3, nil), "2.5% of the sale price")

	c.send("/accounts")
	c.press(l.T("button.accounts.statements"))
	expect(t, c.press("December 2026"), "Statement for December 2026", "Charged: ₽50", l.T("flow.accounts.statement_open"))

	c.send("/accounts")
	c.press(l.T("button.accounts.method"))
	expect(t, c.press(l.Label("payment_method", "alipay_cny")), "Alipay: pay@indigo.example")
	if a, _ := storage.NewAccountService(h.db, 0).FindAccount(pgtest.System(), alice.ID); a.Method != domain.PayAlipayCNY {
		t.Errorf("method = %q", a.Method)
	}

	t.Run("Isolation", func(t *testing.T) {
		b := h.chat("9302", "ru")
		got := texts(b.send("/accounts"))
		if strings.Contains(got, "R-ALICE") || !strings.Contains(got, "R-BOB-2") || !strings.Contains(got, "−"+bundle.For("ru").FormatRUB(100_00)) {
			t.Errorf("bob's /accounts:\n%s", got)
		}
		b.press(bundle.For("ru").T("button.accounts.statements"))
		got = texts(b.press("декабрь 2026"))
		if strings.Contains(got, "R-ALICE") || !strings.Contains(got, "Выписка за декабрь 2026") {
			t.Errorf("bob's statement:\n%s", got)
		}
		if a, _ := storage.NewAccountService(h.db, 0).FindAccount(pgtest.System(), bob.ID); a.Method != "" {
			t.Errorf("bob's method = %q: alice's choice leaked", a.Method)
		}
	})
}

// TestStaffAccounts: in a seller's topic staff charge, set a limit with
// the hold (the seller is told why and what to do), record a payment only
// with its proof (the seller is told, the hold lifted), correct a row of
// that seller's only, and read the account; every step is audited.
func TestStaffAccounts(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	other := pgtest.Seller(t, f.h.db, nil)
	otherCharge, err := storage.NewAccountService(f.h.db, 0).Charge(staffActs, other.ID, 10_00, "other's")
	if err != nil {
		t.Fatal(err)
	}
	c.send("hello")
	f.flush(t)
	topic := f.chat.last(t).at.Thread
	l := bundle.For("en")
	staff := func(text string, files ...conversations.File) string {
		t.Helper()
		f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: text, Files: files}, Thread: topic})
		return f.chat.last(t).m.Text
	}
	if got := staff("/charge 300 extra packing"); !strings.Contains(got, "−₽300") {
		t.Fatalf("charge: %s", got)
	}
	if got := staff("/limit 100 hold"); !strings.Contains(got, "−₽100") || !strings.Contains(got, "held until paid") {
		t.Fatalf("limit: %s", got)
	}
	pushes := func(kind domain.NotificationKind) string {
		t.Helper()
		ns, err := storage.NewNotificationService(f.h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Kind: &kind})
		if err != nil || len(ns) == 0 {
			t.Fatalf("no %s push: %v", kind, err)
		}
		p, err := f.h.engine.RenderNotification(context.Background(), ns[len(ns)-1])
		if err != nil {
			t.Fatal(err)
		}
		return texts(p.Replies)
	}
	if got := pushes(domain.NotifyAccountLow); !strings.Contains(got, "−₽300") || !strings.Contains(got, l.T("flow.accounts.held")) {
		t.Errorf("the seller was told: %s", got)
	}

	stores, err := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	if err != nil {
		t.Fatal(err)
	}
	pending := pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber = domain.StatusAwaitingShipmentToSeller, "R-HELD"
	})
	if got := staff("/ship R-HELD CDEK-1"); !strings.Contains(got, l.T("error.accounts.held")) {
		t.Errorf("shipping while held: %s", got)
	}
	if r, _ := storage.NewReturnService(f.h.db).FindReturnByID(pgtest.System(), pending.ID); r.Status != domain.StatusAwaitingShipmentToSeller {
		t.Errorf("shipped while held: %s", r.Status)
	}

	if got := staff("/payment 500 bank_transfer_rub invoice 12"); !strings.Contains(got, l.T("error.accounts.proof_needed")) {
		t.Errorf("payment without proof: %s", got)
	}
	receipt := convtest.QRPNG(t, "receipt")
	file := conversations.File{Kind: domain.AttachmentPhoto, Name: "receipt.png", ContentType: "image/png", Size: int64(len(receipt)),
		Open: func(context.Context) ([]byte, error) { return receipt, nil }}
	if got := staff("/payment 500 bank_transfer_rub invoice 12", file); !strings.Contains(got, "Balance: ₽200") {
		t.Fatalf("payment: %s", got)
	}
	if got := pushes(domain.NotifyPaymentRecorded); !strings.Contains(got, "₽500") || !strings.Contains(got, l.T("flow.accounts.hold_lifted")) {
		t.Errorf("the seller was told: %s", got)
	}

	staff("/ship R-HELD CDEK-1")
	if r, _ := storage.NewReturnService(f.h.db).FindReturnByID(pgtest.System(), pending.ID); r.Status != domain.StatusSentToSeller {
		t.Errorf("after the payment the return is %s, want sent", r.Status)
	}

	if got := staff("/correct " + strconv.FormatInt(otherCharge.ID, 10)); !strings.Contains(got, l.T("error.accounts.no_entry")) {
		t.Errorf("correcting another seller's row: %s", got)
	}
	rows, err := storage.NewAccountService(f.h.db, 0).FindLedger(pgtest.System(), seller.ID, time.Now().AddDate(0, -1, 0), time.Now().AddDate(0, 0, 1))
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	if got := staff("/correct " + strconv.FormatInt(rows[0].ID, 10) + " wrong seller"); !strings.Contains(got, "Balance: ₽500") {
		t.Errorf("correction: %s", got)
	}
	got := staff("/account")
	for _, want := range []string{"Balance: ₽500", l.Label("ledger_kind", "correction"), l.T("staff.accounts.hold_on")} {
		if !strings.Contains(got, want) {
			t.Errorf("/account lacks %q:\n%s", want, got)
		}
	}
	if n := count(t, f.h.db, `SELECT count(*) FROM audit_log WHERE seller_id = $1 AND action LIKE 'accounts.%'`, seller.ID); n != 4 {
		t.Errorf("%d audit entries, want 4 (charge, limit, payment, correction)", n)
	}
	if n := count(t, f.h.db, `SELECT count(*) FROM payment_proofs`); n != 1 {
		t.Errorf("%d proofs kept", n)
	}
	if got := staff("/paydetails alipay_cny Alipay: pay@indigo.example"); !strings.Contains(got, l.Label("payment_method", "alipay_cny")) {
		t.Errorf("paydetails: %s", got)
	}
}

func count(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
