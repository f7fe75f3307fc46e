package domain_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

func ptr[T any](v T) *T { return &v }

// TestFirstMatch: the first rule whose conditions all hold decides, "ask
// me" stops the list like any action, and a price condition never holds
// for a return without a price.
func TestFirstMatch(t *testing.T) {
	rules := []*domain.Rule{
		{ID: 1, Name: "cheap case", Action: domain.RuleDispose, Conditions: domain.RuleConditions{VendorCode: "PC-I15-BRN", PriceMaxRUB: ptr(int64(1000_00))}},
		{ID: 2, Name: "defects", Action: domain.RuleAsk, Conditions: domain.RuleConditions{DefectFound: ptr(true)}},
		{ID: 3, Name: "jackets", Action: domain.RuleSell, Conditions: domain.RuleConditions{Subject: "куртки"}},
		{ID: 4, Name: "store 2, inspected", Action: domain.RuleReturn, Conditions: domain.RuleConditions{StoreID: ptr(int64(2)), Inspection: ptr(true)}},
		{ID: 5, Name: "expensive", Action: domain.RuleSell, Conditions: domain.RuleConditions{PriceMinRUB: ptr(int64(5000_00))}},
	}
	for _, tt := range []struct {
		name string
		r    domain.Return
		want int64 // rule id; 0 for none
	}{
		{"vendor code and price", domain.Return{VendorCode: "pc-i15-brn", PriceRUB: 990_00, PriceSource: domain.PriceSourceClaim}, 1},
		{"vendor code but too dear", domain.Return{VendorCode: "PC-I15-BRN", PriceRUB: 1000_00, PriceSource: domain.PriceSourceClaim}, 0},
		{"vendor code, no price", domain.Return{VendorCode: "PC-I15-BRN"}, 0},
		{"another article", domain.Return{NmID: 159021378, PriceRUB: 10, PriceSource: domain.PriceSourceSellerPrice}, 0},
		{"a defect stops at ask me before jackets", domain.Return{Subject: "Куртки", DefectAfterCheck: ptr(true)}, 2},
		{"no defect: jackets", domain.Return{Subject: " Куртки ", DefectAfterCheck: ptr(false)}, 3},
		{"store and inspection both", domain.Return{StoreID: 2, NeedsVerification: true}, 4},
		{"store without inspection", domain.Return{StoreID: 2}, 0},
		{"price from the minimum", domain.Return{PriceRUB: 5000_00, PriceSource: domain.PriceSourceOrder}, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := domain.FirstMatch(rules, &tt.r)
			var id int64
			if ok {
				id = got.ID
			}
			if id != tt.want {
				t.Fatalf("FirstMatch = rule %d, want %d", id, tt.want)
			}
		})
	}
	byNm := []*domain.Rule{{ID: 9, Action: domain.RuleSell, Conditions: domain.RuleConditions{VendorCode: "159021377"}}}
	if _, ok := domain.FirstMatch(byNm, &domain.Return{NmID: 159021377}); !ok {
		t.Error("a rule on the WB article does not match it")
	}
	if d, ok := domain.RuleAsk.Decision(); ok || d != "" {
		t.Errorf("ask me decides %q", d)
	}
	if d, ok := domain.RuleDispose.Decision(); !ok || d != domain.DecisionDispose {
		t.Errorf("dispose decides %q, %v", d, ok)
	}
}

// TestPreviewRules counts each past return once, for the first rule that
// takes it.
func TestPreviewRules(t *testing.T) {
	rules := []*domain.Rule{
		{ID: 1, Action: domain.RuleSell, Conditions: domain.RuleConditions{Subject: "Худи"}},
		{ID: 2, Action: domain.RuleAsk, Conditions: domain.RuleConditions{DefectFound: ptr(true)}},
		{ID: 3, Action: domain.RuleDispose},
	}
	returns := []*domain.Return{
		{Subject: "Худи", DefectAfterCheck: ptr(true)}, // rule 1 first
		{Subject: "Шарфы", DefectAfterCheck: ptr(true)},
		{Subject: "Шарфы"},
		{Subject: "Худи"},
	}
	p := domain.PreviewRules(rules, returns)
	if p.Taken[1] != 2 || p.Taken[2] != 1 || p.Taken[3] != 1 || p.Unmatched != 0 || p.Total != 4 {
		t.Fatalf("preview = %+v", p)
	}
	p = domain.PreviewRules(rules[:2], returns)
	if p.Unmatched != 1 {
		t.Fatalf("without the catch-all: %+v", p)
	}
}

// TestCanUndo: a decision made for the seller can be taken back while the
// return waits for the warehouse to carry it out, and not after.
func TestCanUndo(t *testing.T) {
	now := time.Now()
	auto := &domain.AutoDecision{Kind: domain.AutoByRule, Decision: domain.DecisionSellOnWB}
	for _, tt := range []struct {
		name string
		a    *domain.AutoDecision
		r    domain.Return
		want bool
	}{
		{"waiting for the listing", auto, domain.Return{Status: domain.StatusAwaitingTransferToSale, Decision: domain.DecisionSellOnWB}, true},
		{"listed", auto, domain.Return{Status: domain.StatusTransferredToSale, Decision: domain.DecisionSellOnWB}, false},
		{"decided again by the seller", auto, domain.Return{Status: domain.StatusAwaitingDisposal, Decision: domain.DecisionDispose}, false},
		{"undone already", &domain.AutoDecision{Decision: domain.DecisionSellOnWB, Undone: &now}, domain.Return{Status: domain.StatusAwaitingTransferToSale, Decision: domain.DecisionSellOnWB}, false},
		{"none", nil, domain.Return{Status: domain.StatusAwaitingTransferToSale}, false},
	} {
		if got := tt.a.CanUndo(&tt.r); got != tt.want {
			t.Errorf("%s: CanUndo = %v, want %v", tt.name, got, tt.want)
		}
	}
}
