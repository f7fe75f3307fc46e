package domain

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// A seller's rules decide returns for them: an ordered list, each with
// conditions and an action; the first rule whose conditions all hold
// decides when a return reaches its decision point. "Ask me" is an action
// too: it stops the list, and the seller is asked as before.

// RuleAction is what a matching rule does.
type RuleAction string

// Rule actions.
const (
	RuleSell    RuleAction = "sell_on_wb"
	RuleReturn  RuleAction = "return_to_seller"
	RuleDispose RuleAction = "dispose"
	RuleAsk     RuleAction = "ask"
)

// AllRuleActions lists the actions in menu order.
func AllRuleActions() []RuleAction { return []RuleAction{RuleSell, RuleReturn, RuleDispose, RuleAsk} }

// ParseRuleAction validates an action name.
func ParseRuleAction(s string) (RuleAction, error) {
	for _, a := range AllRuleActions() {
		if string(a) == s {
			return a, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.rule.unknown_action", nil)
}

// Decision is the decision the action makes; false for "ask me".
func (a RuleAction) Decision() (Decision, bool) {
	if a == RuleAsk {
		return "", false
	}
	return Decision(a), true
}

// RuleConditions must all hold for a rule to match. Nil and empty fields
// do not filter, so a rule with none matches every return.
type RuleConditions struct {
	StoreID     *int64 `json:"store_id,omitempty"`
	VendorCode  string `json:"vendor_code,omitempty"` // the seller's SKU; also matches the WB article (nmID)
	Subject     string `json:"subject,omitempty"`     // category, case-insensitive
	PriceMinRUB *int64 `json:"price_min,omitempty"`   // kopecks, inclusive
	PriceMaxRUB *int64 `json:"price_max,omitempty"`   // kopecks, exclusive
	DefectFound *bool  `json:"defect_found,omitempty"`
	Inspection  *bool  `json:"inspection,omitempty"` // the seller asked for an inspection
}

// Rule is one of a seller's rules.
type Rule struct {
	ID         int64
	SellerID   int64
	Position   int // 1 is tried first
	Name       string
	Conditions RuleConditions
	Action     RuleAction
	CreatedAt  time.Time
}

// Matches reports whether every condition holds for r. A price condition
// never holds for a return without a price: an unknown amount is neither
// above nor below anything.
func (c RuleConditions) Matches(r *Return) bool {
	switch {
	case c.StoreID != nil && *c.StoreID != r.StoreID:
		return false
	case c.VendorCode != "" && !matchesArticle(c.VendorCode, r):
		return false
	case c.Subject != "" && !strings.EqualFold(strings.TrimSpace(c.Subject), strings.TrimSpace(r.Subject)):
		return false
	case (c.PriceMinRUB != nil || c.PriceMaxRUB != nil) && !r.PriceSource.Known():
		return false
	case c.PriceMinRUB != nil && r.PriceRUB < *c.PriceMinRUB:
		return false
	case c.PriceMaxRUB != nil && r.PriceRUB >= *c.PriceMaxRUB:
		return false
	case c.DefectFound != nil && (r.DefectAfterCheck != nil && *r.DefectAfterCheck) != *c.DefectFound:
		return false
	case c.Inspection != nil && r.NeedsVerification != *c.Inspection:
		return false
	}
	return true
}

func matchesArticle(code string, r *Return) bool {
	code = strings.TrimSpace(code)
	return strings.EqualFold(code, r.VendorCode) || (r.NmID != 0 && code == strconv.FormatInt(r.NmID, 10))
}

// Empty reports whether the rule has no condition: it takes every return.
func (c RuleConditions) Empty() bool {
	return c.StoreID == nil && c.VendorCode == "" && c.Subject == "" && c.PriceMinRUB == nil &&
		c.PriceMaxRUB == nil && c.DefectFound == nil && c.Inspection == nil
}

// FirstMatch is the rule that decides r: the first, in position order,
// whose conditions hold. A match whose action is "ask me" is returned too:
// it stops the list, and the seller is asked.
func FirstMatch(rules []*Rule, r *Return) (*Rule, bool) {
	for _, rule := range rules {
		if rule.Conditions.Matches(r) {
			return rule, true
		}
	}
	return nil, false
}

// RulePreview is how many of a sample of returns each rule would have
// taken, first match winning, and how many none would.
type RulePreview struct {
	Taken     map[int64]int // by rule id
	Unmatched int
	Total     int
}

// PreviewRules runs the rules over past returns.
func PreviewRules(rules []*Rule, returns []*Return) RulePreview {
	p := RulePreview{Taken: map[int64]int{}, Total: len(returns)}
	for _, r := range returns {
		if rule, ok := FirstMatch(rules, r); ok {
			p.Taken[rule.ID]++
		} else {
			p.Unmatched++
		}
	}
	return p
}

// PreviewDays is how far back the preview looks.
const PreviewDays = 90

// RuleService keeps a seller's rules and their default. A seller acting
// in the context sees and changes only their own.
type RuleService interface {
	FindRules(ctx context.Context, sellerID int64) ([]*Rule, error)
	// CreateRule appends a rule at the end of the seller's list.
	CreateRule(ctx context.Context, r *Rule) error
	DeleteRule(ctx context.Context, sellerID, ruleID int64) error
	// MoveRule moves a rule one place up (-1) or down (+1).
	MoveRule(ctx context.Context, sellerID, ruleID int64, by int) error
	// PreviewRules counts the seller's returns of the last PreviewDays
	// each rule would have taken.
	PreviewRules(ctx context.Context, sellerID int64, now time.Time) (RulePreview, error)
	// DefaultDecision is what the seller wants at the deadline; false when
	// they chose none, and IndigoDefault applies.
	DefaultDecision(ctx context.Context, sellerID int64) (Decision, bool, error)
	SetDefaultDecision(ctx context.Context, sellerID int64, d Decision) error
}

// DescribeConditions is a rule's conditions in words, which also name the
// rule: "category “Куртки”, price below ₽500.00", or "every return".
// stores names the seller's stores by id.
func DescribeConditions(f Formatter, c RuleConditions, stores map[int64]string) string {
	var parts []string
	if c.StoreID != nil {
		name, ok := stores[*c.StoreID]
		if !ok {
			name = "#" + strconv.FormatInt(*c.StoreID, 10)
		}
		parts = append(parts, f.T("flow.rules.when.store", map[string]any{"Store": name}))
	}
	if c.VendorCode != "" {
		parts = append(parts, f.T("flow.rules.when.vendor_code", map[string]any{"Code": c.VendorCode}))
	}
	if c.Subject != "" {
		parts = append(parts, f.T("flow.rules.when.subject", map[string]any{"Subject": c.Subject}))
	}
	if c.PriceMinRUB != nil {
		parts = append(parts, f.T("flow.rules.when.price_min", map[string]any{"Price": f.FormatRUB(*c.PriceMinRUB)}))
	}
	if c.PriceMaxRUB != nil {
		parts = append(parts, f.T("flow.rules.when.price_max", map[string]any{"Price": f.FormatRUB(*c.PriceMaxRUB)}))
	}
	for _, b := range []struct {
		v       *bool
		yes, no string
	}{
		{c.DefectFound, "flow.rules.when.defect", "flow.rules.when.no_defect"},
		{c.Inspection, "flow.rules.when.inspection", "flow.rules.when.no_inspection"},
	} {
		if b.v != nil && *b.v {
			parts = append(parts, f.T(b.yes))
		} else if b.v != nil {
			parts = append(parts, f.T(b.no))
		}
	}
	if len(parts) == 0 {
		return f.T("flow.rules.when.every")
	}
	return f.T("label.list", map[string]any{"Items": parts})
}

// ParseRoubles reads an amount a person typed in roubles: "1500",
// "1 500,50", "₽990", "990 руб"; into kopecks.
func ParseRoubles(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r == '.':
			return r
		case r == ',':
			return '.'
		}
		return -1
	}, s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e9 {
		return 0, false
	}
	return int64(f*100 + 0.5), true
}
