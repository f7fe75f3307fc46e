package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/indigo-warehouse/indigo/domain"
)

// accounts.go: the manual's "Accounts" page, as /accounts has it in the
// chat: the price list, the balance, a month's charges by kind and by
// return with every row (this month unless another is chosen), the past
// statements, each as an XLSX file, and the payment method chosen from a
// list with the details staff publish.

type accountsPage struct {
	layout
	Balance, Limit string // the lines, "Balance: −₽50.00 (≈ −¥4.00)"
	Held, Below    bool
	Prices         []priceRow
	PricesSince    string
	Month          string // the month shown, "2006-01"
	MonthName      string
	Open           bool   // the month is not over
	Issued         string // "issued 01.12.2026" once the statement was
	Opening        string
	Charges        string
	Credits        string
	Closing        string
	ByKind         []amountRow
	ByReturn       []amountRow
	Rows           []entryRow
	Months         []option
	XLSX           string
	Methods        []methodOption
	CSRF           string
}

type priceRow struct{ Service, Price string }

type amountRow struct {
	Label, Href string
	Count       int
	Amount      string
}

type entryRow struct{ Date, Kind, Return, Note, Amount string }

type methodOption struct {
	Value, Label, Details string
	Chosen                bool
}

func (s *Server) handleAccounts(rq *request) error {
	if s.Accounts == nil || s.Tariffs == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	month := domain.MonthOf(s.now())
	if v := rq.r.URL.Query().Get("month"); v != "" {
		m, err := domain.ParseMonth(v)
		if err != nil {
			return err
		}
		month = m
	}
	l, as, id := rq.l, s.Accounts, rq.seller.ID
	a, err := as.FindAccount(rq.ctx, id)
	if err != nil {
		return err
	}
	st, err := as.Statement(rq.ctx, id, month)
	if err != nil {
		return err
	}
	p := accountsPage{layout: s.layout(rq, l.T("web.accounts.title")), CSRF: csrfToken(rq.session),
		Balance: domain.BalanceLine(l, a.Balance, as.CNY), Held: a.Held(), Below: a.Below() && !a.Held(),
		Month: month.Format("2006-01"), MonthName: domain.MonthName(l, month), Open: !month.AddDate(0, 1, 0).Before(s.now()),
		XLSX: "/web/accounts/" + month.Format("2006-01") + "/statement.xlsx"}
	if a.Limit != nil {
		p.Limit = l.T("flow.accounts.limit", map[string]any{"Limit": s.money(rq, *a.Limit, true)})
	}
	if err := s.accountPrices(rq, &p); err != nil {
		return err
	}
	s.accountStatement(rq, &p, st)
	if err := s.accountMonths(rq, &p, month); err != nil {
		return err
	}
	if err := s.accountMethods(rq, &p, a.Method); err != nil {
		return err
	}
	if rq.r.URL.Query().Get("saved") == "method" {
		p.Flash = l.T("web.accounts.method_saved")
	}
	s.render(rq, http.StatusOK, "accounts", p)
	return nil
}

func (s *Server) money(rq *request, kopecks int64, signed bool) string {
	return domain.Money(rq.l, kopecks, s.Accounts.CNY(kopecks), signed)
}

func (s *Server) accountPrices(rq *request, p *accountsPage) error {
	book, err := s.Tariffs.TariffBook(rq.ctx, s.now())
	if err != nil {
		return err
	}
	for _, line := range book.PriceList() {
		p.Prices = append(p.Prices, priceRow{rq.l.Label("tariff_kind", string(line.Kind)), domain.PriceText(rq.l, line, s.Accounts.CNY)})
	}
	if since := book.Since(); !since.IsZero() {
		p.PricesSince = rq.l.FormatDate(since.In(rq.loc))
	}
	return nil
}

func (s *Server) accountStatement(rq *request, p *accountsPage, st *domain.Statement) {
	l := rq.l
	p.Opening, p.Closing = s.money(rq, st.Opening, true), s.money(rq, st.Closing, true)
	if st.IssuedAt != nil {
		p.Issued = l.T("web.accounts.issued", map[string]any{"Date": l.FormatDate(st.IssuedAt.In(rq.loc))})
	}
	p.Charges, p.Credits = s.money(rq, -st.Charges, false), s.money(rq, st.Credits, false)
	for _, k := range st.ByKind() {
		p.ByKind = append(p.ByKind, amountRow{Label: l.Label("ledger_kind", string(k.Kind)), Count: k.Count, Amount: s.money(rq, k.Amount, true)})
	}
	for _, r := range st.ByReturn() {
		p.ByReturn = append(p.ByReturn, amountRow{Label: r.ReturnNumber, Href: "/web/returns/" + strconv.FormatInt(r.ReturnID, 10),
			Count: r.Count, Amount: s.money(rq, r.Amount, true)})
	}
	for _, e := range st.Entries {
		p.Rows = append(p.Rows, entryRow{Date: l.FormatDate(e.At.In(rq.loc)), Kind: l.Label("ledger_kind", string(e.Kind)),
			Return: e.ReturnNumber, Note: entryNote(rq, e), Amount: s.money(rq, e.Amount, true)})
	}
}

