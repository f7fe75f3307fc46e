package web_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// fixture is one seller with two stores and a return in every tab, and a
// second seller whose returns must never show.
type fixture struct {
	e              *env
	seller, other  *domain.Seller
	store1, store2 *domain.Store
	otherStore     *domain.Store
	byNumber       map[string]*domain.Return
	otherReturn    *domain.Return
}

func day(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }

func newFixture(t *testing.T) *fixture {
	e := newEnv(t)
	f := &fixture{e: e, byNumber: map[string]*domain.Return{}}
	f.seller = pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Main Seller" })
	f.other = pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Other Seller" })
	f.store1 = pgtest.Store(t, e.DB, f.seller.ID, func(s *domain.Store) { s.Name = "North" })
	f.store2 = pgtest.Store(t, e.DB, f.seller.ID, func(s *domain.Store) { s.Name = "South" })
	f.otherStore = pgtest.Store(t, e.DB, f.other.ID, nil)
	add := func(store *domain.Store, number string, d int, status domain.Status, defective bool, product, sku, barcode string) {
		f.byNumber[number] = pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
			r.ReturnNumber, r.RequestDate, r.Status, r.Defective = number, day(d), status, defective
			r.ProductName, r.VendorCode, r.Barcode = product, sku, barcode
			r.PriceRUB, r.PriceCNY = 100000, 9000
		})
	}
	add(f.store1, "T-1", 1, domain.StatusAwaitingReceiptAtWB, false, "Red dress", "SKU-RED", "4600000000011")
	add(f.store1, "T-2", 2, domain.StatusInTransitToWarehouse, true, "Blue jeans", "SKU-BLUE", "4600000000028")
	add(f.store2, "P-1", 3, domain.StatusAwaitingVerification, false, "Green hat", "SKU-GREEN", "4600000000035")
	add(f.store2, "D-1", 4, domain.StatusAwaitingSellerDecision, true, "Black boots", "SKU-BLACK", "4600000000042")
	add(f.store1, "C-1", 5, domain.StatusSentToSeller, false, "White shirt", "SKU-WHITE", "4600000000059")
	add(f.store2, "C-2", 6, domain.StatusDisposed, false, "Red scarf", "SKU-SCARF", "4600000000066")
	f.otherReturn = pgtest.Return(t, e.DB, f.otherStore.ID, func(r *domain.Return) {
		r.ReturnNumber, r.ProductName, r.RequestDate = "X-1", "Red dress", day(3)
	})
	return f
}

// TestFilters runs each view of the tables as a URL and compares the
// return numbers listed, newest first.
func TestFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.e.login(t, f.seller)
	for _, tt := range []struct {
		name string
		path string
		want []string
	}{
		{"All", "/web/", []string{"C-2", "C-1", "D-1", "P-1", "T-2", "T-1"}},
		{"TabInTransit", "/web/tab/in_transit", []string{"T-2", "T-1"}},
		{"TabProcessing", "/web/tab/processing", []string{"P-1"}},
		{"TabPendingDecision", "/web/tab/pending_decision", []string{"D-1"}},
		{"TabCompleted", "/web/tab/completed", []string{"C-2", "C-1"}},
		{"Store", fmt.Sprintf("/web/?store=%d", f.store2.ID), []string{"C-2", "D-1", "P-1"}},
		{"StoreAndTab", fmt.Sprintf("/web/tab/completed?store=%d", f.store1.ID), []string{"C-1"}},
		{"Status", "/web/?status=awaiting_receipt_at_wb", []string{"T-1"}},
		{"StatusInTab", "/web/tab/completed?status=disposed", []string{"C-2"}},
		{"DefectYes", "/web/?defect=yes", []string{"D-1", "T-2"}},
		{"DefectNo", "/web/tab/in_transit?defect=no", []string{"T-1"}},
		{"DateRange", "/web/?from=2026-03-02&to=2026-03-04", []string{"D-1", "P-1", "T-2"}},
		{"DateFrom", "/web/?from=2026-03-05", []string{"C-2", "C-1"}},
		{"DateTo", "/web/?to=2026-03-01", []string{"T-1"}},
		{"SearchProduct", "/web/?q=red", []string{"C-2", "T-1"}},
		{"SearchSKU", "/web/?q=SKU-GREEN", []string{"P-1"}},
		{"SearchBarcode", "/web/?q=4600000000042", []string{"D-1"}},
		{"SearchReturnNumber", "/web/?q=C-2", []string{"C-2"}},
		{"SearchLiteral", "/web/?q=%25", nil},
		{"Combined", fmt.Sprintf("/web/tab/in_transit?store=%d&q=jeans&defect=yes&from=2026-03-01", f.store1.ID), []string{"T-2"}},
		{"Nothing", "/web/?q=nothing-like-this", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := b.page(tt.path)
			if diff := cmp.Diff(tt.want, resp.column(4)); diff != "" {
				t.Errorf("return numbers (-want +got):\n%s", diff)
			}
			if tt.want == nil && !strings.Contains(resp.Body, "No items found") {
				t.Errorf("empty table does not say so")
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.e.login(t, f.seller)
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/web/?from=2026-13-01", http.StatusBadRequest},
		{"/web/?status=lost", http.StatusBadRequest},
		{"/web/tab/in_transit?status=disposed", http.StatusBadRequest},
		{"/web/?defect=maybe", http.StatusBadRequest},
		{"/web/?page=0", http.StatusBadRequest},
		{"/web/?store=abc", http.StatusNotFound},
		{"/web/tab/archive", http.StatusNotFound},
		{"/web/returns/abc", http.StatusNotFound},
		{"/web/export.csv?tab=archive", http.StatusBadRequest},
	} {
		if resp := b.get(tt.path); resp.Code != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, resp.Code, tt.code)
		}
	}
}

