package conversations

import (
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// commands.go: the commands every chat has (start, help, cancel,
// language, web) and the engine's plain helpers.

const btnLanguage buttonKind = "lang"

func coreModule() Module {
	return Module{
		Name: "core",
		Commands: []Command{
			{Name: "start", Run: cmdStart},
			{Name: "web", Menu: 7, NeedsSeller: true, Run: cmdWeb},
			{Name: "language", Menu: 8, Run: cmdLanguage},
			{Name: "help", Menu: 10, Run: cmdHelp},
			{Name: "cancel", Menu: 11, Run: cmdCancel},
		},
		Buttons: []ButtonSpec{{Kind: btnLanguage, Anyone: true, Press: pressLanguage}},
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

// cmdLanguage offers the languages; before signing up too, where the
// choice is kept in the session until the seller's row holds it.
func cmdLanguage(t *Turn, _ string) error {
	var rows [][]Button
	for _, l := range domain.AllLanguages() {
		rows = append(rows, []Button{{Text: t.T("language." + string(l)), Data: btnLanguage.data(0, string(l))}})
	}
	t.Send(Reply{Text: t.T("flow.language.ask"), Buttons: rows})
	return nil
}

func pressLanguage(t *Turn, b button) error {
	lang := domain.ParseLanguage(b.arg)
	if t.seller == nil {
		t.s.Data["lang"] = string(lang)
		t.speak(lang)
		t.Send(Reply{Text: t.T("flow.language.set"), EditMessageID: t.in.ButtonOn})
		return nil
	}
	if !t.seller.IsOwner(t.person()) {
		t.s.Data[memberLangKey] = string(lang)
		t.speak(lang)
		t.Send(Reply{Text: t.T("flow.language.set"), EditMessageID: t.in.ButtonOn})
		return nil
	}
	s, err := t.e.Sellers.UpdateSeller(t.ctx, t.seller.ID, domain.SellerUpdate{Language: &lang})
	if err != nil {
		return err
	}
	t.seller = s
	t.speak(lang)
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
	minutes := int(t.e.Links.LinkTTL().Minutes())
	switch t.in.Channel {
	case domain.ChannelTelegram:
		// A Mini App signs in by Telegram; the link is for a computer.
		t.Send(Reply{Text: t.T("flow.web.open"), Buttons: [][]Button{{webButton(t, "/web/")}}})
	case domain.ChannelWeChat:
		t.Say("flow.web.wechat", map[string]any{"Link": t.e.Links.WeChatURL("/web/")})
	}
	t.Say("flow.web.link", map[string]any{"Link": link, "Minutes": minutes})
	return nil
}

// webButton opens a page of the web view from a Telegram chat, signed in
// as a Mini App; where Telegram cannot open one, the page's link.
func webButton(t *Turn, path string) Button {
	return Button{Text: t.T("button.open_web"), WebApp: t.e.Links.MiniAppURL(path), URL: t.e.Links.PageURL(path)}
}

// Pluralize translates a message that depends on a count.
func (t *Turn) Pluralize(id string, n int, data ...map[string]any) string {
	d := map[string]any{}
	if len(data) > 0 {
		d = data[0]
	}
	return t.l.Plural(id, n, d)
}
