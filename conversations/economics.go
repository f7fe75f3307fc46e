package conversations

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// economics.go: what a card says about a return's money and clocks: the
// estimate of each option and the deadline with its default while a
// decision is pending; the days WB keeps it at the pickup point; what WB
// charged for one left there; a decision made for the seller, with its
// undo button.

// btnUndo takes back a decision a rule or the default made:
// "ud|<return>|<version>".
const btnUndo buttonKind = "ud"

// logger is the engine's log, or the default one.
func (e *Engine) logger() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

func (t *Turn) now() time.Time {
	if t.e.Now != nil {
		return t.e.Now()
	}
	return time.Now()
}

// zone is the seller's time zone, which days left are counted in.
func (t *Turn) zone() *time.Location {
	if t.seller == nil {
		return time.UTC
	}
	return sellerZone(t.seller.TimeZone)
}

// cardClocks is the card's block below its fields, and its buttons.
func cardClocks(t *Turn, r *domain.Return) (string, [][]Button) {
	var parts []string
	var rows [][]Button
	switch r.Status {
	case domain.StatusAwaitingSellerDecision:
		parts = append(parts, economicsText(t, r), deadlineText(t, r))
	case domain.StatusAwaitingPickupCode:
		parts = append(parts, pickupDaysText(t, r))
	case domain.StatusPickupExpired:
		parts = append(parts, chargeText(t, r))
	case domain.StatusAwaitingTransferToSale, domain.StatusAwaitingShipmentToSeller, domain.StatusAwaitingDisposal:
		text, row := autoDecisionText(t, r)
		parts = append(parts, text)
		if row != nil {
			rows = append(rows, row)
		}
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n"), rows
}

// economicsText renders the estimate of every option (domain's view,
// which the web shows too): its net, how it is made up, the best marked,
// and where the numbers come from.
func economicsText(t *Turn, r *domain.Return) string {
	if t.e.Economics == nil {
		return ""
	}
	e, err := t.e.Economics.Economics(t.ctx, r)
	if err != nil {
		t.e.logger().Warn("estimate a return", "return", r.ID, "err", err)
		return ""
	}
	return domain.ViewEconomics(t.l, e, t.zone()).Text(t.l)
}

// deadlineText states when the decision is due and what happens then.
func deadlineText(t *Turn, r *domain.Return) string {
	if t.e.Decisions == nil {
		return ""
	}
	dl, ok, err := t.e.Decisions.Deadline(t.ctx, r)
	if err != nil || !ok {
		if err != nil {
			t.e.logger().Warn("find a decision deadline", "return", r.ID, "err", err)
		}
		return ""
	}
	id := "flow.deadline.indigo_default"
	if dl.SellerDefault {
		id = "flow.deadline.seller_default"
	}
	return t.T(id, map[string]any{"Date": t.l.FormatDate(dl.DueAt.In(t.zone())),
		"Decision": t.l.Label("decision", string(dl.Default))})
}

// pickupDaysText counts WB's seven days down in the seller's calendar.
func pickupDaysText(t *Turn, r *domain.Return) string {
	end, ok := domain.PickupDeadline(r)
	if !ok {
		return ""
	}
	return pickupLeft(t.l, t.now(), end, t.zone())
}

func pickupLeft(l *locales.Localizer, now, end time.Time, loc *time.Location) string {
	return domain.PickupLeftText(l, now, end, loc)
}

// chargeText says what WB charges for a return nobody collected in time.
func chargeText(t *Turn, r *domain.Return) string {
	if t.e.PickupClock == nil {
		return ""
	}
	charges, err := t.e.PickupClock.FindReturnCharges(t.ctx, r.ID)
	if err != nil || len(charges) == 0 {
		return t.T("flow.pickup.expired_note")
	}
	return t.T("flow.pickup.expired_charge", map[string]any{"Amount": t.l.FormatRUB(charges[0].AmountRUB)})
}

// autoDecisionText names a decision a rule or the default made, with the
// button that undoes it while nothing irreversible has happened.
func autoDecisionText(t *Turn, r *domain.Return) (string, []Button) {
	if t.e.Decisions == nil {
		return "", nil
	}
	a, err := t.e.Decisions.FindAutoDecision(t.ctx, r.ID)
	if err != nil || a == nil || !a.CanUndo(r) {
		return "", nil
	}
	return autoLine(t.l, a), []Button{{Text: t.T("button.undo_decision"), Data: btnUndo.on(r.ID, r.Version)}}
}

func autoLine(l *locales.Localizer, a *domain.AutoDecision) string {
	return domain.AutoDecisionText(l, a)
}

// pressUndo takes back a decision made for the seller and shows the
// return waiting for their own.
func pressUndo(t *Turn, b button) error {
	if t.e.Decisions == nil || b.ret.Version != b.version {
		return redrawStale(t, b.ret)
	}
	r, err := t.e.Decisions.UndoAutoDecision(t.ctx, b.ret.ID)
	if err != nil {
		return err
	}
	t.Toast("flow.decision.undone")
	card := ReturnCard(t, r)
	card.EditMessageID = t.in.ButtonOn
	t.Send(card)
	return nil
}

// clockData is what pushes about a return at a pickup point say of WB's
// seven days.
func clockData(t *Turn, r *domain.Return) map[string]any {
	data := map[string]any{"Left": "", "Charge": ""}
	if end, ok := domain.PickupDeadline(r); ok {
		data["Left"] = pickupLeft(t.l, t.now(), end, t.zone())
	}
	if r.Status == domain.StatusPickupExpired {
		data["Charge"] = chargeText(t, r)
	}
	return data
}

// priceShort is a return's price in a list: "≈" marks an estimate, "—" none.
func priceShort(l *locales.Localizer, r *domain.Return) string {
	switch {
	case !r.PriceSource.Known():
		return l.None()
	case r.PriceSource.Estimate():
		return "≈" + l.FormatRUB(r.PriceRUB)
	}
	return l.FormatRUB(r.PriceRUB)
}

// sumNote says what a tab's sum leaves out or estimates.
func sumNote(l *locales.Localizer, s domain.Summary) string { return domain.SumNote(l, s) }

// decidedPush tells the seller their default was applied at the deadline,
// with the button that undoes it.
func decidedPush(t *Turn, r *domain.Return, text string) error {
	rows := [][]Button{{{Text: t.T("button.open_return"), Data: btnCard.on(r.ID, 0)}}}
	if _, row := autoDecisionText(t, r); row != nil {
		rows = append([][]Button{row}, rows...)
	}
	t.Send(Reply{Text: text, Buttons: rows})
	return nil
}

// maxDigestUndo bounds the undo buttons under one digest.
const maxDigestUndo = 5

// autoDigest lists what rules and defaults decided since the last digest,
// each with its rule named; the storage job put them into the digest's
// data when it queued it, so a digest sent again says the same.
func autoDigest(t *Turn, n *domain.Notification) (string, [][]Button) {
	list, _ := n.Data["auto"].([]any)
	var lines []string
	var rows [][]Button
	for _, item := range list {
		m, _ := item.(map[string]any)
		id, _ := m["return_id"].(float64)
		r, err := t.e.Returns.FindReturnByID(t.ctx, int64(id))
		if err != nil {
			continue // gone, or no longer the seller's
		}
		rule, _ := m["rule"].(string)
		kind, _ := m["kind"].(string)
		decision, _ := m["decision"].(string)
		a := &domain.AutoDecision{Kind: domain.AutoDecisionKind(kind), Decision: domain.Decision(decision), RuleName: rule}
		lines = append(lines, t.T("flow.digest.auto_line", map[string]any{"Product": r.ProductName, "Return": r.ReturnNumber,
			"Why": autoLine(t.l, a)}))
		if _, row := autoDecisionText(t, r); row != nil && len(rows) < maxDigestUndo {
			row[0].Text = t.l.Join(row[0].Text, r.ReturnNumber)
			rows = append(rows, row)
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	return "\n\n" + t.T("flow.digest.auto_title") + "\n" + strings.Join(lines, "\n"), rows
}

// firstPickupEnd is when WB's storage ends for the first of a pickup
// point's returns, as Unix seconds for the session; "" when WB gave none.
func firstPickupEnd(group []*domain.Return) string {
	var first time.Time
	for _, r := range group {
		if end, ok := domain.PickupDeadline(r); ok && (first.IsZero() || end.Before(first)) {
			first = end
		}
	}
	if first.IsZero() {
		return ""
	}
	return strconv.FormatInt(first.Unix(), 10)
}

// pickupAskClock is the line /pickup adds under its question: how long
// WB keeps the first of the point's returns.
func pickupAskClock(t *Turn) string {
	sec, err := strconv.ParseInt(t.s.Data["ends"], 10, 64)
	if err != nil {
		return ""
	}
	return "\n\n" + pickupLeft(t.l, t.now(), time.Unix(sec, 0), t.zone())
}