// TestColumns checks each tab's columns against the manual (§4, 4.1–4.4).
func TestColumns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.e.login(t, f.seller)
	base := []string{"Return Request Date", "Product", "SKU", "Barcode", "Return Number", "Defective Item?"}
	for _, tt := range []struct {
		path string
		more []string
		row  []string // the first row's cells after the return number
	}{
		{"/web/", []string{"Status", "Tracking Number", "Decision on Product"},
			[]string{"-", "Disposed", "-", "Disposed"}},
		{"/web/tab/in_transit", []string{"Needs Verification", "Photo/Video Required?", "Decision on Product"},
			[]string{"Yes", "Yes No", "Yes No", "In Transit to IndigoWarehouse"}},
		{"/web/tab/processing", []string{"Status"}, []string{"-", "Awaiting Verification"}},
		{"/web/tab/pending_decision", []string{"Needs Verification", "Defect After Check", "Decision on Product"},
			[]string{"Yes", "Yes No", "-", "Choose Action ›"}},
		{"/web/tab/completed", []string{"Status", "Tracking Number"}, []string{"-", "Disposed", "-"}},
	} {
		resp := b.page(tt.path)
		var head []string
		for _, th := range resp.all("th") {
			head = append(head, strings.TrimSpace(text(th)))
		}
		if diff := cmp.Diff(append(slices.Clone(base), tt.more...), head); diff != "" {
			t.Errorf("%s columns (-want +got):\n%s", tt.path, diff)
		}
		if diff := cmp.Diff(tt.row, resp.rows()[0][5:]); diff != "" {
			t.Errorf("%s first row (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestCards(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.e.login(t, f.seller)
	resp := b.page("/web/")
	var got []string
	for _, a := range resp.all("a") {
		if attr(a, "class") == "card" {
			got = append(got, strings.Join(strings.Fields(text(a)), " "))
		}
	}
	want := []string{
		"In Transit to IndigoWarehouse 2 items ¥180 / ₽2,000 View items in transit",
		"Orders in Processing 1 item ¥90 / ₽1,000 View processing orders",
		"Orders Pending Decision 1 item ¥90 / ₽1,000 Process returns",
		"Completed Orders 2 items ¥180 / ₽2,000 View completed orders",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cards (-want +got):\n%s", diff)
	}
	resp = b.page(fmt.Sprintf("/web/?store=%d", f.store1.ID))
	if !strings.Contains(resp.Body, "0 items") || !strings.Contains(resp.Body, fmt.Sprintf(`href="/web/tab/completed?store=%d"`, f.store1.ID)) {
		t.Errorf("store's cards do not keep the store:\n%s", resp.Body)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	for i := range 250 {
		pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
			r.ReturnNumber = fmt.Sprintf("N-%03d", i)
			r.RequestDate = day(1).Add(time.Duration(i) * time.Minute)
			r.Defective = i%2 == 0
		})
	}
	b := e.login(t, seller)
	for _, tt := range []struct {
		path    string
		rows    int
		first   string
		showing string
		pages   []string
	}{
		{"/web/", 100, "N-249", "Showing 1-100 of 250 items", []string{"1", "2", "3", "Next ›"}},
		{"/web/?page=2", 100, "N-149", "Showing 101-200 of 250 items", []string{"‹ Previous", "1", "2", "3", "Next ›"}},
		{"/web/?page=3", 50, "N-049", "Showing 201-250 of 250 items", []string{"‹ Previous", "1", "2", "3"}},
		{"/web/?defect=yes&page=2", 25, "N-048", "Showing 101-125 of 125 items", []string{"‹ Previous", "1", "2"}},
		{"/web/?page=9", 0, "", "", []string{"‹ Previous", "1", "2", "3"}},
	} {
		resp := b.page(tt.path)
		nums := resp.column(4)
		if len(nums) != tt.rows || (tt.rows > 0 && nums[0] != tt.first) {
			t.Errorf("%s: %d rows from %v, want %d from %s", tt.path, len(nums), first(nums), tt.rows, tt.first)
		}
		if tt.showing != "" && !strings.Contains(resp.Body, tt.showing) {
			t.Errorf("%s: no %q", tt.path, tt.showing)
		}
		var pages []string
		for _, nav := range resp.all("nav") {
			if attr(nav, "class") == "pages" {
				for c := nav.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode {
						pages = append(pages, strings.TrimSpace(text(c)))
					}
				}
			}
		}
		if tt.rows > 0 || len(pages) > 0 {
			if diff := cmp.Diff(tt.pages, pages); diff != "" {
				t.Errorf("%s pages (-want +got):\n%s", tt.path, diff)
			}
		}
	}
	// Page links keep the filters.
	resp := b.page("/web/?defect=yes")
	if !strings.Contains(resp.Body, `href="/web/?defect=yes&amp;page=2"`) {
		t.Errorf("page link drops the filter")
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestIsolation guesses every kind of id of another seller: each is 404,
// and nothing of theirs shows or changes.
func TestIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := storageAttachment(t, f.e, f.other, f.otherReturn, "image/jpeg", "theirs.jpg")
	b := f.e.login(t, f.seller)
	id := f.otherReturn.ID
	for _, tt := range []struct {
		name, method, path string
	}{
		{"Return", "GET", fmt.Sprintf("/web/returns/%d", id)},
		{"ReturnDecisionPage", "GET", fmt.Sprintf("/web/returns/%d/decision?decision=dispose", id)},
		{"Decision", "POST", fmt.Sprintf("/web/returns/%d/decision?decision=dispose&confirm=yes", id)},
		{"Choices", "POST", fmt.Sprintf("/web/returns/%d/choices?field=needs_verification&value=yes", id)},
		{"Inspection", "POST", fmt.Sprintf("/web/returns/%d/inspection?value=yes", id)},
		{"Attachment", "GET", fmt.Sprintf("/web/attachments/%d", other.ID)},
		{"StoreMain", "GET", fmt.Sprintf("/web/?store=%d", f.otherStore.ID)},
		{"StoreTab", "GET", fmt.Sprintf("/web/tab/in_transit?store=%d", f.otherStore.ID)},
		{"StoreCSV", "GET", fmt.Sprintf("/web/export.csv?store=%d", f.otherStore.ID)},
		{"StoreXLSX", "GET", fmt.Sprintf("/web/export.xlsx?store=%d", f.otherStore.ID)},
		{"UnknownReturn", "GET", "/web/returns/999999"},
		{"UnknownStore", "GET", "/web/?store=999999"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var resp *response
			if tt.method == "POST" {
				path, query, _ := strings.Cut(tt.path, "?")
				resp = b.post(path, mustQuery(t, query))
			} else {
				resp = b.get(tt.path)
			}
			if resp.Code != http.StatusNotFound {
				t.Fatalf("%s %s: %d, want 404", tt.method, tt.path, resp.Code)
			}
			if strings.Contains(resp.Body, "X-1") || strings.Contains(resp.Body, "theirs.jpg") {
				t.Errorf("the 404 page shows the other seller's data")
			}
		})
	}
	got, err := storageReturns(f.e).FindReturnByID(pgtest.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != f.otherReturn.Status || got.NeedsVerification || got.Version != f.otherReturn.Version {
		t.Errorf("other seller's return changed: %+v", got)
	}
	for _, path := range []string{"/web/", "/web/?q=Red", "/web/export.csv"} {
		if body := b.page(path).Body; strings.Contains(body, "X-1") {
			t.Errorf("%s lists the other seller's return", path)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Language = domain.LangRussian })
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	b := e.login(t, seller)
	if body := b.page("/web/").Body; !strings.Contains(body, "Ожидают решения") || !strings.Contains(body, `lang="ru"`) {
		t.Fatalf("seller's language is not used:\n%s", body)
	}
	// The signed-in switcher stores the seller's language, which the chat
	// speaks too.
	resp := b.post("/web/lang", url.Values{"lang": {"zh"}, "next": {"/web/tab/pending_decision"}})
	if resp.Code != http.StatusSeeOther || resp.Location != "/web/tab/pending_decision" {
		t.Fatalf("switch: %d → %q", resp.Code, resp.Location)
	}
	if body := b.page("/web/tab/pending_decision").Body; !strings.Contains(body, "选择操作") {
		t.Fatalf("switched language is not used")
	}
	if got, err := storage.NewSellerService(e.DB).FindSellerByID(ctxOf(seller), seller.ID); err != nil || got.Language != domain.LangChinese {
		t.Fatalf("web choice not stored for the seller: %v %v", got.Language, err)
	}
	// A later /language in the chat applies to the web too, cookie or not.
	en := domain.LangEnglish
	if _, err := storage.NewSellerService(e.DB).UpdateSeller(ctxOf(seller), seller.ID, domain.SellerUpdate{Language: &en}); err != nil {
		t.Fatal(err)
	}
	if body := b.page("/web/tab/pending_decision").Body; !strings.Contains(body, `lang="en"`) {
		t.Fatalf("the chat's later choice is not used")
	}
	if resp := b.post("/web/lang", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}}); resp.Location != "/web/" {
		t.Errorf("switcher redirects off site: %q", resp.Location)
	}
	if resp := b.get("/web/lang/en?next=https://evil.example/"); resp.Location != "/web/" {
		t.Errorf("switcher redirects off site: %q", resp.Location)
	}
	if resp := b.get("/web/lang/de"); resp.Code != http.StatusNotFound {
		t.Errorf("unknown language: %d", resp.Code)
	}
	// A signed-out page follows the browser's language.
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/web/login", nil)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	if body := e.browser(t).do(req).Body; !strings.Contains(body, "登录") {
		t.Errorf("Accept-Language is not used")
	}
}

