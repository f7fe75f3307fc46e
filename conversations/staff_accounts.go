package conversations

import (
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_accounts.go: the staff commands of a seller's account (issue 19),
// typed in the seller's topic (or, where the chat has none, after the
// seller's id): /account shows it, /payment records a payment with its
// proof attached, /charge a one-off charge with its reason, /correct
// reverses a row, /limit sets the limit and the hold; /paydetails
// publishes where to pay by a method. The ledger audits each one.

// accountRows is how many recent rows /account lists with their ids.
const accountRows = 10

// accountSeller is the seller a command is about: the topic's, or the
// first field of arg ("12", "#12", "s_12") outside a topic. It returns
// the rest of arg.
func (t *Turn) accountSeller(arg string) (*domain.Seller, string, error) {
	if t.staff.desk.Services.Accounts == nil {
		return nil, "", domain.Errorf(domain.CodeNotFound, "error.accounts.off", nil)
	}
	var id int64
	if t.staff.in.Thread != 0 {
		th, err := t.staff.desk.Support.FindSupportThreadByTopic(t.ctx, t.staff.chat, t.staff.in.Thread)
		if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
			return nil, "", errInternal(err)
		}
		if err == nil {
			id = th.SellerID
		}
	}
	if id == 0 {
		first, rest := cutField(arg)
		first = strings.TrimPrefix(strings.TrimPrefix(first, "#"), "s_")
		n, err := strconv.ParseInt(first, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", domain.Errorf(domain.CodeInvalid, "error.accounts.not_in_topic", nil)
		}
		id, arg = n, rest
	}
	s, err := t.staff.desk.Services.Sellers.FindSellerByID(t.ctx, id)
	return s, arg, err
}

func (t *Turn) accountCommand(arg string) error {
	seller, _, err := t.accountSeller(arg)
	if err != nil {
		return err
	}
	as := t.staff.desk.Services.Accounts
	a, err := as.FindAccount(t.ctx, seller.ID)
	if err != nil {
		return errInternal(err)
	}
	s, err := as.Statement(t.ctx, seller.ID, t.staff.desk.now())
	if err != nil {
		return errInternal(err)
	}
	lines := []string{t.l.T("staff.accounts.title", map[string]any{"Seller": sellerName(seller)})}
	lines = append(lines, accountLines(t.l, as, a)...)
	if a.Limit != nil {
		hold := "staff.accounts.hold_off"
		if a.Hold {
			hold = "staff.accounts.hold_on"
		}
		lines = append(lines, t.l.T(hold))
	}
	lines = append(lines, "", t.l.T("flow.accounts.month_title", map[string]any{"Month": monthName(t.l, s.Month)}))
	lines = append(lines, statementBody(t.l, as, s, accountsReturns)...)
	rows := s.Entries
	if len(rows) > accountRows {
		rows = rows[len(rows)-accountRows:]
	}
	if len(rows) > 0 {
		lines = append(lines, "", t.l.T("staff.accounts.rows"))
	}
	for _, e := range rows {
		lines = append(lines, t.l.T("staff.accounts.row", map[string]any{"ID": e.ID, "Kind": t.l.Label("ledger_kind", string(e.Kind)),
			"Amount": money(t.l, as, e.Amount, true), "Return": e.ReturnNumber, "Reason": e.Reason,
			"At": t.l.FormatDate(e.At.In(moscow))}))
	}
	lines = append(lines, "", t.l.T("staff.accounts.usage"))
	t.post(StaffMessage{Text: strings.Join(lines, "\n")})
	return nil
}

// paymentCommand: "/payment 5000 [method] [note]" with the proof (a photo
// or a file) on the same message.
func (t *Turn) paymentCommand(arg string) error {
	seller, arg, err := t.accountSeller(arg)
	if err != nil {
		return err
	}
	first, rest := cutField(arg)
	amount, ok := domain.ParseRoubles(first)
	if !ok || amount <= 0 {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.payment_usage", nil)
	}
	as := t.staff.desk.Services.Accounts
	p := domain.Payment{SellerID: seller.ID, Amount: amount, Key: "staff:" + strconv.FormatInt(t.staff.chat, 10) + ":" + t.in.MessageID}
	if m, next := cutField(rest); m != "" {
		if pm, err := domain.ParsePaymentMethod(strings.ToLower(m)); err == nil {
			p.Method, rest = pm, next
		}
	}
	if p.Method == "" {
		a, err := as.FindAccount(t.ctx, seller.ID)
		if err != nil {
			return errInternal(err)
		}
		p.Method = a.Method
	}
	p.Note = strings.TrimSpace(rest)
	if len(t.in.Files) == 0 {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.proof_needed", nil)
	}
	f := t.in.Files[0]
	if f.Size > domain.MaxAttachmentSize {
		return tooLargeFile()
	}
	if p.Proof, err = openPhoto(t.ctx, f); err != nil {
		return err
	}
	p.ProofName, p.ProofContentType = f.Name, f.ContentType
	e, err := as.RecordPayment(t.ctx, p)
	if err != nil {
		return err
	}
	return t.sayBalance("staff.accounts.payment_done", seller, e)
}

