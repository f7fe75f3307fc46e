package conversations

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// rules.go: /rules — the seller's ordered rules that decide returns at
// their decision point, each with what it would have taken of the last 90
// days, the default applied at a deadline, and a flow that adds a rule:
// its action, then conditions one at a time, then save.
const (
	rulesAction    = "rules.action"
	rulesCondition = "rules.condition"
	rulesValue     = "rules.value"
)

const (
	btnRuleAdd     buttonKind = "ra"
	btnRuleMove    buttonKind = "rm"  // "rm|<rule>:<-1|1>|0"
	btnRuleDelete  buttonKind = "rx"  // "rx|<rule>|0"
	btnRuleDefault buttonKind = "rdf" // "rdf|<decision>|0"
)

func rulesModule() Module {
	return Module{
		Name:     "rules",
		Flows:    []*Flow{&rulesFlow},
		Commands: []Command{{Name: "rules", Menu: 12, NeedsSeller: true, Run: cmdRules}},
		Buttons: []ButtonSpec{
			{Kind: btnRuleAdd, Press: func(t *Turn, _ button) error { return t.StartFlow(rulesFlow.Name) }},
			{Kind: btnRuleMove, Press: pressRuleMove},
			{Kind: btnRuleDelete, Press: pressRuleDelete},
			{Kind: btnRuleDefault, Press: pressRuleDefault},
			{Kind: btnUndo, Owns: ownsReturn, Press: pressUndo},
		},
	}
}

var rulesFlow = Flow{
	Name:  "rules",
	Start: rulesAction,
	Transitions: fsm.Events{
		{Name: "chosen", Src: []string{rulesAction}, Dst: rulesCondition},
		{Name: "pick", Src: []string{rulesCondition}, Dst: rulesValue},
		{Name: "set", Src: []string{rulesValue}, Dst: rulesCondition},
		{Name: "saved", Src: []string{rulesCondition}, Dst: Idle},
		{Name: "cancelled", Src: []string{rulesAction, rulesCondition, rulesValue}, Dst: Idle},
	},
	Steps: map[string]Step{
		rulesAction:    {Ask: askRuleAction, Read: readRuleAction, Wants: inChoice},
		rulesCondition: {Ask: askRuleCondition, Read: readRuleCondition, Wants: inChoice},
		rulesValue:     {Ask: askRuleValue, Read: readRuleValue},
	},
}

// The conditions a rule can have, in the order the flow offers them.
const (
	condStore      = "store"
	condVendorCode = "vendor_code"
	condSubject    = "subject"
	condPriceMin   = "price_min"
	condPriceMax   = "price_max"
	condDefect     = "defect_found"
	condInspection = "inspection"
)

var conditionLabels = []struct{ kind, label string }{
	{condStore, "button.rule.store"}, {condVendorCode, "button.rule.vendor_code"}, {condSubject, "button.rule.subject"},
	{condPriceMin, "button.rule.price_min"}, {condPriceMax, "button.rule.price_max"},
	{condDefect, "button.rule.defect_found"}, {condInspection, "button.rule.inspection"},
}

