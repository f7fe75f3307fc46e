package conversations

import (
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// accounts.go: /accounts, the manual's "Accounts" page in the chat (issue
// 19): the balance and this month's charges by kind and by return, the
// price list, past statements (any month on demand), and the payment
// method chosen from a list with the details staff publish; and the three
// pushes of the account (below the limit, a payment recorded, a monthly
// statement).

const (
	btnAccountsPrices     buttonKind = "acp"
	btnAccountsStatements buttonKind = "acs"
	btnAccountsMonth      buttonKind = "acm" // "acm|2006-01|0"
	btnAccountsMethods    buttonKind = "acy"
	btnAccountsMethod     buttonKind = "acx" // "acx|<method>|0"
	btnAccountsWeb        buttonKind = "acw"
)

// accountsReturns is how many returns the overview lists by name.
const accountsReturns = 10

func accountsModule() Module {
	return Module{
		Name:     "accounts",
		Commands: []Command{{Name: "accounts", Menu: 13, NeedsSeller: true, Run: cmdAccounts}},
		Buttons: []ButtonSpec{
			{Kind: btnAccountsPrices, Press: pressAccountsPrices},
			{Kind: btnAccountsStatements, Press: pressAccountsStatements},
			{Kind: btnAccountsMonth, Press: pressAccountsMonth},
			{Kind: btnAccountsMethods, Press: pressAccountsMethods},
			{Kind: btnAccountsMethod, Press: pressAccountsMethod},
			{Kind: btnAccountsWeb, Press: func(t *Turn, _ button) error { return cmdWeb(t, "") }},
		},
	}
}

// money is an amount in roubles with its yuan at the configured rate.
func money(l *locales.Localizer, as domain.AccountService, kopecks int64, signed bool) string {
	return domain.Money(l, kopecks, as.CNY(kopecks), signed)
}

// monthName is "November 2026" in the reader's language.
func monthName(l *locales.Localizer, m time.Time) string { return domain.MonthName(l, m) }

func cmdAccounts(t *Turn, _ string) error {
	as := t.e.Accounts
	if as == nil {
		t.Say("flow.accounts.off")
		return nil
	}
	a, err := as.FindAccount(t.ctx, t.seller.ID)
	if err != nil {
		return errInternal(err)
	}
	now := t.now()
	s, err := as.Statement(t.ctx, t.seller.ID, now)
	if err != nil {
		return errInternal(err)
	}
	lines := append([]string{t.T("flow.accounts.title")}, accountLines(t.l, as, a)...)
	lines = append(lines, "", t.T("flow.accounts.month_title", map[string]any{"Month": monthName(t.l, s.Month)}))
	lines = append(lines, statementBody(t.l, as, s, accountsReturns)...)
	method := t.T("flow.accounts.method_none")
	if a.Method != "" {
		method = t.T("flow.accounts.method", map[string]any{"Method": t.l.Label("payment_method", string(a.Method))})
	}
	lines = append(lines, "", method)
	t.Send(Reply{Text: strings.Join(lines, "\n"), Buttons: accountButtons(t), EditMessageID: t.in.ButtonOn})
	return nil
}

func accountButtons(t *Turn) [][]Button {
	return [][]Button{
		{{Text: t.T("button.accounts.prices"), Data: btnAccountsPrices.data(0)},
			{Text: t.T("button.accounts.statements"), Data: btnAccountsStatements.data(0)}},
		{{Text: t.T("button.accounts.method"), Data: btnAccountsMethods.data(0)}},
	}
}

// accountLines are the balance, the limit, and why shipping waits.
func accountLines(l *locales.Localizer, as domain.AccountService, a *domain.Account) []string {
	lines := []string{domain.BalanceLine(l, a.Balance, as.CNY)}
	if a.Limit != nil {
		lines = append(lines, l.T("flow.accounts.limit", map[string]any{"Limit": money(l, as, *a.Limit, true)}))
	}
	switch {
	case a.Held():
		lines = append(lines, l.T("flow.accounts.held"))
	case a.Below():
		lines = append(lines, l.T("flow.accounts.below"))
	}
	return lines
}

// statementBody is a month's rows by kind, then by return (at most
// returns of them by name).
func statementBody(l *locales.Localizer, as domain.AccountService, s *domain.Statement, returns int) []string {
	kinds := s.ByKind()
	if len(kinds) == 0 {
		return []string{l.T("flow.accounts.month_empty")}
	}
	var lines []string
	for _, k := range kinds {
		lines = append(lines, l.Bullet(l.Plural("flow.accounts.kind_line", k.Count, map[string]any{
			"Kind": l.Label("ledger_kind", string(k.Kind)), "Amount": money(l, as, k.Amount, true)})))
	}
	byReturn := s.ByReturn()
	if len(byReturn) == 0 {
		return lines
	}
	lines = append(lines, l.T("flow.accounts.by_return_title"))
	for i, r := range byReturn {
		if i == returns {
			lines = append(lines, l.Plural("flow.accounts.more_returns", len(byReturn)-returns, nil))
			break
		}
		lines = append(lines, l.Bullet(l.T("flow.accounts.return_line", map[string]any{"Return": r.ReturnNumber,
			"Amount": money(l, as, r.Amount, true)})))
	}
	return lines
}

func pressAccountsPrices(t *Turn, _ button) error {
	book, err := t.e.Tariffs.TariffBook(t.ctx, t.now())
	if err != nil {
		return errInternal(err)
	}
	lines := []string{t.T("flow.accounts.prices_title")}
	for _, line := range book.PriceList() {
		lines = append(lines, t.l.Bullet(t.T("flow.accounts.price_line", map[string]any{
			"Kind": t.l.Label("tariff_kind", string(line.Kind)), "Value": domain.PriceText(t.l, line, t.e.Accounts.CNY)})))
	}
	if len(lines) == 1 {
		lines = append(lines, t.T("flow.accounts.prices_empty"))
	}
	t.Send(Reply{Text: strings.Join(lines, "\n"), Buttons: accountButtons(t)})
	return nil
}

func pressAccountsStatements(t *Turn, _ button) error {
	months, err := t.e.Accounts.Statements(t.ctx, t.seller.ID)
	if err != nil {
		return errInternal(err)
	}
	if len(months) == 0 {
		t.Say("flow.accounts.statements_none")
		return nil
	}
	var rows [][]Button
	for i, m := range months {
		if i == 12 {
			break // a year back; the web page lists them all
		}
		rows = append(rows, []Button{{Text: monthName(t.l, m), Data: btnAccountsMonth.data(0, m.Format("2006-01"))}})
	}
	t.Send(Reply{Text: t.T("flow.accounts.statements_title"), Buttons: rows})
	return nil
}

func pressAccountsMonth(t *Turn, b button) error {
	month, err := domain.ParseMonth(b.arg)
	if err != nil {
		return err
	}
	s, err := t.e.Accounts.Statement(t.ctx, t.seller.ID, month)
	if err != nil {
		return errInternal(err)
	}
	sendStatement(t, s, "")
	return nil
}

// sendStatement is a month's statement as a chat message, with the way to
// its XLSX on the web.
func sendStatement(t *Turn, s *domain.Statement, intro string) {
	as, l := t.e.Accounts, t.l
	lines := []string{}
	if intro != "" {
		lines = append(lines, intro, "")
	}
	lines = append(lines, l.T("flow.accounts.statement", map[string]any{"Month": monthName(l, s.Month),
		"Opening": money(l, as, s.Opening, true), "Charges": money(l, as, -s.Charges, false),
		"Credits": money(l, as, s.Credits, false), "Closing": money(l, as, s.Closing, true)}))
	lines = append(lines, statementBody(l, as, s, accountsReturns)...)
	if !s.Month.AddDate(0, 1, 0).Before(t.now()) {
		lines = append(lines, "", l.T("flow.accounts.statement_open"))
	}
	lines = append(lines, "", l.T("flow.accounts.statement_xlsx"))
	t.Send(Reply{Text: strings.Join(lines, "\n"), Buttons: [][]Button{{{Text: l.T("button.accounts.web"), Data: btnAccountsWeb.data(0)}}}})
}

func pressAccountsMethods(t *Turn, _ button) error {
	var rows [][]Button
	for _, m := range domain.AllPaymentMethods() {
		rows = append(rows, []Button{{Text: t.l.Label("payment_method", string(m)), Data: btnAccountsMethod.data(0, string(m))}})
	}
	t.Send(Reply{Text: t.T("flow.accounts.methods_title"), Buttons: rows})
	return nil
}

func pressAccountsMethod(t *Turn, b button) error {
	m, err := domain.ParsePaymentMethod(b.arg)
	if err != nil {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	if err := t.e.Accounts.ChoosePaymentMethod(t.ctx, t.seller.ID, m); err != nil {
		return err
	}
	details := t.T("flow.accounts.no_details")
	all, err := t.e.Accounts.FindPaymentDetails(t.ctx)
	if err != nil {
		return errInternal(err)
	}
	for _, d := range all {
		if d.Method == m {
			details = d.Details
		}
	}
	t.Send(Reply{Text: t.T("flow.accounts.method_chosen", map[string]any{"Method": t.l.Label("payment_method", string(m)),
		"Details": details}), EditMessageID: t.in.ButtonOn})
	return nil
}

// renderAccountPush renders the account's pushes; false for other kinds.
func renderAccountPush(t *Turn, n *domain.Notification) (bool, error) {
	as := t.e.Accounts
	if as == nil {
		return false, nil
	}
	num := func(k string) int64 {
		f, _ := n.Data[k].(float64) // JSON numbers, as the outbox keeps Data
		if i, ok := n.Data[k].(int64); ok {
			return i
		}
		return int64(f)
	}
	switch n.Kind {
	case domain.NotifyAccountLow:
		text := t.T("notify.account_low", map[string]any{"Balance": money(t.l, as, num("Balance"), true), "Limit": money(t.l, as, num("Limit"), true)})
		if held, _ := n.Data["Hold"].(bool); held {
			text += "\n" + t.T("flow.accounts.held")
		}
		t.Send(Reply{Text: text, Buttons: [][]Button{{{Text: t.T("button.accounts.method"), Data: btnAccountsMethods.data(0)}}}})
	case domain.NotifyPaymentRecorded:
		text := t.T("notify.payment_recorded", map[string]any{"Amount": money(t.l, as, num("Amount"), false), "Balance": money(t.l, as, num("Balance"), true)})
		if lifted, _ := n.Data["Lifted"].(bool); lifted {
			text += "\n" + t.T("flow.accounts.hold_lifted")
		}
		t.Send(Reply{Text: text})
	case domain.NotifyStatement:
		month, err := domain.ParseMonth(stringOf(n.Data["Month"]))
		if err != nil {
			return true, err
		}
		s, err := as.Statement(t.ctx, n.SellerID, month)
		if err != nil {
			return true, err
		}
		sendStatement(t, s, t.T("notify.statement", map[string]any{"Month": monthName(t.l, month)}))
	default:
		return false, nil
	}
	return true, nil
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
