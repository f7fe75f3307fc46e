package conversations

import (
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// returns.go: returns at a glance (/returns): the four tabs with counts and
// sums, paged lists edited in place, and a card per return with the
// manual's fields and what the seller may do with it now.

const (
	btnTab        buttonKind = "rt" // a page of a tab: "rt|<tab>:<page>|0"
	btnRefresh    buttonKind = "rf"
	btnCard       buttonKind = "rc"
	btnVerify     buttonKind = "rv" // before arrival: needs verification
	btnPhotoVideo buttonKind = "rp" // before arrival: photo/video required
)

func returnsModule() Module {
	return Module{
		Name:     "returns",
		Commands: []Command{{Name: "returns", Menu: 1, NeedsSeller: true, Run: cmdReturns}},
		Buttons: []ButtonSpec{
			{Kind: btnTab, Press: pressTab},
			{Kind: btnRefresh, Press: pressRefresh},
			{Kind: btnCard, Owns: ownsReturn, Press: pressCard},
			{Kind: btnVerify, Owns: ownsReturn, Press: pressBeforeArrival},
			{Kind: btnPhotoVideo, Owns: ownsReturn, Press: pressBeforeArrival},
		},
	}
}

const returnsPageSize = 8

func cmdReturns(t *Turn, _ string) error {
	sums, err := t.e.Returns.Summarize(t.ctx, domain.ReturnFilter{})
	if err != nil {
		return errInternal(err)
	}
	lines := tabLines(t.l, sums)
	var rows [][]Button
	for _, s := range sums {
		rows = append(rows, []Button{{
			Text: t.l.WithCount(t.l.Label("tab", string(s.Tab)), s.Count),
			Data: btnTab.data(0, string(s.Tab), "0"),
		}})
	}
	lines = append(lines, resaleGlance(t)...) // resale.go
	rows = append(rows, []Button{{Text: t.T("button.refresh"), Data: btnRefresh.data(0)}})
	t.Send(Reply{Text: t.T("flow.returns.glance", map[string]any{"Tabs": strings.Join(lines, "\n")}),
		Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

// tabLines are the tabs with their counts and sums, one line each, as
// /returns, the morning summary and a digest show them.
func tabLines(l *locales.Localizer, sums []domain.Summary) []string {
	lines := make([]string, len(sums))
	for i, s := range sums {
		lines[i] = l.T("flow.returns.tab_line", map[string]any{
			"Tab": l.Label("tab", string(s.Tab)), "Count": s.Count,
			"Money": l.FormatMoney(s.PriceRUB, s.PriceCNY),
		}) + sumNote(l, s) // economics.go: what the sum leaves out or estimates
	}
	return lines
}

// pressTab shows one page of a tab: "rt|pending_decision:2|0".
func pressTab(t *Turn, b button) error {
	tabName, pageStr := b.field(0), b.field(1)
	if tabName == "all" {
		return cmdReturns(t, "")
	}
	tab, err := domain.ParseTab(tabName)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(pageStr)
	page = max(page, 0)
	list, total, err := t.e.Returns.FindReturns(t.ctx, domain.ReturnFilter{Tab: &tab, Offset: page * returnsPageSize, Limit: returnsPageSize})
	if err != nil {
		return errInternal(err)
	}
	var rows [][]Button
	for _, r := range list {
		rows = append(rows, []Button{{
			Text: t.T("button.return_row", map[string]any{"Return": r.ReturnNumber, "Product": r.ProductName, "Detail": priceShort(t.l, r)}),
			Data: btnCard.on(r.ID, 0),
		}})
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: t.T("button.page_prev"), Data: btnTab.data(0, string(tab), strconv.Itoa(page-1))})
	}
	nav = append(nav, Button{Text: t.T("button.back"), Data: btnTab.data(0, "all", "0")})
	if (page+1)*returnsPageSize < total {
		nav = append(nav, Button{Text: t.T("button.page_next"), Data: btnTab.data(0, string(tab), strconv.Itoa(page+1))})
	}
	rows = append(rows, nav)
	pages := (total + returnsPageSize - 1) / returnsPageSize
	t.Send(Reply{Text: t.T("flow.returns.page", map[string]any{
		"Tab": t.l.Label("tab", string(tab)), "Page": page + 1, "Pages": max(pages, 1), "Total": total,
	}), Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

// redrawStale answers a button drawn before the return changed: the card
// is shown as the return is now.
func redrawStale(t *Turn, r *domain.Return) error {
	t.Toast("error.input.stale_button")
	return pressCard(t, button{ret: r})
}

func pressCard(t *Turn, b button) error {
	card := ReturnCard(t, b.ret)
	card.EditMessageID = t.in.ButtonOn
	t.Send(card)
	return nil
}

// sellerCardColumns are the fields of the seller's card, in its order;
// the decision follows, with who made it.
var sellerCardColumns = []domain.Column{
	domain.ColProduct, domain.ColVendorCode, domain.ColBarcode, domain.ColReturnNumber, domain.ColRequestDate,
	domain.ColStatus, domain.ColPrice, domain.ColDefective, domain.ColNeedsVerification, domain.ColPhotoVideo,
	domain.ColPickupPoint, domain.ColPickupCode, domain.ColReceivedAt, domain.ColDefectAfterCheck,
	domain.ColInspectionComment,
}

// fieldLines are a return's fields in cols as "Title: value" lines, the
// ones it has no value for left out: the seller's and the staff card.
func fieldLines(l *locales.Localizer, r *domain.Return, cols []domain.Column, seller *domain.Seller) []string {
	var lines []string
	f := domain.InZone(l, domain.ZoneOf(seller.TimeZone)) // the seller's days, as on the web
	for _, c := range cols {
		if v := c.Text(f, r); v != "" {
			lines = append(lines, l.Field(l.T(string(c)), v))
		}
	}
	return lines
}

// ReturnCard renders a return with the manual's fields and the buttons for
// what can be done with it in its status. Buttons that change the return
// carry its version, so a card drawn before a change cannot act on it.
func ReturnCard(t *Turn, r *domain.Return) Reply {
	lines := fieldLines(t.l, r, sellerCardColumns, t.seller)
	if r.Decision != "" {
		lines = append(lines, t.l.Field(t.T(string(domain.ColDecision)), decidedBy(t, r)))
	}
	unitLine, rows := unitCard(t, r) // resale.go
	if unitLine != "" {
		lines = append(lines, strings.TrimPrefix(unitLine, "\n"))
	}
	clocks, clockRows := cardClocks(t, r) // economics.go: money, deadlines, undo
	if clocks != "" {
		lines = append(lines, "", clocks)
	}
	rows = append(clockRows, rows...)
	switch r.Tab() {
	case domain.TabInTransit:
		rows = append(rows, []Button{
			{Text: toggleLabel(t, "button.needs_verification", r.NeedsVerification), Data: btnVerify.on(r.ID, r.Version)},
			{Text: toggleLabel(t, "button.photo_video_required", r.PhotoVideoRequired), Data: btnPhotoVideo.on(r.ID, r.Version)},
		})
		if r.Status == domain.StatusAwaitingPickupCode {
			rows = append(rows, []Button{{Text: t.T("button.send_pickup_code"), Data: btnPickup.on(r.ID, r.Version)}})
		}
	case domain.TabPendingDecision:
		for _, d := range domain.AllDecisions() {
			rows = append(rows, []Button{{Text: t.l.Label("decision", string(d)), Data: btnDecide.on(r.ID, r.Version, string(d))}})
		}
	}
	if t.e.Links != nil && t.in.Channel == domain.ChannelTelegram {
		rows = append(rows, []Button{webButton(t, "/web/returns/"+strconv.FormatInt(r.ID, 10))})
	}
	rows = append(rows, []Button{{Text: t.T("button.back"), Data: btnTab.data(0, string(r.Tab()), "0")}})
	reply := Reply{Text: strings.Join(lines, "\n"), Buttons: rows}
	if r.PhotoURL != "" {
		reply.Photos = []Photo{{URL: r.PhotoURL, Missing: t.T("label.photo_unavailable")}}
	}
	return reply
}

func toggleLabel(t *Turn, id string, on bool) string {
	return t.l.Toggle(t.T(id), on)
}

// pressBeforeArrival flips "needs verification" (rv) or "photo/video
// required" (rp) on a return still in transit, and redraws its card.
func pressBeforeArrival(t *Turn, b button) error {
	r := b.ret
	if r.Version != b.version {
		return redrawStale(t, r)
	}
	var upd domain.ReturnUpdate
	if buttonKind(b.action) == btnVerify {
		v := !r.NeedsVerification
		upd.NeedsVerification = &v
	} else {
		v := !r.PhotoVideoRequired
		upd.PhotoVideoRequired = &v
	}
	r, err := t.e.Returns.UpdateReturn(t.ctx, r.ID, upd)
	if err != nil {
		return err
	}
	card := ReturnCard(t, r)
	card.EditMessageID = t.in.ButtonOn
	t.Send(card)
	t.Toast("flow.returns.saved")
	return nil
}

// pressRefresh asks for fresh WB data for every store of the seller. The
// poll schedule takes it from there, within WB's limits for the token.
func pressRefresh(t *Turn, _ button) error {
	stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
	if err != nil {
		return errInternal(err)
	}
	for _, st := range stores {
		if err := t.e.Polls.PollNow(t.ctx, st.ID); err != nil {
			return errInternal(err)
		}
	}
	t.Toast("flow.returns.refreshing")
	return nil
}

// decidedBy shows a final decision with who made it and when, from the
// return's history.
func decidedBy(t *Turn, r *domain.Return) string {
	label := t.l.Label("decision", string(r.Decision))
	hist, err := t.e.Returns.FindTransitions(t.ctx, r.ID)
	if err != nil {
		return label
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Event == domain.DecisionEvent(r.Decision) {
			who := hist[i].Actor.Name
			switch hist[i].Actor.Kind {
			case domain.ActorSystem: // a rule or the default (economics.go)
				who = t.T("label.decided_for_you")
			case domain.ActorStaff:
				who = t.T("label.indigo_staff")
			}
			return t.T("flow.returns.decided", map[string]any{"Decision": label, "Who": who, "At": hist[i].At})
		}
	}
	return label
}
