package web

import (
	"net/http"
	"strconv"

	"github.com/indigo-warehouse/indigo/domain"
)

// listPage is the main page (cards and the summary table) or one tab.
type listPage struct {
	layout
	Cards    []card
	Tabs     []link
	Action   string // where the filter form submits
	F        filter
	Statuses []option
	Defects  []option
	Reset    string
	Head     []string
	Rows     []row
	Empty    string
	Showing  string
	PerPage  string
	Pages    []link
	Prev     string
	Next     string
	CSV      string
	XLSX     string
}

// card is one of the main page's four summary cards (manual §4).
type card struct {
	Title, Count, Money, Action, Href string
	Note                              string // what the sums leave out or estimate
}

type option struct {
	Value, Label string
	Selected     bool
}

type row struct{ Cells []cell }

// cell is one table cell: text, a link, or a yes/no form.
type cell struct {
	Text   string
	Href   string
	Toggle *toggle
	More   bool // not a key column: a phone shows it on the return's page only
}

// keyColumns are what a return's card keeps on a phone; the rest of a
// row is a tap away, on the return's page.
var keyColumns = map[column]bool{
	domain.ColRequestDate: true, domain.ColProduct: true, domain.ColReturnNumber: true, domain.ColStatus: true,
	domain.ColDecision: true, domain.ColDefective: true, domain.ColNeedsVerification: true, domain.ColPhotoVideo: true,
	domain.ColPickupCode: true, domain.ColPrice: true,
}

// toggle is a pair of Yes/No buttons that post one field of a return.
type toggle struct {
	Action, CSRF, Field, Back string
	Yes, No                   string
	On                        bool
	Locked                    bool // Yes is final (an inspection once requested)
}

// cardText names each tab's card and its button, in the manual's words.
var cardText = map[domain.Tab][2]string{
	domain.TabInTransit:       {"web.card.in_transit.title", "web.card.in_transit.action"},
	domain.TabProcessing:      {"web.card.processing.title", "web.card.processing.action"},
	domain.TabPendingDecision: {"web.card.pending_decision.title", "web.card.pending_decision.action"},
	domain.TabCompleted:       {"web.card.completed.title", "web.card.completed.action"},
}

func (s *Server) handleMain(rq *request) error { return s.list(rq, "") }

func (s *Server) handleTab(rq *request) error {
	tab, err := domain.ParseTab(rq.r.PathValue("tab"))
	if err != nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	return s.list(rq, tab)
}

// list renders a table of returns with its filters and pages.
func (s *Server) list(rq *request, tab domain.Tab) error {
	f, err := parseFilter(rq.r.URL.Query(), tab, rq.loc)
	if err != nil {
		return err
	}
	stores, err := s.sellerStores(rq, f.Store)
	if err != nil {
		return err
	}
	rf := f.returnFilter()
	rf.Offset, rf.Limit, rf.CountUpTo = (f.Page-1)*perPage, perPage, f.countCap()
	list, total, err := s.Returns.FindReturns(rq.ctx, rf)
	if err != nil {
		return err
	}
	l := rq.l
	title := l.T("web.main.title")
	if tab != "" {
		title = l.Label("tab", string(tab))
	}
	p := listPage{layout: s.layout(rq, title), F: f, Action: f.path(), Reset: filter{Tab: tab, Store: f.Store}.url(1),
		CSV: f.exportURL("csv"), XLSX: f.exportURL("xlsx"),
		PerPage: l.T("web.table.per_page", map[string]any{"PerPage": perPage})}
	p.withStores(stores, f.Store, f.path(), f.values())
	if tab == "" {
		if p.Cards, err = s.cards(rq, f.Store); err != nil {
			return err
		}
	}
	p.Tabs = tabLinks(rq, f)
	p.Statuses = statusOptions(rq, tab, f.Status)
	p.Defects = []option{
		{"", l.T("web.filter.defect_any"), f.Defect == ""},
		{"yes", l.T("web.filter.defect_yes"), f.Defect == "yes"},
		{"no", l.T("web.filter.defect_no"), f.Defect == "no"},
	}
	for _, c := range tableColumns[tab] {
		p.Head = append(p.Head, columnTitle(l, c))
	}
	back := rq.r.URL.RequestURI()
	for _, r := range list {
		p.Rows = append(p.Rows, s.tableRow(rq, tab, r, back))
	}
	if total == 0 {
		p.Empty = l.T("web.table.empty")
	} else {
		from := min(rf.Offset+1, total)
		to := min(rf.Offset+len(list), total)
		id := "web.table.showing"
		if total >= f.countCap() {
			id = "web.table.showing_many" // counted no further: "of more than 10,000"
		}
		p.Showing = l.T(id, map[string]any{"From": from, "To": max(to, from-1), "Count": total})
	}
	p.Pages = pageLinks(f, total)
	if f.Page > 1 {
		p.Prev = f.url(min(f.Page-1, max(1, (total+perPage-1)/perPage)))
	}
	if f.Page*perPage < total {
		p.Next = f.url(f.Page + 1)
	}
	s.render(rq, http.StatusOK, "list", p)
	return nil
}