func cmdRules(t *Turn, _ string) error {
	if t.e.Rules == nil {
		t.Say("flow.rules.off")
		return nil
	}
	rules, err := t.e.Rules.FindRules(t.ctx, t.seller.ID)
	if err != nil {
		return errInternal(err)
	}
	preview, err := t.e.Rules.PreviewRules(t.ctx, t.seller.ID, t.now())
	if err != nil {
		return errInternal(err)
	}
	def, own, err := t.e.Rules.DefaultDecision(t.ctx, t.seller.ID)
	if err != nil {
		return errInternal(err)
	}
	if !own {
		def = domain.IndigoDefault
	}
	text, rows := rulesScreen(t, rules, preview, def, own)
	t.Send(Reply{Text: text, Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

// rulesScreen lists the rules in order with their preview counts and
// buttons, then the default.
func rulesScreen(t *Turn, rules []*domain.Rule, p domain.RulePreview, def domain.Decision, own bool) (string, [][]Button) {
	lines := []string{t.T("flow.rules.list")}
	var rows [][]Button
	for i, r := range rules {
		n := strconv.Itoa(i + 1)
		lines = append(lines, t.l.Plural("flow.rules.line", p.Taken[r.ID], map[string]any{"N": i + 1, "Name": r.Name,
			"Action": t.l.Label("rule_action", string(r.Action))}))
		rows = append(rows, []Button{
			{Text: t.T("button.rule.up", map[string]any{"N": n}), Data: btnRuleMove.data(0, strconv.FormatInt(r.ID, 10), "-1")},
			{Text: t.T("button.rule.down", map[string]any{"N": n}), Data: btnRuleMove.data(0, strconv.FormatInt(r.ID, 10), "1")},
			{Text: t.T("button.rule.delete", map[string]any{"N": n}), Data: btnRuleDelete.data(0, strconv.FormatInt(r.ID, 10))},
		})
	}
	if len(rules) == 0 {
		lines = append(lines, t.T("flow.rules.none"))
	} else {
		lines = append(lines, t.l.Plural("flow.rules.unmatched", p.Unmatched, map[string]any{"Total": p.Total}))
	}
	whose := "flow.rules.default_indigo"
	if own {
		whose = "flow.rules.default_yours"
	}
	lines = append(lines, "", t.T(whose, map[string]any{"Decision": t.l.Label("decision", string(def))}))
	rows = append(rows, []Button{{Text: t.T("button.rule.add"), Data: btnRuleAdd.data(0)}})
	var defaults []Button
	for _, d := range domain.AllDecisions() {
		label := t.l.Label("decision", string(d))
		if own && d == def {
			label = t.l.Toggle(label, true)
		}
		defaults = append(defaults, Button{Text: label, Data: btnRuleDefault.data(0, string(d))})
	}
	return strings.Join(lines, "\n"), append(rows, defaults)
}

func ruleID(b button) int64 {
	id, _ := strconv.ParseInt(b.field(0), 10, 64)
	return id
}

func pressRuleMove(t *Turn, b button) error {
	by, _ := strconv.Atoi(b.field(1))
	if err := t.e.Rules.MoveRule(t.ctx, t.seller.ID, ruleID(b), by); err != nil {
		return err
	}
	return cmdRules(t, "")
}

func pressRuleDelete(t *Turn, b button) error {
	if err := t.e.Rules.DeleteRule(t.ctx, t.seller.ID, ruleID(b)); err != nil {
		return err
	}
	t.Toast("flow.rules.deleted")
	return cmdRules(t, "")
}

func pressRuleDefault(t *Turn, b button) error {
	d, err := domain.ParseDecision(b.field(0))
	if err != nil {
		return err
	}
	if err := t.e.Rules.SetDefaultDecision(t.ctx, t.seller.ID, d); err != nil {
		return err
	}
	if d == domain.DecisionReturnToSeller && !t.seller.ProfileComplete() {
		t.Say("flow.rules.default_needs_profile")
	}
	t.Toast("flow.rules.default_saved")
	return cmdRules(t, "")
}

func askRuleAction(t *Turn) error {
	var choices []Choice
	for _, a := range domain.AllRuleActions() {
		choices = append(choices, Choice{Value: string(a), Label: t.l.Label("rule_action", string(a)), Literal: true})
	}
	t.Ask("flow.rules.action.ask", nil, append(choices, Choice{Value: "cancel", Label: "button.cancel"})...)
	return nil
}

func readRuleAction(t *Turn) (string, error) {
	if t.Chosen() == "cancel" {
		t.Say("flow.rules.cancelled")
		return "cancelled", nil
	}
	a, err := domain.ParseRuleAction(t.Chosen())
	if err != nil {
		return "", nil
	}
	t.s.Data["action"] = string(a)
	return "chosen", nil
}

// draftConditions reads the conditions collected so far from the session.
func draftConditions(t *Turn) domain.RuleConditions {
	var c domain.RuleConditions
	_ = json.Unmarshal([]byte(t.s.Data["conds"]), &c) // "" or our own JSON
	return c
}

func saveDraft(t *Turn, c domain.RuleConditions) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return errInternal(fmt.Errorf("keep a rule's conditions: %w", err))
	}
	t.s.Data["conds"] = string(raw)
	return nil
}

func askRuleCondition(t *Turn) error {
	c := draftConditions(t)
	desc, err := describeConditions(t, c)
	if err != nil {
		return err
	}
	choices := []Choice{}
	for _, cl := range conditionLabels {
		choices = append(choices, Choice{Value: cl.kind, Label: cl.label})
	}
	choices = append(choices, Choice{Value: "save", Label: "button.rule.save"}, Choice{Value: "cancel", Label: "button.cancel"})
	t.Ask("flow.rules.condition.ask", map[string]any{"When": desc,
		"Action": t.l.Label("rule_action", t.s.Data["action"])}, choices...)
	return nil
}

func readRuleCondition(t *Turn) (string, error) {
	switch v := t.Chosen(); v {
	case "cancel":
		t.Say("flow.rules.cancelled")
		return "cancelled", nil
	case "save":
		return saveRule(t)
	case "":
		return "", nil
	default:
		t.s.Data["cond"] = v
		return "pick", nil
	}
}

func saveRule(t *Turn) (string, error) {
	c := draftConditions(t)
	name, err := describeConditions(t, c)
	if err != nil {
		return "", err
	}
	r := &domain.Rule{SellerID: t.seller.ID, Name: name, Conditions: c, Action: domain.RuleAction(t.s.Data["action"])}
	if err := t.e.Rules.CreateRule(t.ctx, r); err != nil {
		return "", err
	}
	t.Say("flow.rules.saved", map[string]any{"Name": name, "Action": t.l.Label("rule_action", string(r.Action))})
	return "saved", cmdRules(t, "")
}

func askRuleValue(t *Turn) error {
	switch t.s.Data["cond"] {
	case condStore:
		stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
		if err != nil {
			return errInternal(err)
		}
		var choices []Choice
		for _, s := range stores {
			choices = append(choices, Choice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name, Literal: true})
		}
		t.Ask("flow.rules.value.store", nil, choices...)
	case condDefect, condInspection:
		id := "flow.rules.value.defect_found"
		if t.s.Data["cond"] == condInspection {
			id = "flow.rules.value.inspection"
		}
		t.Ask(id, nil, Choice{Value: "yes", Label: "label.yes"}, Choice{Value: "no", Label: "label.no"})
	case condPriceMin, condPriceMax:
		t.Say("flow.rules.value.price")
	case condVendorCode:
		t.Say("flow.rules.value.vendor_code")
	default:
		t.Say("flow.rules.value.subject")
	}
	return nil
}

