package conversations

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_find.go: the staff commands: finding returns and sellers, and the
// typed forms of the inspection and shipment steps.

// command runs a staff command; "/r_12" and "/s_3" open a return's card
// and a seller's returns.
func (t *Turn) staffCommand() error {
	name, arg, _ := commandName(t.in.Text)
	if c, ok := t.e.staffCommands[name]; ok {
		return c.Run(t, arg)
	}
	if id := shortcutID(name, "r_"); id != 0 {
		r, err := t.staff.desk.Services.Returns.FindReturnByID(t.ctx, id)
		if err != nil {
			return err
		}
		return t.postCard(r)
	}
	if id := shortcutID(name, "s_"); id != 0 {
		return t.sellerReturns(id, "")
	}
	t.staffSay("staff.command.unknown", map[string]any{"Command": "/" + name})
	return nil
}

// staffLanguage sets the language the bot answers this member in:
// "/language zh"; with no code it lists the codes.
func (t *Turn) staffLanguage(arg string) error {
	lang := domain.Language(strings.ToLower(strings.TrimSpace(arg)))
	if !slices.Contains(domain.AllLanguages(), lang) {
		t.staffSay("staff.language.usage", nil)
		return nil
	}
	t.s.Data[staffLangKey(t.in.UserID)] = string(lang)
	t.l = t.e.Locales.For(string(lang))
	t.staffSay("staff.language.set", map[string]any{"Language": t.l.Label("language", string(lang))})
	return nil
}

func (t *Turn) staffHelp(string) error {
	t.staffSay("staff.help", nil)
	return nil
}

// find looks returns up by return number, barcode, vendor code or product,
// and sellers by id, name, company or chat account.
func (t *Turn) find(q string) error {
	if q == "" {
		t.staffSay("staff.find.usage", nil)
		return nil
	}
	returns, _, err := t.staff.desk.Services.Returns.FindReturns(t.ctx, domain.ReturnFilter{Search: &q, Limit: 8})
	if err != nil {
		return errInternal(err)
	}
	sellers, err := t.staff.desk.Support.SearchSellers(t.ctx, q, 5)
	if err != nil {
		return errInternal(err)
	}
	switch {
	case len(returns) == 1 && len(sellers) == 0:
		return t.postCard(returns[0])
	case len(returns) == 0 && len(sellers) == 1:
		return t.sellerReturns(sellers[0].ID, "")
	case len(returns) == 0 && len(sellers) == 0:
		t.staffSay("staff.find.none", map[string]any{"Query": q})
		return nil
	}
	var rows [][]Button
	for _, r := range returns {
		rows = append(rows, []Button{returnButton(t.l, r)})
	}
	for _, s := range sellers {
		rows = append(rows, []Button{{Text: t.l.T("label.seller_button", map[string]any{"Name": sellerName(s)}), Data: btnStaffSeller.on(s.ID, 0)}})
	}
	t.post(StaffMessage{Text: t.l.T("staff.find.results", map[string]any{"Query": q}), Buttons: rows})
	return nil
}

// sellerReturns lists a seller's newest returns, as a new post or in place
// of the message pressed.
func (t *Turn) sellerReturns(sellerID int64, editID string) error {
	seller, err := t.staff.desk.Services.Sellers.FindSellerByID(t.ctx, sellerID)
	if err != nil {
		return err
	}
	list, total, err := t.staff.desk.Services.Returns.FindReturns(t.ctx, domain.ReturnFilter{SellerID: &sellerID, Limit: 10})
	if err != nil {
		return errInternal(err)
	}
	var rows [][]Button
	for _, r := range list {
		rows = append(rows, []Button{returnButton(t.l, r)})
	}
	m := StaffMessage{Text: t.l.T("staff.find.seller", map[string]any{
		"Seller": sellerName(seller), "Total": total, "Shown": len(list)}), Buttons: rows}
	if editID != "" {
		t.later(func(ctx context.Context) {
			if err := t.staff.desk.Chat.Edit(ctx, editID, m); err != nil {
				t.staff.desk.log().Warn("staff: redraw a seller's returns", "err", err)
			}
		})
		return nil
	}
	t.post(m)
	return nil
}

func returnButton(l *locales.Localizer, r *domain.Return) Button {
	return Button{
		Text: l.T("button.return_row", map[string]any{"Return": r.ReturnNumber, "Product": r.ProductName, "Detail": l.Label("status", string(r.Status))}),
		Data: btnStaffCard.on(r.ID, 0),
	}
}

// findReturn resolves what staff typed for a return: "r_12" (its id), an
// exact return number, or a search with one match.
func (t *Turn) findReturn(ref string) (*domain.Return, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "/")
	if id := shortcutID(strings.ToLower(ref), "r_"); id != 0 {
		return t.staff.desk.Services.Returns.FindReturnByID(t.ctx, id)
	}
	if ref == "" {
		return nil, domain.Errorf(domain.CodeNotFound, "error.return.not_found", nil)
	}
	for _, f := range []domain.ReturnFilter{{ReturnNumber: &ref, Limit: 2}, {Search: &ref, Limit: 2}} {
		list, _, err := t.staff.desk.Services.Returns.FindReturns(t.ctx, f)
		if err != nil {
			return nil, errInternal(err)
		}
		switch len(list) {
		case 1:
			return list[0], nil
		case 2:
			return nil, domain.Errorf(domain.CodeInvalid, "staff.find.ambiguous", map[string]any{"Query": ref})
		}
	}
	return nil, domain.Errorf(domain.CodeNotFound, "error.return.not_found", nil)
}

// inspectCommand: "/inspect <return> ok|defect [comment]".
func (t *Turn) inspectCommand(arg string) error {
	ref, rest := cutField(arg)
	verdict, comment := cutField(rest)
	var defect bool
	switch strings.ToLower(verdict) {
	case "ok", "no", "good":
	case "defect", "defective", "yes", "bad":
		defect = true
	default:
		t.staffSay("staff.inspect.usage", nil)
		return nil
	}
	r, err := t.findReturn(ref)
	if err != nil {
		return err
	}
	upd := domain.ReturnUpdate{DefectAfterCheck: &defect}
	if comment != "" {
		upd.InspectionComment = &comment
	}
	if r, err = t.apply(r, domain.ReturnChange{Event: domain.EventInspect, Update: upd, Note: comment}); err != nil {
		return err
	}
	return t.postCard(r)
}

// shipCommand: "/ship <return> <tracking number>".
func (t *Turn) shipCommand(arg string) error {
	ref, tracking := cutField(arg)
	if tracking == "" {
		t.staffSay("staff.ship.usage", nil)
		return nil
	}
	r, err := t.findReturn(ref)
	if err != nil {
		return err
	}
	if r, err = t.ship(r, tracking); err != nil {
		return err
	}
	return t.postCard(r)
}

// cutField splits off the first word.
func cutField(s string) (first, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
