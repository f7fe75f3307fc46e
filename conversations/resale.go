package conversations

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/indigo-warehouse/indigo/domain"
)

// resale.go: what a seller hears and sees of their items on sale on WB
// (manual §6): sold with the price, back on the shelf after a cancel,
// refused by the buyer, or why the store cannot sell on WB at all.

const (
	btnInviteDone        buttonKind = "ui" // the seller invited IndigoWarehouse into the store's WB account
	btnWithdraw          buttonKind = "uw" // take a unit off sale
	btnWithdrawConfirmed buttonKind = "uy"
)

func resaleModule() Module {
	return Module{
		Name: "resale",
		Buttons: []ButtonSpec{
			{Kind: btnInviteDone, Owns: ownsStore, Press: pressInviteDone},
			{Kind: btnWithdraw, Owns: ownsUnit, Press: pressWithdraw},
			{Kind: btnWithdrawConfirmed, Owns: ownsUnit, Press: pressWithdrawConfirmed},
		},
	}
}

// resaleNotification gives a resale push's data its words in the seller's
// language: the price as money, the reason as text.
func resaleNotification(t *Turn, n *domain.Notification) *domain.Notification {
	switch n.Kind {
	case domain.NotifyResaleSold, domain.NotifyResaleBlocked:
	default:
		return n
	}
	out := *n
	out.Data = maps.Clone(n.Data)
	if price, ok := number(n.Data["Price"]); ok {
		out.Data["Price"] = formatPrice(t, price, n.Data["Currency"])
	}
	if reason, ok := n.Data["Reason"].(string); ok {
		out.Data["Reason"] = t.T(reason)
	}
	return &out
}

// formatPrice writes WB's price (×100) in the seller's way; a currency
// other than the rouble is named by its ISO code.
func formatPrice(t *Turn, price int64, currency any) string {
	code, _ := number(currency)
	if code == 0 || code == 643 {
		return t.l.FormatRUB(price)
	}
	return fmt.Sprintf("%d.%02d (%03d)", price/100, price%100, code)
}

// number reads a number from notification data, which comes back from
// JSON as a float64.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// renderResale renders what a resale push needs beyond the common shape:
// the invite reminder with its "Done" button. It reports whether it sent
// the push; otherwise it returns n with its data in words.
func renderResale(t *Turn, n *domain.Notification) (*domain.Notification, bool, error) {
	if n.Kind != domain.NotifyResaleInvite || n.StoreID == nil {
		return resaleNotification(t, n), false, nil
	}
	t.Send(Reply{Text: t.T("notify.resale_invite", n.Data), Buttons: [][]Button{{{
		Text: t.T("button.invite_done"), Data: btnInviteDone.on(*n.StoreID, 0),
	}}}})
	return n, true, nil
}

// pressInviteDone records that the seller invited IndigoWarehouse into the
// store's WB account: the reminders stop.
func pressInviteDone(t *Turn, b button) error {
	if t.e.Shelf == nil {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	if err := t.e.Shelf.ConfirmInvite(t.ctx, b.store.ID); err != nil {
		return err
	}
	t.Toast("flow.resale.invite_thanks")
	t.Say("flow.resale.invite_thanks")
	return nil
}

// resaleGlance is the /returns line about items on sale on WB: how many
// wait on the shelf, are on their way to buyers, were sold, and for how
// much. Nothing shows before the first item went on the shelf.
func resaleGlance(t *Turn) []string {
	if t.e.Shelf == nil {
		return nil
	}
	s, err := t.e.Shelf.SummarizeUnits(t.ctx, domain.UnitFilter{})
	if err != nil || s == (domain.UnitSummary{}) {
		return nil
	}
	return []string{t.T("flow.resale.glance", map[string]any{"OnShelf": s.OnShelf, "InOrder": s.InOrder,
		"Sold": s.Sold, "Money": t.l.FormatRUB(s.SoldPrice)})}
}

// unitCard is what a return's card says about its shelf unit, and the
// Withdraw button while the unit is on sale.
func unitCard(t *Turn, r *domain.Return) (string, [][]Button) {
	if t.e.Shelf == nil || r.Decision != domain.DecisionSellOnWB {
		return "", nil
	}
	units, err := t.e.Shelf.FindUnits(t.ctx, domain.UnitFilter{ReturnID: &r.ID})
	if err != nil || len(units) == 0 {
		return "", nil
	}
	u := units[0]
	line := "\n" + t.T("flow.resale.unit", map[string]any{"Status": t.l.Label("unit_status", string(u.Status))})
	if u.Status == domain.UnitSold {
		line = t.l.Join(line, formatPrice(t, u.SoldPrice, u.SoldCurrency))
	}
	if u.Status != domain.UnitListed {
		return line, nil
	}
	return line, [][]Button{{{Text: t.T("button.withdraw"), Data: btnWithdraw.on(u.ID, u.Version)}}}
}

// pressWithdraw asks the seller to confirm taking a unit off sale;
// pressWithdrawConfirmed does it.
func pressWithdraw(t *Turn, b button) error {
	u := b.unit
	t.Send(Reply{Text: t.T("flow.resale.withdraw_confirm", map[string]any{"Product": u.ProductName, "Return": u.ReturnNumber}),
		Buttons: [][]Button{{{Text: t.T("button.confirm"), Data: btnWithdrawConfirmed.on(u.ID, b.version)},
			{Text: t.T("button.back"), Data: btnCard.on(u.ReturnID, 0)}}},
		EditMessageID: t.in.ButtonOn})
	return nil
}

func pressWithdrawConfirmed(t *Turn, b button) error {
	u := b.unit
	if u.Version != b.version {
		t.Toast("error.input.stale_button")
		return nil
	}
	if _, err := t.e.Shelf.ApplyUnitEvent(t.ctx, u.ID, domain.UnitChange{Event: domain.UnitEventWithdraw}); err != nil {
		return err
	}
	t.Send(Reply{Text: t.T("flow.resale.withdrawn", map[string]any{"Product": u.ProductName, "Return": u.ReturnNumber}),
		EditMessageID: t.in.ButtonOn})
	return nil
}

func (t *Turn) ownUnit(arg string) (*domain.Unit, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || t.e.Shelf == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "error.unit.not_found", nil)
	}
	return t.e.Shelf.FindUnitByID(t.ctx, id) // a seller's context sees only their units
}

// resaleExplain puts numbers to "Sell on WB" on the decision card where
// they are known: what the buyer paid for the item, and what the seller's
// items of the same card sold for through Indigo.
func resaleExplain(t *Turn, r *domain.Return) string {
	out := ""
	if r.PriceRUB > 0 {
		out += " " + t.T("flow.resale.explain_price", map[string]any{"Price": t.l.FormatRUB(r.PriceRUB)})
	}
	if t.e.Shelf == nil || r.NmID == 0 {
		return out
	}
	s, err := t.e.Shelf.SummarizeUnits(t.ctx, domain.UnitFilter{NmID: &r.NmID})
	if err != nil || s.Sold == 0 {
		return out
	}
	return out + " " + t.T("flow.resale.explain_sold", map[string]any{"Count": s.Sold,
		"Average": t.l.FormatRUB(s.SoldPrice / int64(s.Sold))})
}