// sellerStores lists the seller's stores for the selector; a store id
// that is not among them is not found, whoever's it is.
func (s *Server) sellerStores(rq *request, current int64) ([]*domain.Store, error) {
	stores, err := s.Stores.FindStores(rq.ctx, domain.StoreFilter{SellerID: &rq.seller.ID})
	if err != nil {
		return nil, err
	}
	if current == 0 {
		return stores, nil
	}
	for _, st := range stores {
		if st.ID == current {
			return stores, nil
		}
	}
	return nil, domain.Errorf(domain.CodeNotFound, "error.store.not_found", nil)
}

// cards sums the seller's returns (in one store, or all) per tab.
func (s *Server) cards(rq *request, store int64) ([]card, error) {
	var rf domain.ReturnFilter
	if store != 0 {
		rf.StoreID = &store
	}
	sums, err := s.Returns.Summarize(rq.ctx, rf)
	if err != nil {
		return nil, err
	}
	l := rq.l
	out := make([]card, 0, len(sums))
	for _, sum := range sums {
		text := cardText[sum.Tab]
		out = append(out, card{
			Title:  l.T(text[0]),
			Count:  l.Plural("web.card.items", sum.Count, nil),
			Money:  l.FormatMoney(sum.PriceRUB, sum.PriceCNY),
			Note:   domain.SumNotes(l, sum),
			Action: l.T(text[1]),
			Href:   filter{Tab: sum.Tab, Store: store}.url(1),
		})
	}
	resale, err := s.resaleCard(rq, store) // resale.go
	return append(out, resale...), err
}

// tabLinks switch between the summary table and the four tabs, keeping
// the store, search, dates and defect filter (statuses differ per tab).
func tabLinks(rq *request, f filter) []link {
	keep := f
	keep.Status, keep.Page = "", 1
	keep.Tab = ""
	out := []link{{Href: keep.url(1), Label: rq.l.T("web.tab.all"), Current: f.Tab == ""}}
	for _, t := range domain.AllTabs() {
		keep.Tab = t
		out = append(out, link{Href: keep.url(1), Label: rq.l.Label("tab", string(t)), Current: f.Tab == t})
	}
	return out
}

// statusOptions are the status filter's choices: the tab's statuses, or
// all of them on the main page.
func statusOptions(rq *request, tab domain.Tab, current domain.Status) []option {
	statuses := domain.AllStatuses()
	if tab != "" {
		statuses = domain.StatusesOf(tab)
	}
	out := []option{{"", rq.l.T("web.filter.all_statuses"), current == ""}}
	for _, st := range statuses {
		out = append(out, option{string(st), rq.l.Label("status", string(st)), st == current})
	}
	return out
}

// tableRow is a return in a tab's columns. back is where its forms return.
func (s *Server) tableRow(rq *request, tab domain.Tab, r *domain.Return, back string) row {
	l := rq.l
	zl := zoned{l, rq.loc}
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	var out row
	for _, c := range tableColumns[tab] {
		var cl cell
		switch {
		case c == domain.ColProduct:
			cl = cell{Text: r.ProductName, Href: detail}
			if cl.Text == "" {
				cl.Text = r.ReturnNumber
			}
		case c == domain.ColDecision && r.Status == domain.StatusAwaitingSellerDecision:
			cl = cell{Text: l.T("web.table.choose_action"), Href: detail + "#decision"}
		case c == domain.ColDecision: // the manual shows the status until there is a choice to make
			cl = cell{Text: text(zl, domain.ColStatus, r, nil)}
		case tab == domain.TabInTransit && (c == domain.ColNeedsVerification || c == domain.ColPhotoVideo):
			on := r.NeedsVerification
			if c == domain.ColPhotoVideo {
				on = r.PhotoVideoRequired
			}
			cl = cell{Toggle: &toggle{Action: detail + "/choices", CSRF: csrfToken(rq.session),
				Field: fieldOf[c], Back: back, Yes: l.T("label.yes"), No: l.T("label.no"), On: on}}
		case tab == domain.TabPendingDecision && c == domain.ColNeedsVerification:
			cl = cell{Toggle: &toggle{Action: detail + "/inspection", CSRF: csrfToken(rq.session),
				Field: fieldOf[c], Back: back, Yes: l.T("label.yes"), No: l.T("label.no"),
				On: r.NeedsVerification, Locked: r.NeedsVerification}}
		default:
			cl = cell{Text: dash(text(zl, c, r, nil))}
		}
		cl.More = !keyColumns[c]
		out.Cells = append(out.Cells, cl)
	}
	return out
}

// fieldOf names the form field of each before-arrival choice.
var fieldOf = map[column]string{
	domain.ColNeedsVerification: "needs_verification",
	domain.ColPhotoVideo:        "photo_video_required",
}
