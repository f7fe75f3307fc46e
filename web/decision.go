package web

import (
	"net/http"
	"strconv"

	"github.com/indigo-warehouse/indigo/domain"
)

// The decision on a return (manual §4.3) under the chat's rules: the
// seller picks an action, confirms it on a second page, and it is final.
// "Return to seller" needs a complete profile; domain.Return.Check and
// storage's ApplyEvent enforce all of it, the pages only explain.

// explainDecision is each decision's explanation, shared with the chat.
var explainDecision = map[domain.Decision]string{
	domain.DecisionSellOnWB:       "flow.decision.explain.sell_on_wb",
	domain.DecisionReturnToSeller: "flow.decision.explain.return_to_seller",
	domain.DecisionDispose:        "flow.decision.explain.dispose",
}

// confirmPage is the confirm step of a decision.
type confirmPage struct {
	layout
	Product, Label, Explain string
	Value                   string // the decision, posted on confirm
	Action, Cancel          string
	Blocked                 string // why it cannot be confirmed
}

// handleDecisionConfirm asks the seller to confirm the chosen decision, or
// says what is missing first.
func (s *Server) handleDecisionConfirm(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	d, err := domain.ParseDecision(rq.r.URL.Query().Get("decision"))
	if err != nil {
		return err
	}
	l := rq.l
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	p := confirmPage{layout: s.layout(rq, l.T("web.confirm.title")), Product: r.ProductName,
		Label: l.Label("decision", string(d)), Explain: l.T(explainDecision[d]), Value: string(d),
		Action: detail + "/decision", Cancel: detail}
	if _, err := r.Check(rq.ctx, domain.ReturnChange{Event: domain.DecisionEvent(d), Decision: d}, rq.seller); err != nil {
		if domain.ErrorCode(err) == domain.CodeInternal {
			return err
		}
		p.Blocked = l.T(domain.ErrorMsgID(err), domain.ErrorData(err))
		if domain.ErrorMsgID(err) == "error.return.profile_incomplete" {
			p.Blocked += " " + l.T("web.confirm.profile_hint")
		}
	}
	s.render(rq, http.StatusOK, "confirm", p)
	return nil
}

// handleDecision records a confirmed decision. A refusal (profile missing,
// decision already made) is shown on the return's page.
func (s *Server) handleDecision(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	d, err := domain.ParseDecision(rq.r.PostFormValue("decision"))
	if err != nil {
		return err
	}
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	if rq.r.PostFormValue("confirm") != "yes" {
		http.Redirect(rq.w, rq.r, detail+"/decision?decision="+string(d), http.StatusSeeOther)
		return nil
	}
	_, err = s.Returns.ApplyEvent(rq.ctx, r.ID, domain.ReturnChange{Event: domain.DecisionEvent(d), Decision: d})
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInternal {
			return err
		}
		// Show the refusal on the return as it is now.
		if r, err2 := s.Returns.FindReturnByID(rq.ctx, r.ID); err2 == nil {
			if p, err2 := s.returnPage(rq, r); err2 == nil {
				p.Alert = rq.l.T(domain.ErrorMsgID(err), domain.ErrorData(err))
				s.render(rq, statusOf[domain.ErrorCode(err)], "return", p)
				return nil
			}
		}
		return err
	}
	http.Redirect(rq.w, rq.r, detail+"?saved=decision", http.StatusSeeOther)
	return nil
}
