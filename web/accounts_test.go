package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

var staffActs = pgtest.Staff()

// TestAccountsPage: the Accounts page shows the signed-in seller's own
// balance in roubles and yuan, this month's charges by kind, by return
// and row by row, the price list and the payment methods with their
// details; the method is saved; another seller's rows never show.
func TestAccountsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := storage.NewTariffService(e.DB).SetTariff(staffActs, &domain.Tariff{Kind: domain.TariffReceipt, Value: 50_00,
		EffectiveFrom: time.Now().AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	as := storage.NewAccountService(e.DB, 0)
	if err := as.PublishPaymentDetails(staffActs, domain.PayWeChatPayCNY, "WeChat Pay: indigo-wh"); err != nil {
		t.Fatal(err)
	}
	alice := pgtest.Seller(t, e.DB, nil)
	bob := pgtest.Seller(t, e.DB, nil)
	pgtest.Received(t, e.DB, alice.ID, "R-ALICE-1")
	pgtest.Received(t, e.DB, bob.ID, "R-BOB-1")
	if _, err := as.Charge(staffActs, alice.ID, 25_00, "extra packing"); err != nil {
		t.Fatal(err)
	}
	b := e.login(t, alice)
	if !strings.Contains(b.page("/web/").Body, `href="/web/accounts"`) {
		t.Error("the main page does not link the accounts")
	}
	page := html.UnescapeString(b.page("/web/accounts").Body)
	for _, want := range []string{en.T("flow.accounts.balance_owed", map[string]any{"Balance": "−₽75 (≈ −¥6)", "Owed": "₽75 (≈ ¥6)"}), "R-ALICE-1",
		en.Label("ledger_kind", "staff_charge"), "extra packing", en.Label("tariff_kind", "receipt"), "₽50 (≈ ¥4)",
		"WeChat Pay: indigo-wh", en.Label("payment_method", "alipay_cny")} {
		if !strings.Contains(page, want) {
			t.Errorf("the accounts page lacks %q", want)
		}
	}
	if strings.Contains(page, "R-BOB") {
		t.Error("alice's page shows bob's return")
	}
	if resp := b.post("/web/accounts/method", url.Values{"method": {"wechat_pay_cny"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("choose a method: %d\n%s", resp.Code, resp.Body)
	}
	if a, _ := as.FindAccount(pgtest.System(), alice.ID); a.Method != domain.PayWeChatPayCNY {
		t.Errorf("method = %q", a.Method)
	}
	if resp := b.post("/web/accounts/method", url.Values{"method": {"cash"}}); resp.Code != http.StatusBadRequest {
		t.Errorf("an unknown method: %d", resp.Code)
	}
	if resp := b.get("/web/accounts?month=13-2026"); resp.Code != http.StatusBadRequest {
		t.Errorf("a bad month: %d", resp.Code)
	}
	last := domain.MonthOf(time.Now()).AddDate(0, -1, 0).Format("2006-01")
	if page := html.UnescapeString(b.page("/web/accounts?month=" + last).Body); strings.Contains(page, "R-ALICE-1") ||
		!strings.Contains(page, en.T("flow.accounts.month_empty")) {
		t.Error("last month shows this month's rows")
	}

	t.Run("Isolation", func(t *testing.T) {
		bb := e.login(t, bob)
		page := html.UnescapeString(bb.page("/web/accounts").Body)
		if strings.Contains(page, "R-ALICE") || strings.Contains(page, "extra packing") || !strings.Contains(page, "R-BOB-1") {
			t.Error("bob's page shows alice's rows, or not his own")
		}
		if a, _ := as.FindAccount(pgtest.System(), bob.ID); a.Method != "" {
			t.Errorf("bob's method = %q", a.Method)
		}
		if resp := e.browser(t).get("/web/accounts"); resp.Code != http.StatusSeeOther {
			t.Errorf("signed out: %d", resp.Code)
		}
	})
}

// TestStatementXLSX: a month's statement downloads as a workbook whose
// totals and rows are the ledger's for that month, the seller's own only.
func TestStatementXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	as := storage.NewAccountService(e.DB, 0)
	alice := pgtest.Seller(t, e.DB, nil)
	bob := pgtest.Seller(t, e.DB, nil)
	for _, c := range []struct {
		seller int64
		amount int64
		reason string
	}{{alice.ID, 30_00, "alice one"}, {alice.ID, 45_50, "alice two"}, {bob.ID, 99_00, "bob's"}} {
		if _, err := as.Charge(staffActs, c.seller, c.amount, c.reason); err != nil {
			t.Fatal(err)
		}
	}
	month := domain.MonthOf(time.Now()).Format("2006-01")
	resp := e.login(t, alice).get("/web/accounts/" + month + "/statement.xlsx")
	if resp.Code != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''IndigoWarehouse%20statement%20"+month+".xlsx") {
		t.Fatalf("download: %d %v", resp.Code, resp.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(resp.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(en.T("web.accounts.sheet"), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var notes []string
	for _, r := range rows[7:] {
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			t.Fatalf("row %v: %v", r, err)
		}
		sum += v
		notes = append(notes, r[3])
	}
	if sum != -75.5 || len(notes) != 2 || strings.Contains(strings.Join(notes, ","), "bob") {
		t.Errorf("rows sum %v, notes %v", sum, notes)
	}
	if rows[2][1] != "-75.5" || rows[4][1] != "-75.5" {
		t.Errorf("charged %q, closing %q; want -75.5", rows[2][1], rows[4][1])
	}
	if resp := e.login(t, alice).get("/web/accounts/nope/statement.xlsx"); resp.Code != http.StatusBadRequest {
		t.Errorf("a bad month: %d", resp.Code)
	}
}
