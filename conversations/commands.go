package conversations

import (
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// commands.go: what every chat can type at any step, and the buttons that
// are not a step's answer. A command leaves the running flow.

type command struct {
	needsSeller bool // without a seller, onboarding runs first
	run         func(t *Turn, arg string) error
}

// Commands lists the command menu, in menu order, for setMyCommands and
// WeChat's account menu. Each has a locales description "command.<name>".
func Commands() []string {
	return []string{"returns", "stores", "team", "pickup", "profile", "notifications", "web", "language", "support", "help", "cancel"}
}

func commands() map[string]command {
	return map[string]command{
		"start":         {run: cmdStart},
		"help":          {run: cmdHelp},
		"cancel":        {run: cmdCancel},
		"language":      {run: cmdLanguage},
		"stores":        {needsSeller: true, run: cmdStores},
		"addstore":      {needsSeller: true, run: func(t *Turn, _ string) error { return t.StartFlow(storeFlow.Name) }},
		"returns":       {needsSeller: true, run: cmdReturns},
		"pickup":        {needsSeller: true, run: cmdPickup},
		"profile":       {needsSeller: true, run: func(t *Turn, _ string) error { return t.StartFlow(profileFlow.Name) }},
		"web":           {needsSeller: true, run: cmdWeb},
		"support":       {needsSeller: true, run: func(t *Turn, _ string) error { return t.StartFlow(supportFlow.Name) }},
		"notifications": {needsSeller: true, run: cmdNotifications},
		"team":          {needsSeller: true, run: cmdTeam},
	}
}

type buttonHandler func(t *Turn, b button) error

func buttons() map[string]buttonHandler {
	return map[string]buttonHandler{
		"lang": pressLanguage,
		"st":   pressStore,
		"stn":  pressStoreRename,
		"stk":  pressStoreToken,
		"stx":  pressStoreRemove,
		"sty":  pressStoreRemoveConfirmed,
		"rt":   pressTab,
		"rf":   pressRefresh,
		"rc":   pressCard,
		"rv":   pressBeforeArrival,
		"rp":   pressBeforeArrival,
		"rd":   pressDecision,
		"pk":   pressPickup,
		"pf":   pressProfile,
		"nt":   pressNotificationKind,
		"nq":   pressQuietHours,
		"tm":   pressTeam,
		"ti":   pressInvite,
		"tx":   pressRemoveMember,
		"ui":   pressInviteDone,        // resale.go
		"uw":   pressWithdraw,          // resale.go
		"uy":   pressWithdrawConfirmed, // resale.go
	}
}

// cmdStart begins onboarding, or welcomes back a known seller. A deep-link
// payload ("/start invite-42") is kept so staff see where the seller came from.
func cmdStart(t *Turn, payload string) error {
	if code, ok := strings.CutPrefix(payload, invitePrefix); ok {
		return acceptInvite(t, code)
	}
	if payload != "" {
		t.s.Data["_start"] = payload
	}
	if t.seller == nil {
		return t.StartFlow(onboardingFlow.Name)
	}
	t.s.Flow, t.s.State = "", ""
	t.Say("flow.start.welcome_back", map[string]any{"Name": t.seller.Name})
	return cmdHelp(t, "")
}

func cmdHelp(t *Turn, _ string) error {
	t.Say("flow.help")
	return nil
}

func cmdCancel(t *Turn, _ string) error {
	if t.s.State == "" {
		t.Say("flow.cancel.nothing")
		return nil
	}
	t.s.Flow, t.s.State = "", ""
	clearFlowData(t.s)
	t.Say("flow.cancel.done")
	return nil
}

func cmdLanguage(t *Turn, _ string) error {
	if t.seller == nil {
		return t.StartFlow(onboardingFlow.Name)
	}
	var rows [][]Button
	for _, l := range domain.AllLanguages() {
		rows = append(rows, []Button{{Text: t.T("language." + string(l)), Data: ButtonData("lang", string(l), 0)}})
	}
	t.Send(Reply{Text: t.T("flow.language.ask"), Buttons: rows})
	return nil
}

func pressLanguage(t *Turn, b button) error {
	lang := domain.ParseLanguage(b.arg)
	if !t.seller.IsOwner(t.person()) {
		t.s.Data[memberLangKey] = string(lang)
		t.l = t.e.Locales.For(string(lang))
		t.Send(Reply{Text: t.T("flow.language.set"), EditMessageID: t.in.ButtonOn})
		return nil
	}
	s, err := t.e.Sellers.UpdateSeller(t.ctx, t.seller.ID, domain.SellerUpdate{Language: &lang})
	if err != nil {
		return err
	}
	t.seller = s
	t.l = t.e.Locales.For(string(lang))
	t.Send(Reply{Text: t.T("flow.language.set"), EditMessageID: t.in.ButtonOn})
	return nil
}

func cmdWeb(t *Turn, _ string) error {
	if t.e.Links == nil {
		t.Say("flow.web.off")
		return nil
	}
	link, err := t.e.Links.LoginLink(t.ctx, t.seller.ID)
	if err != nil {
		return errInternal(err)
	}
	t.Say("flow.web.link", map[string]any{"Link": link})
	return nil
}

// cmdStores lists the seller's stores, each a button to its actions.
func cmdStores(t *Turn, _ string) error {
	stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
	if err != nil {
		return errInternal(err)
	}
	var rows [][]Button
	for _, st := range stores {
		label := st.Name
		if st.TokenRejected {
			label = "⚠ " + label
		}
		rows = append(rows, []Button{{Text: label, Data: ButtonData("st", strconv.FormatInt(st.ID, 10), 0)}})
	}
	rows = append(rows, []Button{{Text: t.T("button.add_store"), Data: ButtonData("st", "new", 0)}},
		[]Button{{Text: t.T("button.team"), Data: ButtonData("tm", "", 0)}})
	t.Send(Reply{Text: t.Pluralize("flow.stores.list", len(stores)), Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

func (t *Turn) ownStore(arg string) (*domain.Store, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return nil, domain.Errorf(domain.CodeNotFound, "error.store.not_found", nil)
	}
	return t.e.Stores.FindStoreByID(t.ctx, id) // a seller's context sees only their stores
}

func pressStore(t *Turn, b button) error {
	if b.arg == "new" {
		return t.StartFlow(storeFlow.Name)
	}
	st, err := t.ownStore(b.arg)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(st.ID, 10)
	data := map[string]any{"Store": st.Name, "Hint": domain.TokenHint(st.Token), "Rejected": st.TokenRejected, "Expires": nil}
	if st.TokenExpiresAt != nil {
		data["Expires"] = *st.TokenExpiresAt
	}
	text := t.T("flow.stores.card", data)
	t.Send(Reply{Text: text, EditMessageID: t.in.ButtonOn, Buttons: [][]Button{
		{{Text: t.T("button.rename"), Data: ButtonData("stn", id, 0)}, {Text: t.T("button.replace_token"), Data: ButtonData("stk", id, 0)}},
		{{Text: t.T("button.remove"), Data: ButtonData("stx", id, 0)}},
	}})
	return nil
}

func pressStoreRename(t *Turn, b button) error {
	st, err := t.ownStore(b.arg)
	if err != nil {
		return err
	}
	return t.StartFlowAt(storeFlow.Name, storeRename, map[string]string{"store_id": strconv.FormatInt(st.ID, 10)})
}

func pressStoreToken(t *Turn, b button) error {
	st, err := t.ownStore(b.arg)
	if err != nil {
		return err
	}
	return t.StartFlowAt(storeFlow.Name, storeToken, map[string]string{"store_id": strconv.FormatInt(st.ID, 10)})
}

func pressStoreRemove(t *Turn, b button) error {
	st, err := t.ownStore(b.arg)
	if err != nil {
		return err
	}
	t.Send(Reply{Text: t.T("flow.stores.remove_confirm", map[string]any{"Store": st.Name}), EditMessageID: t.in.ButtonOn,
		Buttons: [][]Button{{{Text: t.T("button.remove"), Data: ButtonData("sty", b.arg, 0)}}}})
	return nil
}

func pressStoreRemoveConfirmed(t *Turn, b button) error {
	st, err := t.ownStore(b.arg)
	if err != nil {
		return err
	}
	if err := t.e.Stores.DeleteStore(t.ctx, st.ID); err != nil {
		return err
	}
	t.Send(Reply{Text: t.T("flow.stores.removed", map[string]any{"Store": st.Name}), EditMessageID: t.in.ButtonOn})
	return nil
}

// Pluralize translates a message that depends on a count.
func (t *Turn) Pluralize(id string, n int, data ...map[string]any) string {
	d := map[string]any{}
	if len(data) > 0 {
		d = data[0]
	}
	return t.l.Plural(id, n, d)
}

// idle handles what a seller sends outside any flow: a photo may be a
// pickup code; text goes to support.
func idle(t *Turn) error {
	if len(t.in.Files) > 0 {
		// A picture is a pickup code only while a return waits for one;
		// otherwise it is for support, like text.
		st := domain.StatusAwaitingPickupCode
		waiting, _, err := t.e.Returns.FindReturns(t.ctx, domain.ReturnFilter{Status: &st, Limit: 1})
		if err != nil {
			return errInternal(err)
		}
		if len(waiting) > 0 {
			return cmdPickup(t, "")
		}
		return sendToSupport(t)
	}
	if t.Text() == "" {
		return cmdHelp(t, "")
	}
	return sendToSupport(t)
}