// sayBalance confirms a row with the seller's balance after it.
func (t *Turn) sayBalance(id string, seller *domain.Seller, e *domain.LedgerEntry) error {
	as := t.staff.desk.Services.Accounts
	a, err := as.FindAccount(t.ctx, seller.ID)
	if err != nil {
		return errInternal(err)
	}
	t.staffSay(id, map[string]any{"ID": e.ID, "Seller": sellerName(seller), "Amount": money(t.l, as, e.Amount, true),
		"Balance": money(t.l, as, a.Balance, true)})
	return nil
}

// chargeCommand: "/charge 300 reason…".
func (t *Turn) chargeCommand(arg string) error {
	seller, arg, err := t.accountSeller(arg)
	if err != nil {
		return err
	}
	first, reason := cutField(arg)
	amount, ok := domain.ParseRoubles(first)
	if !ok || amount <= 0 || strings.TrimSpace(reason) == "" {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.charge_usage", nil)
	}
	e, err := t.staff.desk.Services.Accounts.Charge(t.ctx, seller.ID, amount, reason)
	if err != nil {
		return err
	}
	return t.sayBalance("staff.accounts.charge_done", seller, e)
}

// correctCommand: "/correct <row id> [reason…]": the row must be the
// topic's seller's, or it is not found.
func (t *Turn) correctCommand(arg string) error {
	seller, arg, err := t.accountSeller(arg)
	if err != nil {
		return err
	}
	first, reason := cutField(arg)
	id, err := strconv.ParseInt(strings.TrimPrefix(first, "#"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.correct_usage", nil)
	}
	e, err := t.staff.desk.Services.Accounts.Correct(t.ctx, seller.ID, id, reason)
	if err != nil {
		return err
	}
	return t.sayBalance("staff.accounts.correct_done", seller, e)
}

// limitCommand: "/limit 5000 [hold]" lets the seller owe up to ₽5,000,
// and with "hold" stops shipping and disposal beyond it; "/limit off".
func (t *Turn) limitCommand(arg string) error {
	seller, arg, err := t.accountSeller(arg)
	if err != nil {
		return err
	}
	first, rest := cutField(arg)
	var limit *int64
	if !strings.EqualFold(first, "off") {
		owe, ok := domain.ParseRoubles(first)
		if !ok {
			return domain.Errorf(domain.CodeInvalid, "error.accounts.limit_usage", nil)
		}
		floor := -owe
		limit = &floor
	}
	hold := strings.EqualFold(strings.TrimSpace(rest), "hold")
	if !hold && strings.TrimSpace(rest) != "" {
		return domain.Errorf(domain.CodeInvalid, "error.accounts.limit_usage", nil)
	}
	a, err := t.staff.desk.Services.Accounts.SetLimit(t.ctx, seller.ID, limit, hold && limit != nil)
	if err != nil {
		return err
	}
	if limit == nil {
		t.staffSay("staff.accounts.limit_off", map[string]any{"Seller": sellerName(seller)})
		return nil
	}
	id := "staff.accounts.limit_done"
	if a.Hold {
		id = "staff.accounts.limit_hold"
	}
	t.staffSay(id, map[string]any{"Seller": sellerName(seller), "Limit": money(t.l, t.staff.desk.Services.Accounts, *limit, true),
		"Balance": money(t.l, t.staff.desk.Services.Accounts, a.Balance, true)})
	return nil
}

// payDetailsCommand: "/paydetails alipay_cny <details…>", or the list.
func (t *Turn) payDetailsCommand(arg string) error {
	as := t.staff.desk.Services.Accounts
	if as == nil {
		return domain.Errorf(domain.CodeNotFound, "error.accounts.off", nil)
	}
	first, details := cutField(arg)
	if first == "" {
		all, err := as.FindPaymentDetails(t.ctx)
		if err != nil {
			return errInternal(err)
		}
		lines := []string{t.l.T("staff.accounts.details_title")}
		for _, d := range all {
			method := t.l.Label("payment_method", string(d.Method)) + t.T("label.note", map[string]any{"Text": string(d.Method)})
			lines = append(lines, t.l.Bullet(t.l.Field(method, d.Details)))
		}
		t.post(StaffMessage{Text: strings.Join(append(lines, "", t.l.T("error.accounts.details_usage")), "\n")})
		return nil
	}
	m, err := domain.ParsePaymentMethod(strings.ToLower(first))
	if err != nil {
		return err
	}
	if err := as.PublishPaymentDetails(t.ctx, m, details); err != nil {
		return err
	}
	t.staffSay("staff.accounts.details_done", map[string]any{"Method": t.l.Label("payment_method", string(m))})
	return nil
}
