package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// economics.go: a return's money and clocks on its page, as the chat's
// card shows them: each option's estimate while a decision is pending, the
// deadline and its default, WB's seven days at the pickup point, WB's
// charge for a return left there, and a decision made for the seller with
// the form that undoes it.

// clocksView is that part of a return's page.
type clocksView struct {
	Economics *domain.EconomicsView
	Lines     []string // the deadline, the days left, the charge, a decision made for the seller
	Undo      *undoForm
}

type undoForm struct{ Action, CSRF, Label string }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// clocks fills the page's money and clocks; what cannot be read is left
// out, logged, and never fails the page.
func (s *Server) clocks(rq *request, r *domain.Return) *clocksView {
	v := &clocksView{}
	add := func(line string) {
		if line != "" {
			v.Lines = append(v.Lines, line)
		}
	}
	switch r.Status {
	case domain.StatusAwaitingSellerDecision:
		v.Economics = s.economics(rq, r)
		add(s.deadline(rq, r))
	case domain.StatusAwaitingPickupCode:
		if end, ok := domain.PickupDeadline(r); ok {
			add(domain.PickupLeftText(rq.l, s.now(), end, rq.loc))
		}
	case domain.StatusPickupExpired:
		add(s.charge(rq, r))
	case domain.StatusAwaitingTransferToSale, domain.StatusAwaitingShipmentToSeller, domain.StatusAwaitingDisposal:
		s.autoDecision(rq, r, v)
	}
	if v.Economics == nil && len(v.Lines) == 0 {
		return nil
	}
	return v
}

func (s *Server) economics(rq *request, r *domain.Return) *domain.EconomicsView {
	if s.Economics == nil {
		return nil
	}
	e, err := s.Economics.Economics(rq.ctx, r)
	if err != nil {
		s.Log.Warn("estimate a return", "return", r.ID, "err", err)
		return nil
	}
	v := domain.ViewEconomics(rq.l, e, rq.loc)
	return &v
}

func (s *Server) deadline(rq *request, r *domain.Return) string {
	if s.Decisions == nil {
		return ""
	}
	dl, ok, err := s.Decisions.Deadline(rq.ctx, r)
	if err != nil || !ok {
		return ""
	}
	id := "flow.deadline.indigo_default"
	if dl.SellerDefault {
		id = "flow.deadline.seller_default"
	}
	return rq.l.T(id, map[string]any{"Date": rq.l.FormatDate(dl.DueAt.In(rq.loc)),
		"Decision": rq.l.Label("decision", string(dl.Default))})
}

func (s *Server) charge(rq *request, r *domain.Return) string {
	if s.PickupClock == nil {
		return ""
	}
	charges, err := s.PickupClock.FindReturnCharges(rq.ctx, r.ID)
	if err != nil || len(charges) == 0 {
		return rq.l.T("flow.pickup.expired_note")
	}
	return rq.l.T("flow.pickup.expired_charge", map[string]any{"Amount": rq.l.FormatRUB(charges[0].AmountRUB)})
}

func (s *Server) autoDecision(rq *request, r *domain.Return, v *clocksView) {
	if s.Decisions == nil {
		return
	}
	a, err := s.Decisions.FindAutoDecision(rq.ctx, r.ID)
	if err != nil || a == nil || !a.CanUndo(r) {
		return
	}
	v.Lines = append(v.Lines, domain.AutoDecisionText(rq.l, a))
	v.Undo = &undoForm{Action: "/web/returns/" + strconv.FormatInt(r.ID, 10) + "/undo", CSRF: csrfToken(rq.session),
		Label: rq.l.T("button.undo_decision")}
}

// handleUndo takes back a decision a rule or the default made; storage
// refuses it once the warehouse has acted, and the page says so.
func (s *Server) handleUndo(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	if s.Decisions == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	if _, err := s.Decisions.UndoAutoDecision(rq.ctx, r.ID); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/returns/"+strconv.FormatInt(r.ID, 10)+"?saved=undo#decision", http.StatusSeeOther)
	return nil
}