// TestTemplateIDs holds the templates to the locales files: every id a
// template names must be a message in every language (the locales tests
// scan Go code only).
func TestTemplateIDs(t *testing.T) {
	t.Parallel()
	idRE := regexp.MustCompile(`\.L\.T "([a-z0-9_.]+)"`)
	b := locales.MustNew()
	n := 0
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := os.ReadFile("templates/" + path)
		if err != nil {
			return err
		}
		for _, m := range idRE.FindAllStringSubmatch(string(src), -1) {
			n++
			for _, lang := range locales.Languages() {
				if got := b.For(lang).T(m[1]); got == m[1] {
					t.Errorf("%s: %q is missing in %s", path, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("found only %d ids in templates; the scan is broken", n)
	}
}

// TestAwaitingCollection: once the seller's pickup code is with the
// warehouse, the return reads "awaiting collection" in the tables and on
// its page, which shows the code; before, it reads "awaiting pickup code".
func TestAwaitingCollection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	l := locales.MustNew().For("en")
	for _, tt := range []struct {
		number, code, status string
	}{
		{"W-1", "", l.T("status.awaiting_pickup_code")},
		{"W-2", "48210937", l.T("label.awaiting_collection")},
	} {
		r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
			r.ReturnNumber, r.Status, r.PickupCode, r.PickupPointAddress = tt.number, domain.StatusAwaitingPickupCode, tt.code, "Moscow, Tverskaya 1"
		})
		b := e.login(t, seller)
		for path, col := range map[string]int{"/web/?q=" + tt.number: 6, "/web/tab/in_transit?q=" + tt.number: 8} {
			if got := b.page(path).column(col); len(got) != 1 || got[0] != tt.status {
				t.Errorf("%s: status cell %q, want %q", path, got, tt.status)
			}
		}
		body := b.page(fmt.Sprintf("/web/returns/%d", r.ID)).Body
		want := "Status</dt><dd>" + html.EscapeString(tt.status)
		if !strings.Contains(body, want) {
			t.Errorf("the page of %s lacks %q", tt.number, want)
		}
		if tt.code != "" && !strings.Contains(body, "Pickup Code</dt><dd>"+tt.code) {
			t.Errorf("the page of %s does not show its code", tt.number)
		}
	}
}
