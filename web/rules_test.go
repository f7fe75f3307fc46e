package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestRulesPage: the seller adds rules on the web with any of the
// conditions, sees what each would have taken of the last 90 days, moves
// and deletes them and sets the default; another seller's rule is not
// theirs to touch.
func TestRulesPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, func(s *domain.Store) { s.Name = "North" })
	for _, subject := range []string{"Куртки", "Куртки", "Шарфы"} {
		pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Subject = subject; r.RequestDate = r.RequestDate.AddDate(0, 1, 0) })
	}
	b := e.login(t, seller)
	if !strings.Contains(b.page("/web/").Body, `href="/web/rules"`) {
		t.Error("the main page does not link the rules")
	}
	for _, form := range []url.Values{
		{"action": {"sell_on_wb"}, "subject": {"Куртки"}},
		{"action": {"dispose"}, "store": {itoa(store.ID)}, "price_max": {"500"}, "defect_found": {"yes"}},
	} {
		if resp := b.post("/web/rules", form); resp.Code != http.StatusSeeOther {
			t.Fatalf("add %v: %d\n%s", form, resp.Code, resp.Body)
		}
	}
	if resp := b.post("/web/rules", url.Values{"action": {"dispose"}, "price_min": {"much"}}); resp.Code != http.StatusBadRequest {
		t.Errorf("a bad price: %d", resp.Code)
	}
	page := html.UnescapeString(b.page("/web/rules").Body)
	first := en.Plural("flow.rules.line", 2, map[string]any{"N": 1, "Name": en.T("flow.rules.when.subject", map[string]any{"Subject": "Куртки"}),
		"Action": en.Label("rule_action", "sell_on_wb")})
	second := "2. " + en.T("flow.rules.when.store", map[string]any{"Store": "North"}) + ", " +
		en.T("flow.rules.when.price_max", map[string]any{"Price": "₽500"}) + ", " + en.T("flow.rules.when.defect")
	for _, want := range []string{first, second} {
		if !strings.Contains(page, want) {
			t.Errorf("the rules page lacks %q", want)
		}
	}
	rules, err := storage.NewRuleService(e.DB).FindRules(pgtest.As(seller), seller.ID)
	if err != nil || len(rules) != 2 {
		t.Fatalf("rules = %v, %v", rules, err)
	}
	if resp := b.post("/web/rules/"+itoa(rules[1].ID)+"/move", url.Values{"dir": {"up"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("move: %d", resp.Code)
	}
	if resp := b.post("/web/rules/default", url.Values{"decision": {"dispose"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("default: %d", resp.Code)
	}
	if d, own, _ := storage.NewRuleService(e.DB).DefaultDecision(pgtest.As(seller), seller.ID); !own || d != domain.DecisionDispose {
		t.Fatalf("default = %s, %v", d, own)
	}
	other := pgtest.Seller(t, e.DB, nil)
	ob := e.login(t, other)
	if resp := ob.post("/web/rules/"+itoa(rules[0].ID)+"/delete", nil); resp.Code != http.StatusNotFound {
		t.Errorf("another seller deleted a rule: %d", resp.Code)
	}
	if resp := b.post("/web/rules/"+itoa(rules[0].ID)+"/delete", nil); resp.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.Code)
	}
	rules, _ = storage.NewRuleService(e.DB).FindRules(pgtest.As(seller), seller.ID)
	if len(rules) != 1 || rules[0].Action != domain.RuleDispose {
		t.Fatalf("left %+v", rules)
	}
}