// readRuleValue adds the condition being asked to the draft.
func readRuleValue(t *Turn) (string, error) {
	c := draftConditions(t)
	text, chosen := t.Text(), t.Chosen()
	switch t.s.Data["cond"] {
	case condStore:
		id, err := strconv.ParseInt(chosen, 10, 64)
		if err != nil {
			return "", nil
		}
		c.StoreID = &id
	case condDefect, condInspection:
		if chosen != "yes" && chosen != "no" {
			return "", nil
		}
		v := chosen == "yes"
		if t.s.Data["cond"] == condDefect {
			c.DefectFound = &v
		} else {
			c.Inspection = &v
		}
	case condPriceMin, condPriceMax:
		kop, ok := domain.ParseRoubles(text)
		if !ok {
			return "", domain.Errorf(domain.CodeInvalid, "error.rule.bad_price", nil)
		}
		if t.s.Data["cond"] == condPriceMin {
			c.PriceMinRUB = &kop
		} else {
			c.PriceMaxRUB = &kop
		}
	default:
		if text == "" || len([]rune(text)) > 100 {
			return "", domain.Errorf(domain.CodeInvalid, "error.rule.bad_text", nil)
		}
		if t.s.Data["cond"] == condVendorCode {
			c.VendorCode = text
		} else {
			c.Subject = text
		}
	}
	return "set", saveDraft(t, c)
}

// describeConditions is a rule's conditions in words (domain's, which
// the web shows too), store ids named by the seller's stores.
func describeConditions(t *Turn, c domain.RuleConditions) (string, error) {
	stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
	if err != nil {
		return "", errInternal(err)
	}
	return domain.DescribeConditions(t.l, c, storesByID(stores)), nil
}

func storesByID(stores []*domain.Store) map[int64]string {
	names := map[int64]string{}
	for _, s := range stores {
		names[s.ID] = s.Name
	}
	return names
}
