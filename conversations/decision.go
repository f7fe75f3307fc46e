package conversations

import (
	"strconv"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// decision.go: the seller decides what happens to an inspected return
// (manual §4.3): Sell on WB, Return to seller or Dispose, each confirmed
// once, final once confirmed.
const decisionConfirm = "decision.confirm"

// btnDecide picks a decision on a return: "rd|<return>:<decision>|<version>".
const btnDecide buttonKind = "rd"

func decisionModule() Module {
	return Module{
		Name:    "decision",
		Flows:   []*Flow{&decisionFlow},
		Buttons: []ButtonSpec{{Kind: btnDecide, Owns: ownsReturn, Press: pressDecision}},
	}
}

var decisionFlow = Flow{
	Name:  "decision",
	Start: decisionConfirm,
	Transitions: fsm.Events{
		{Name: "confirmed", Src: []string{decisionConfirm}, Dst: Idle},
		{Name: "declined", Src: []string{decisionConfirm}, Dst: Idle},
	},
	Steps: map[string]Step{
		decisionConfirm: {Ask: askDecisionConfirm, Read: readDecisionConfirm, Wants: inChoice},
	},
}

// pressDecision starts the confirm step for "rd|<return>:<decision>|<version>".
// Return to seller is refused up front, with the way forward, while the
// profile lacks a return address or documents.
func pressDecision(t *Turn, b button) error {
	r, idStr, decStr := b.ret, b.field(0), b.field(1)
	if r.Version != b.version {
		return redrawStale(t, r)
	}
	d, err := domain.ParseDecision(decStr)
	if err != nil {
		return err
	}
	if _, err := r.Check(t.ctx, domain.ReturnChange{Event: domain.DecisionEvent(d), Decision: d}, t.seller); err != nil {
		if domain.ErrorMsgID(err) == "error.return.profile_incomplete" {
			t.Send(Reply{Text: t.Error(err), Buttons: [][]Button{{{Text: t.T("button.complete_profile"), Data: btnProfile.data(0)}}}})
			return nil
		}
		return err
	}
	return t.StartFlowAt(decisionFlow.Name, decisionConfirm, map[string]string{
		"return_id": idStr, "decision": string(d), "version": strconv.FormatInt(r.Version, 10),
	})
}

func askDecisionConfirm(t *Turn) error {
	d := domain.Decision(t.s.Data["decision"])
	t.Ask("flow.decision.confirm", map[string]any{
		"Decision": t.l.Label("decision", string(d)), "Explain": t.T("flow.decision.explain." + string(d)),
	}, Choice{Value: "yes", Label: "button.confirm"}, Choice{Value: "no", Label: "button.cancel"})
	return nil
}

func readDecisionConfirm(t *Turn) (string, error) {
	switch t.Chosen() {
	case "no":
		t.Say("flow.decision.kept_open")
		return "declined", nil
	case "yes":
	default:
		return "", nil
	}
	id, _ := strconv.ParseInt(t.s.Data["return_id"], 10, 64)
	d := domain.Decision(t.s.Data["decision"])
	cur, err := t.e.Returns.FindReturnByID(t.ctx, id)
	if err != nil {
		return "", err
	}
	if strconv.FormatInt(cur.Version, 10) != t.s.Data["version"] {
		// The return changed while the seller was confirming: decide on what it is now.
		t.Say("error.input.stale_button")
		t.Send(ReturnCard(t, cur))
		return "declined", nil
	}
	r, err := t.e.Returns.ApplyEvent(t.ctx, id, domain.ReturnChange{Event: domain.DecisionEvent(d), Decision: d})
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInternal {
			return "", err
		}
		t.Say(domain.ErrorMsgID(err), domain.ErrorData(err))
		return "declined", nil
	}
	t.Say("flow.decision.done", map[string]any{
		"Decision": t.l.Label("decision", string(r.Decision)), "Return": r.ReturnNumber, "Product": r.ProductName,
	})
	return "confirmed", nil
}
