package main

import (
	"encoding/csv"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// TestDemoSums: in the demo the returns get their prices from WB (claims,
// FBS orders, the seller's prices), and each of the four cards shows the
// sum of exactly the prices its rows show in the CSV.
func TestDemoSums(t *testing.T) {
	get := demoWebClient(t, startTestDemo(t)) // demo_accounts_test.go

	l := locales.MustNew().For("en")
	tabOf := map[string]domain.Tab{}
	for _, s := range domain.AllStatuses() {
		tabOf[l.Label("status", string(s))] = domain.TabOf(s)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(get("/web/export.csv"), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sums := map[domain.Tab]*big.Rat{}
	sources := map[string]int{}
	for _, tab := range domain.AllTabs() {
		sums[tab] = new(big.Rat)
	}
	for _, rec := range recs[1:] {
		sources[rec[18]]++
		if rec[16] == "" {
			continue
		}
		v, ok := new(big.Rat).SetString(rec[16])
		if !ok {
			t.Fatalf("price %q", rec[16])
		}
		sums[tabOf[rec[9]]].Add(sums[tabOf[rec[9]]], v)
	}
	for _, src := range domain.AllPriceSources() {
		if sources[l.Label("price_source", string(src))] == 0 {
			t.Errorf("no return priced from %s: %v", src, sources)
		}
	}
	if sources[""] > 0 {
		t.Errorf("%d returns without a price: %v", sources[""], sources)
	}
	page := get("/web/")
	card := regexp.MustCompile(`(?s)<a class="card" href="([^"]*)">.*?<p class="sums">(.*?)</p>`)
	found := 0
	for _, m := range card.FindAllStringSubmatch(page, -1) {
		for _, tab := range domain.AllTabs() {
			if !strings.Contains(m[1], string(tab)) {
				continue
			}
			found++
			kop := new(big.Rat).Mul(sums[tab], big.NewRat(100, 1))
			if want := l.FormatRUB(kop.Num().Int64()); !strings.Contains(m[2], want) {
				t.Errorf("the %s card shows %q, its rows add up to %s", tab, m[2], want)
			}
		}
	}
	if found != 4 {
		t.Fatalf("%d cards on the main page", found)
	}
}
