package main

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// TestDemoAccounts: the demo seller's Accounts page has this month's
// charges, and last month has its rows, the payment with its receipt and
// the statement issued on the 1st, whose XLSX totals match the page.
func TestDemoAccounts(t *testing.T) {
	base := startTestDemo(t)
	get := demoWebClient(t, base)
	l := locales.MustNew().For("en")
	last := domain.MonthOf(time.Now()).AddDate(0, -1, 0)
	page := html.UnescapeString(get("/web/accounts?month=" + last.Format("2006-01")))
	for _, want := range []string{l.Label("ledger_kind", "receipt"), l.Label("ledger_kind", "storage_day"),
		l.Label("ledger_kind", "payment"), "₽2,500.00", l.Label("payment_method", "bank_transfer_rub"),
		l.Label("tariff_kind", "storage_day"), l.T("web.accounts.issued", map[string]any{"Date": ""})} {
		if !strings.Contains(page, want) {
			t.Errorf("last month's page lacks %q", want)
		}
	}
	this := html.UnescapeString(get("/web/accounts"))
	if !strings.Contains(this, l.Label("ledger_kind", "receipt")) {
		t.Error("this month has no charges")
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(get("/web/accounts/" + last.Format("2006-01") + "/statement.xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(l.T("web.accounts.sheet"))
	if err != nil || len(rows) < 10 {
		t.Fatalf("statement rows = %d, %v", len(rows), err)
	}
	kinds := map[string]int{}
	for _, r := range rows[7:] {
		kinds[r[1]]++
	}
	for _, k := range []domain.LedgerKind{domain.LedgerReceipt, domain.LedgerInspection, domain.LedgerStorageDay, domain.LedgerPayment} {
		if kinds[l.Label("ledger_kind", string(k))] == 0 {
			t.Errorf("last month's statement has no %s rows: %v", k, kinds)
		}
	}
}

// demoWebClient signs in to the demo's web view as the demo seller and
// returns a GET that insists on 200.
func demoWebClient(t *testing.T, base string) func(path string) string {
	t.Helper()
	resp, err := http.Post(base+"/demo/api/weblink", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	_ = json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest(http.MethodPost, link.URL, nil)
	req.Header.Set("Origin", base)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %v, %v", resp, err)
	}
	return func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
}
