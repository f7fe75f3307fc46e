package conversations

import (
	"context"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// team.go: who may act for a seller. Every input acts as the account that
// sent it, never as the chat it came from; a seller's colleagues join by
// a one-time invitation from /stores and act from their own accounts, each
// audited as themselves.

const (
	// invitePrefix marks a /start payload as a team invitation.
	invitePrefix = "inv_"
	// inviteTTL is how long an invitation waits for the colleague.
	inviteTTL = 7 * 24 * time.Hour
	// memberLangKey keeps a colleague's language in their chat session: the
	// seller's language is the owner's, which pushes are written in.
	memberLangKey = "_lang"
)

const (
	btnTeam         buttonKind = "tm"
	btnInvite       buttonKind = "ti"
	btnRemoveMember buttonKind = "tx"
)

func teamModule() Module {
	return Module{
		Name:     "team",
		Commands: []Command{{Name: "team", Menu: 3, NeedsSeller: true, Run: cmdTeam}},
		Buttons: []ButtonSpec{
			{Kind: btnTeam, Press: pressTeam},
			{Kind: btnInvite, Press: pressInvite},
			{Kind: btnRemoveMember, Press: pressRemoveMember},
		},
	}
}

// refuse answers, without reading or changing anything, the inputs no
// seller business may come from: anything in a group, where every member
// would see the seller's returns and links, and anything in a private
// chat by an account that is not the chat's own (a forwarded keyboard).
func (e *Engine) refuse(in Input) ([]Reply, bool) {
	lang := domain.ParseLanguage(in.LanguageCode)
	if in.Channel == domain.ChannelWeChat && in.LanguageCode == "" {
		lang = domain.LangChinese
	}
	l := e.Locales.ForChannel(string(lang), string(in.Channel))
	switch {
	case in.Group && in.Button != "":
		return []Reply{{Toast: l.T("error.input.private_only_short")}}, true
	case in.Group:
		r := Reply{Text: l.T("error.input.private_only")}
		if in.StartLink != "" {
			r.Buttons = [][]Button{{{Text: l.T("button.open_private_chat"), URL: in.StartLink}}}
		}
		return []Reply{r}, true
	case in.UserID != in.ChatID && in.Button != "":
		return []Reply{{Toast: l.T("error.input.not_your_button")}}, true
	case in.UserID != in.ChatID:
		return []Reply{{Text: l.T("error.input.not_your_button")}}, true
	}
	return nil, false
}

// forgetSeller ends what a chat did for the seller it acted for: its flow
// and the colleague's own language, which belonged to that team.
func forgetSeller(s *domain.ChatSession) {
	s.Flow, s.State = "", ""
	clearFlowData(s)
	delete(s.Data, memberLangKey)
}

// cmdTeam shows who acts for the seller, with an invitation button and,
// for the owner, a button to remove each colleague.
func cmdTeam(t *Turn, _ string) error {
	me := t.person()
	var lines []string
	var rows [][]Button
	for _, m := range t.seller.Identities {
		name := t.seller.NameOf(m)
		lines = append(lines, t.l.Bullet(t.T("label.named_on", map[string]any{"Name": name, "Channel": t.l.Label("channel", string(m.Channel))})))
		if t.seller.IsOwner(m) {
			continue
		}
		if t.seller.IsOwner(me) || me.Same(m) {
			rows = append(rows, []Button{{Text: t.T("button.team_remove", map[string]any{"Name": name}), Data: btnRemoveMember.data(0, m.String())}})
		}
	}
	rows = append([][]Button{{{Text: t.T("button.team_invite"), Data: btnInvite.data(0)}}}, rows...)
	members := map[string]any{"Members": strings.Join(lines, "\n")}
	text := t.T("flow.team.alone", members)
	if n := len(t.seller.Identities); n > 1 {
		text = t.Pluralize("flow.team.list", n, members)
	}
	t.Send(Reply{Text: text, Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

func pressTeam(t *Turn, _ button) error { return cmdTeam(t, "") }

// pressInvite makes a one-time invitation and shows it as a link (where
// the channel has deep links) and as a code that works on every channel.
func pressInvite(t *Turn, _ button) error {
	code, err := t.e.Sellers.CreateInvite(t.ctx, t.seller.ID, inviteTTL)
	if err != nil {
		return errInternal(err)
	}
	if err := t.audit("team.invite_created", nil); err != nil {
		return err
	}
	payload := invitePrefix + code
	data := map[string]any{"Code": "/start " + payload, "Count": int(inviteTTL / (24 * time.Hour)), "Link": ""}
	if t.in.StartLink != "" {
		data["Link"] = t.in.StartLink + payload
	}
	t.Say("flow.team.invite", data)
	return nil
}

// pressRemoveMember takes a colleague off the team: the owner may remove
// anyone else, a colleague only themselves.
func pressRemoveMember(t *Turn, b button) error {
	m, ok := t.seller.Member(domain.ParseIdentity(b.arg))
	if !ok || t.seller.IsOwner(m) {
		return domain.Errorf(domain.CodeNotFound, "error.team.member_not_found", nil)
	}
	if me := t.person(); !t.seller.IsOwner(me) && !me.Same(m) {
		return domain.Errorf(domain.CodeForbidden, "error.team.owner_only", nil)
	}
	if err := t.e.Sellers.RemoveIdentity(t.ctx, t.seller.ID, m); err != nil {
		return err
	}
	if err := t.audit("team.member_removed", map[string]any{"member": m.String()}); err != nil {
		return err
	}
	name := t.seller.NameOf(m)
	if m.Same(t.person()) {
		// They left: from now on this chat is nobody's.
		t.s.SellerID, t.seller = 0, nil
		forgetSeller(t.s)
		t.Send(Reply{Text: t.T("flow.team.left"), EditMessageID: t.in.ButtonOn})
		return nil
	}
	if err := t.loadSeller(); err != nil {
		return err
	}
	t.Say("flow.team.removed", map[string]any{"Name": name})
	return cmdTeam(t, "")
}

// acceptInvite joins the sender's account to the team that invited it.
func acceptInvite(t *Turn, code string) error {
	ident := domain.Identity{Channel: t.in.Channel, ExternalID: t.in.UserID, Name: t.in.UserName}
	if ident.Name == "" {
		// WeChat gives no names: the channel and the account's last
		// characters tell colleagues apart in the list and the audit.
		ident.Name = t.T("label.account_tail", map[string]any{"Channel": t.l.Label("channel", string(ident.Channel)), "Tail": tail(ident.ExternalID, 6)})
	}
	seller, err := t.e.Sellers.AcceptInvite(t.ctx, code, ident)
	if err != nil {
		return err
	}
	t.s.SellerID = seller.ID
	forgetSeller(t.s)
	delete(t.s.Data, "lang")
	t.s.Data[memberLangKey] = t.l.Lang() // they keep reading in the language they came with
	t.actAs(seller)
	if err := t.audit("team.member_joined", map[string]any{"member": ident.String()}); err != nil {
		return err
	}
	t.Say("flow.team.joined", map[string]any{"Seller": seller.Name})
	return cmdHelp(t, "")
}

// checkAccountFree refuses a token whose WB account (its sid) is already
// connected: to another store of this seller, or to another seller, who
// would then get this seller's returns. Staff hear of the second case.
func checkAccountFree(t *Turn, supplierID string, replacing int64) error {
	return t.e.accountFree(t.ctx, t.seller, supplierID, replacing)
}

// accountFree is checkAccountFree for the seller acting in ctx, in a turn
// or on the web view (web.go).
func (e *Engine) accountFree(ctx context.Context, seller *domain.Seller, supplierID string, replacing int64) error {
	if supplierID == "" {
		return nil
	}
	active := true
	sys := domain.NewContextWithActor(ctx, domain.System)
	stores, err := e.Stores.FindStores(sys, domain.StoreFilter{SupplierID: &supplierID, Active: &active})
	if err != nil {
		return errInternal(err)
	}
	for _, st := range stores {
		switch {
		case st.ID == replacing:
		case st.SellerID == seller.ID:
			return domain.Errorf(domain.CodeConflict, "error.token.account_connected", map[string]any{"Store": st.Name})
		default:
			if e.Support != nil {
				if err := e.Support.AccountTaken(ctx, seller, supplierID); err != nil {
					return errInternal(err)
				}
			}
			if err := e.audit(ctx, seller, "store.account_taken", map[string]any{"supplier_id": supplierID, "owner": st.SellerID}); err != nil {
				return err
			}
			return domain.Errorf(domain.CodeConflict, "error.token.account_taken", nil)
		}
	}
	return nil
}

// audit records a security-relevant action as the person acting.
func (t *Turn) audit(action string, details map[string]any) error {
	return t.e.audit(t.ctx, t.seller, action, details)
}

func (e *Engine) audit(ctx context.Context, seller *domain.Seller, action string, details map[string]any) error {
	if e.Audit == nil {
		return nil
	}
	id := seller.ID
	if err := e.Audit.CreateAuditEntry(ctx, &domain.AuditEntry{Action: action, SellerID: &id, Details: details}); err != nil {
		return errInternal(err)
	}
	return nil
}

// tail is the last n characters of s.
func tail(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[len(r)-n:])
	}
	return s
}
