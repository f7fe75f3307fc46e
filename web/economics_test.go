package web_test

import (
	"encoding/csv"
	"html"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

var en = locales.MustNew().For("en")

// TestCardsSumTheirRows: each of the four cards sums exactly the prices
// its rows show in the CSV, a return without a price counted in no sum,
// and the card says how many it left out and how many are estimates.
func TestCardsSumTheirRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	for _, r := range []struct {
		status domain.Status
		rub    int64
		source domain.PriceSource
	}{
		{domain.StatusAwaitingReceiptAtWB, 1000_00, domain.PriceSourceClaim},
		{domain.StatusAwaitingPickupCode, 499_90, domain.PriceSourceSellerPrice},
		{domain.StatusInTransitToWarehouse, 0, domain.PriceSourceNone},
		{domain.StatusAwaitingSellerDecision, 2000_00, domain.PriceSourceOrder},
		{domain.StatusAwaitingDisposal, 350_00, domain.PriceSourceSellerPrice},
		{domain.StatusDisposed, 0, domain.PriceSourceNone},
	} {
		pgtest.Return(t, e.DB, store.ID, func(x *domain.Return) {
			x.Status, x.PriceRUB, x.PriceCNY, x.PriceSource = r.status, r.rub, r.rub*8/100, r.source
		})
	}
	b := e.login(t, seller)
	body := strings.TrimPrefix(b.page("/web/export.csv").Body, "\uFEFF")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tabOfLabel := map[string]domain.Tab{}
	for _, s := range domain.AllStatuses() {
		tabOfLabel[en.Label("status", string(s))] = domain.TabOf(s)
	}
	sums := map[domain.Tab]*big.Rat{}
	for _, rec := range recs[1:] {
		tab, ok := tabOfLabel[rec[9]]
		if !ok {
			t.Fatalf("status %q of no tab", rec[9])
		}
		if sums[tab] == nil {
			sums[tab] = new(big.Rat)
		}
		if rec[16] == "" {
			continue // no price: no number to add
		}
		v, ok := new(big.Rat).SetString(rec[16])
		if !ok {
			t.Fatalf("price %q", rec[16])
		}
		sums[tab].Add(sums[tab], v)
	}
	main := b.page("/web/")
	cards := main.all("a")
	var seen int
	for i, tab := range domain.AllTabs() {
		var card string
		for _, a := range cards {
			if attr(a, "class") == "card" && strings.Contains(attr(a, "href"), string(tab)) {
				card = text(a)
			}
		}
		want := new(big.Rat)
		if sums[tab] != nil {
			want = sums[tab]
		}
		kop := new(big.Rat).Mul(want, big.NewRat(100, 1))
		if !kop.IsInt() {
			t.Fatalf("tab %s sums to %s", tab, want.FloatString(4))
		}
		if rub := en.FormatRUB(kop.Num().Int64()); !strings.Contains(card, rub) {
			t.Errorf("card %d (%s) lacks the sum of its rows %s:\n%s", i, tab, rub, card)
		}
		seen++
	}
	if seen != 4 {
		t.Fatalf("%d cards", seen)
	}
	inTransit := ""
	for _, a := range cards {
		if attr(a, "class") == "card" && strings.Contains(attr(a, "href"), "in_transit") {
			inTransit = text(a)
		}
	}
	for _, want := range []string{en.Plural("flow.returns.sum_unpriced", 1, nil), en.Plural("flow.returns.sum_estimated", 1, nil)} {
		if !strings.Contains(inTransit, want) {
			t.Errorf("the in-transit card lacks %q:\n%s", want, inTransit)
		}
	}
}

// TestReturnPageMoney: a pending decision's page shows each option's
// estimate with the best marked, and the deadline with its default; a
// decision a rule made shows with the form that undoes it.
func TestReturnPageMoney(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.TimeZone = "Asia/Shanghai" })
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	staff := domain.NewContextWithActor(t.Context(), domain.StaffActor(1, "Olga"))
	for _, line := range []domain.Tariff{{Kind: domain.TariffSellFee, Value: 150_00}, {Kind: domain.TariffReturnHandling, Value: 200_00},
		{Kind: domain.TariffDisposeFee, Value: 90_00}, {Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 5000, Value: 2900_00}} {
		line.EffectiveFrom = time.Now().Add(-time.Hour)
		if err := storage.NewTariffService(e.DB).SetTariff(staff, &line); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.NewMarketRateService(e.DB).SaveMarketRates(pgtest.System(), domain.MarketRates{Date: time.Now(), FetchedAt: time.Now(),
		Commissions: []domain.Commission{{SubjectID: 168, SubjectName: "Куртки", FBSBasisPoints: 2450}},
		Box:         []domain.BoxRate{{Warehouse: "Свой склад РФ", BaseRUB: 46_00, LiterRUB: 9_10, CoefPercent: 100}}}); err != nil {
		t.Fatal(err)
	}
	r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
		r.Status, r.Subject, r.PriceRUB = domain.StatusInTransitToWarehouse, "Куртки", 8990_00
	})
	if err := storage.NewPriceService(e.DB).SaveProduct(pgtest.System(), &domain.Product{StoreID: store.ID, NmID: r.NmID,
		LengthCM: 40, WidthCM: 30, HeightCM: 10, WeightGram: 1400}); err != nil {
		t.Fatal(err)
	}
	r = mustApply(t, e.DB, r, domain.EventReceive)
	b := e.login(t, seller)
	page := html.UnescapeString(b.page("/web/returns/" + itoa(r.ID)).Body)
	for _, want := range []string{
		en.T("flow.economics.title"),
		en.T("flow.economics.option_best", map[string]any{"Decision": en.Label("decision", "sell_on_wb"), "Net": "+" + en.FormatRUB(8990_00-2202_55-46_00-100_10-150_00)}),
		en.T("flow.economics.option", map[string]any{"Decision": en.Label("decision", "return_to_seller"), "Net": "−" + en.FormatRUB(3100_00)}),
	} {
		if !strings.Contains(page, (want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(page, (en.Label("decision", "sell_on_wb"))) || !strings.Contains(page, "Indigo") {
		t.Errorf("the page lacks the deadline")
	}

	if err := storage.NewRuleService(e.DB).CreateRule(pgtest.As(seller), &domain.Rule{SellerID: seller.ID, Name: "every return",
		Action: domain.RuleDispose}); err != nil {
		t.Fatal(err)
	}
	r2 := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Status = domain.StatusInTransitToWarehouse })
	r2 = mustApply(t, e.DB, r2, domain.EventReceive)
	if r2.Status != domain.StatusAwaitingDisposal {
		t.Fatalf("the rule left %s", r2.Status)
	}
	page = html.UnescapeString(b.page("/web/returns/" + itoa(r2.ID)).Body)
	if !strings.Contains(page, (en.T("flow.decision.by_rule", map[string]any{"Rule": "every return", "Decision": en.Label("decision", "dispose")}))) {
		t.Errorf("the page does not name the rule")
	}
	resp := b.post("/web/returns/"+itoa(r2.ID)+"/undo", nil)
	if resp.Code != http.StatusSeeOther || !strings.Contains(resp.Location, "saved=undo") {
		t.Fatalf("undo: %d → %q\n%s", resp.Code, resp.Location, resp.Body)
	}
	got, _ := storage.NewReturnService(e.DB).FindReturnByID(pgtest.System(), r2.ID)
	if got.Status != domain.StatusAwaitingSellerDecision {
		t.Fatalf("after the undo: %s", got.Status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