// entryNote is what a row says beyond its kind: the day stored, the
// reason, the payment's method.
func entryNote(rq *request, e *domain.LedgerEntry) string {
	var parts []string
	if e.Day != nil {
		parts = append(parts, rq.l.FormatDate(*e.Day))
	}
	if e.Method != "" {
		parts = append(parts, rq.l.Label("payment_method", string(e.Method)))
	}
	if e.Reason != "" {
		parts = append(parts, e.Reason)
	}
	return rq.l.Join(parts...)
}

func (s *Server) accountMonths(rq *request, p *accountsPage, shown time.Time) error {
	months, err := s.Accounts.Statements(rq.ctx, rq.seller.ID)
	if err != nil {
		return err
	}
	this := domain.MonthOf(s.now())
	if len(months) == 0 || !months[0].Equal(this) {
		months = append([]time.Time{this}, months...)
	}
	for _, m := range months {
		p.Months = append(p.Months, option{m.Format("2006-01"), domain.MonthName(rq.l, m), m.Equal(shown)})
	}
	return nil
}

func (s *Server) accountMethods(rq *request, p *accountsPage, chosen domain.PaymentMethod) error {
	details, err := s.Accounts.FindPaymentDetails(rq.ctx)
	if err != nil {
		return err
	}
	for _, m := range domain.AllPaymentMethods() {
		o := methodOption{Value: string(m), Label: rq.l.Label("payment_method", string(m)), Chosen: m == chosen,
			Details: rq.l.T("flow.accounts.no_details")}
		for _, d := range details {
			if d.Method == m {
				o.Details = d.Details
			}
		}
		p.Methods = append(p.Methods, o)
	}
	return nil
}

// handleAccountMethod saves the payment method chosen on the page.
func (s *Server) handleAccountMethod(rq *request) error {
	if s.Accounts == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	m, err := domain.ParsePaymentMethod(rq.r.PostFormValue("method"))
	if err != nil {
		return err
	}
	if err := s.Accounts.ChoosePaymentMethod(rq.ctx, rq.seller.ID, m); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/accounts?saved=method", http.StatusSeeOther)
	return nil
}

// handleStatementXLSX writes a month's statement as a workbook: the
// totals, then every row with a real date and amounts to sum.
func (s *Server) handleStatementXLSX(rq *request) error {
	if s.Accounts == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	month, err := domain.ParseMonth(rq.r.PathValue("month"))
	if err != nil {
		return err
	}
	st, err := s.Accounts.Statement(rq.ctx, rq.seller.ID, month)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeStatement(f, rq, st, s.Accounts.CNY); err != nil {
		return err
	}
	h := rq.w.Header()
	name := rq.l.T("web.accounts.file", map[string]any{"Month": month.Format("2006-01")}) + ".xlsx"
	h.Set("Content-Disposition", attachment(name, "statement-"+month.Format("2006-01")+".xlsx"))
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = f.WriteTo(rq.w)
	return err
}

func writeStatement(f *excelize.File, rq *request, st *domain.Statement, cny func(int64) int64) error {
	l := rq.l
	sheet := l.T("web.accounts.sheet")
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	if err != nil {
		return err
	}
	rub := func(k int64) excelize.Cell { return excelize.Cell{StyleID: moneyStyle, Value: float64(k) / 100} }
	rows := [][]any{
		{l.T("web.accounts.sheet"), domain.MonthName(l, st.Month)},
		{l.T("web.accounts.opening"), rub(st.Opening), rub(cny(st.Opening))},
		{l.T("web.accounts.charges"), rub(st.Charges), rub(cny(st.Charges))},
		{l.T("web.accounts.credits"), rub(st.Credits), rub(cny(st.Credits))},
		{l.T("web.accounts.closing"), rub(st.Closing), rub(cny(st.Closing))},
		{},
		{l.T("web.accounts.date"), l.T("web.accounts.kind"), l.T("web.accounts.return"), l.T("web.accounts.note"), "₽", "¥"},
	}
	for _, e := range st.Entries {
		rows = append(rows, []any{excelize.Cell{StyleID: dateStyle, Value: civilDate(e.At.In(rq.loc))},
			l.Label("ledger_kind", string(e.Kind)), defuseFormula(e.ReturnNumber), defuseFormula(entryNote(rq, e)), rub(e.Amount), rub(cny(e.Amount))})
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}
