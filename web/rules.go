package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// rules.go: the seller's rules on the web, as /rules has them in the chat:
// the ordered list with what each would have taken of the last 90 days,
// moving and deleting, the default at a deadline, and a form that adds a
// rule with all its conditions at once.

type rulesPage struct {
	layout
	Lines        []ruleLine
	Unmatched    string
	Default      string
	Defaults     []option
	Actions      []option
	StoreOptions []option
	Choice       []option // any / yes / no for the yes-no conditions
	CSRF         string
}

type ruleLine struct {
	N                int
	Text             string
	Up, Down, Delete string // form actions
	First, Last      bool
}

func (s *Server) handleRules(rq *request) error {
	if s.Rules == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	l := rq.l
	rules, err := s.Rules.FindRules(rq.ctx, rq.seller.ID)
	if err != nil {
		return err
	}
	preview, err := s.Rules.PreviewRules(rq.ctx, rq.seller.ID, s.now())
	if err != nil {
		return err
	}
	def, own, err := s.Rules.DefaultDecision(rq.ctx, rq.seller.ID)
	if err != nil {
		return err
	}
	if !own {
		def = domain.IndigoDefault
	}
	stores, err := s.sellerStores(rq, 0)
	if err != nil {
		return err
	}
	p := rulesPage{layout: s.layout(rq, l.T("web.rules.title")), CSRF: csrfToken(rq.session)}
	for i, r := range rules {
		base := "/web/rules/" + strconv.FormatInt(r.ID, 10)
		p.Lines = append(p.Lines, ruleLine{N: i + 1, First: i == 0, Last: i == len(rules)-1,
			Text: l.Plural("flow.rules.line", preview.Taken[r.ID], map[string]any{"N": i + 1, "Name": r.Name,
				"Action": l.Label("rule_action", string(r.Action))}),
			Up: base + "/move", Down: base + "/move", Delete: base + "/delete"})
	}
	if len(rules) > 0 {
		p.Unmatched = l.Plural("flow.rules.unmatched", preview.Unmatched, map[string]any{"Total": preview.Total})
	}
	whose := "flow.rules.default_indigo"
	if own {
		whose = "flow.rules.default_yours"
	}
	p.Default = l.T(whose, map[string]any{"Decision": l.Label("decision", string(def))})
	for _, d := range domain.AllDecisions() {
		p.Defaults = append(p.Defaults, option{string(d), l.Label("decision", string(d)), own && d == def})
	}
	for _, a := range domain.AllRuleActions() {
		p.Actions = append(p.Actions, option{string(a), l.Label("rule_action", string(a)), false})
	}
	p.StoreOptions = []option{{"", l.T("web.nav.all_stores"), true}}
	for _, st := range stores {
		p.StoreOptions = append(p.StoreOptions, option{strconv.FormatInt(st.ID, 10), st.Name, false})
	}
	p.Choice = []option{{"", l.T("web.rules.any"), true}, {"yes", l.T("label.yes"), false}, {"no", l.T("label.no"), false}}
	switch rq.r.URL.Query().Get("saved") {
	case "rule":
		p.Flash = l.T("web.rules.saved")
	case "default":
		p.Flash = l.T("flow.rules.default_saved")
	}
	s.render(rq, http.StatusOK, "rules", p)
	return nil
}

// handleRuleCreate adds a rule from the form: its action and whichever
// conditions were filled in.
func (s *Server) handleRuleCreate(rq *request) error {
	if s.Rules == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	f := rq.r.PostFormValue
	action, err := domain.ParseRuleAction(f("action"))
	if err != nil {
		return err
	}
	c, err := ruleConditions(rq, f)
	if err != nil {
		return err
	}
	stores, err := s.sellerStores(rq, 0)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, st := range stores {
		names[st.ID] = st.Name
	}
	if c.StoreID != nil && names[*c.StoreID] == "" {
		return domain.Errorf(domain.CodeNotFound, "error.store.not_found", nil)
	}
	r := &domain.Rule{SellerID: rq.seller.ID, Name: domain.DescribeConditions(rq.l, c, names), Conditions: c, Action: action}
	if err := s.Rules.CreateRule(rq.ctx, r); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/rules?saved=rule", http.StatusSeeOther)
	return nil
}

func ruleConditions(rq *request, f func(string) string) (domain.RuleConditions, error) {
	var c domain.RuleConditions
	if v := f("store"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
		}
		c.StoreID = &id
	}
	for _, field := range []struct {
		name string
		to   *string
	}{{"vendor_code", &c.VendorCode}, {"subject", &c.Subject}} {
		v := strings.TrimSpace(f(field.name))
		if len([]rune(v)) > 100 {
			return c, domain.Errorf(domain.CodeInvalid, "error.rule.bad_text", nil)
		}
		*field.to = v
	}
	for _, field := range []struct {
		name string
		to   **int64
	}{{"price_min", &c.PriceMinRUB}, {"price_max", &c.PriceMaxRUB}} {
		if v := strings.TrimSpace(f(field.name)); v != "" {
			kop, ok := domain.ParseRoubles(v)
			if !ok {
				return c, domain.Errorf(domain.CodeInvalid, "error.rule.bad_price", nil)
			}
			*field.to = &kop
		}
	}
	for _, field := range []struct {
		name string
		to   **bool
	}{{"defect_found", &c.DefectFound}, {"inspection", &c.Inspection}} {
		switch f(field.name) {
		case "yes", "no":
			v := f(field.name) == "yes"
			*field.to = &v
		case "":
		default:
			return c, domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
		}
	}
	return c, nil
}

func ruleFormID(rq *request) (int64, error) {
	id, err := strconv.ParseInt(rq.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.CodeNotFound, "error.rule.not_found", nil)
	}
	return id, nil
}

// handleRuleMove moves a rule one place up or down; handleRuleDelete
// deletes it. Storage finds only the seller's own rules.
func (s *Server) handleRuleMove(rq *request) error {
	id, err := ruleFormID(rq)
	if err != nil || s.Rules == nil {
		return domain.Errorf(domain.CodeNotFound, "error.rule.not_found", nil)
	}
	by := 1
	if rq.r.PostFormValue("dir") == "up" {
		by = -1
	}
	if err := s.Rules.MoveRule(rq.ctx, rq.seller.ID, id, by); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/rules", http.StatusSeeOther)
	return nil
}

func (s *Server) handleRuleDelete(rq *request) error {
	id, err := ruleFormID(rq)
	if err != nil || s.Rules == nil {
		return domain.Errorf(domain.CodeNotFound, "error.rule.not_found", nil)
	}
	if err := s.Rules.DeleteRule(rq.ctx, rq.seller.ID, id); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/rules", http.StatusSeeOther)
	return nil
}

// handleRuleDefault sets what happens at a decision's deadline.
func (s *Server) handleRuleDefault(rq *request) error {
	if s.Rules == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	d, err := domain.ParseDecision(rq.r.PostFormValue("decision"))
	if err != nil {
		return err
	}
	if err := s.Rules.SetDefaultDecision(rq.ctx, rq.seller.ID, d); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/rules?saved=default", http.StatusSeeOther)
	return nil
}
