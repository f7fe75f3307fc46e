package convtest

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// stories.go: the stories of signing up and of stores. Every channel's
// test tells each story of Stories() in each of its languages.

// Stories is the table every channel tells.
func Stories() []Story {
	return []Story{
		onboarding, onboardingDetours, restartMidToken, storeNamedOne, stores, language, commands, notifications,
		beforeArrival, decisionWithProfile, decisionPush, pickupTyped, pickupScreenshot, idlePhoto, captionedPhoto,
	}
}

// onboarding: a newcomer from the first message to a connected store,
// with every kind of token WB would refuse on the way.
var onboarding = Story{
	Name:   "Onboarding",
	Golden: true,
	Seed:   Seed{Newcomer: true},
	Steps: []Step{
		{Do: Start(), Want: []Text{T("flow.onboarding.language").In(Client).Offers(T("language.en"), T("language.zh"), T("language.ru"))}},
		{Do: Press(MyLanguage()), Want: []Text{T("flow.onboarding.terms")}},
		{Do: Press(T("button.accept")), Want: []Text{T("flow.onboarding.name")}},
		{Do: Send(SellerName), Want: []Text{T("flow.onboarding.phone")}},
		{Do: Press(T("button.skip")), Want: []Text{T("flow.onboarding.welcome", "Name", SellerName), T("flow.store.marketplace")}},
		{Do: Press(T("marketplace.wildberries")), Want: []Text{T("flow.store.name")}},
		{Do: Send("Main store"), Want: []Text{T("flow.store.token")}},
		{Do: Send("/frobnicate"), Want: []Text{T("error.input.unknown_command", "Command", "/frobnicate"), T("flow.store.token")}},
		// A picture at the token step is for support (off here), and the
		// token step goes on.
		{Do: Photo(""), Want: []Text{T("flow.support.off"), T("flow.resume", "Flow", T("flow.store.title")), T("flow.store.token")}},
		{Do: Send("hello"), Want: []Text{T("error.token.not_jwt"), T("flow.store.token")}},
		{Do: Token(wbfake.TokenOptions{ExpiresAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}), Want: []Text{T("error.token.expired"), T("flow.store.token")}},
		{Do: Token(wbfake.TokenOptions{Test: true}), Want: []Text{T("error.token.test_token"), T("flow.store.token")}},
		{Do: Token(wbfake.TokenOptions{ReadOnly: true}), Want: []Text{T("error.token.read_only"), T("flow.store.token")}},
		{Do: Token(wbfake.TokenOptions{}), Want: []Text{T("flow.store.token_accepted", "Store", "Main store").Head(), T("flow.store.checklist")}},
		{Do: Press(T("button.done")), Want: []Text{T("flow.store.ready")}},
	},
	Check: func(tb testing.TB, w *World) {
		s := w.SellerNow(tb)
		if s.Name != SellerName || string(s.Language) != w.Lang || s.Phone != "" {
			tb.Errorf("seller = %+v", s)
		}
		st := w.StoresNow(tb)
		if len(st) != 1 || st[0].Name != "Main store" || st[0].Token != w.Tokens[len(w.Tokens)-1] || st[0].SupplierID == "" {
			tb.Errorf("stores = %+v", st)
		}
	},
}

// onboardingDetours: what a newcomer may get wrong while signing up, each
// answered with the question again and the sign-up where it was.
var onboardingDetours = Story{
	Name: "OnboardingDetours",
	Seed: Seed{Newcomer: true},
	Steps: []Step{
		{Do: Start(), Want: []Text{T("flow.onboarding.language").In(Client)}},
		{Do: Press(MyLanguage()), Want: []Text{T("flow.onboarding.terms")}},
		{Do: Press(T("button.accept")), Want: []Text{T("flow.onboarding.name")}},
		{Do: Send("/frobnicate"), Want: []Text{T("error.input.unknown_command", "Command", "/frobnicate"), T("flow.onboarding.name")}},
		{Do: Photo(""), Want: []Text{T("error.input.expected_text"), T("flow.resume", "Flow", T("flow.onboarding.title")), T("flow.onboarding.name")}},
		// A command that needs a seller waits for the sign-up to end.
		{Do: Send("/returns"), Want: []Text{T("flow.onboarding.first"), T("flow.onboarding.name")}},
	},
	Check: func(tb testing.TB, w *World) {
		if flow, state := w.Session(tb); state != "onboarding.name" {
			tb.Errorf("the session moved to %s/%s", flow, state)
		}
	},
}

// addStore are the steps from /addstore to the token step of a store.
func addStore(name string) []Step {
	return []Step{
		{Do: Send("/addstore"), Want: []Text{T("flow.store.marketplace")}},
		{Do: Press(T("marketplace.wildberries")), Want: []Text{T("flow.store.name")}},
		{Do: Send(name), Want: []Text{T("flow.store.token")}},
	}
}

// restartMidToken: a new process goes on with the conversation where the
// old one stopped.
var restartMidToken = Story{
	Name:  "RestartMidToken",
	Langs: []string{"en", "ru"}, // a deployment of its own each
	Steps: append(addStore("Main store"), []Step{
		{Do: Restart()},
		{Do: Send("still-not-a-token"), Want: []Text{T("error.token.not_jwt")}},
		{Do: Token(wbfake.TokenOptions{}), Want: []Text{T("flow.store.token_accepted", "Store", "Main store").Head(), T("flow.store.checklist")}},
		{Do: Press(T("button.done")), Want: []Text{T("flow.store.ready")}},
	}...),
}

// storeNamedOne: a store may be called "1", though the question before
// was a list where 1 picked Wildberries.
var storeNamedOne = Story{
	Name: "StoreNamedOne",
	Steps: append(addStore("1"),
		Step{Do: Token(wbfake.TokenOptions{}), Want: []Text{T("flow.store.token_accepted", "Store", "1").Head(), T("flow.store.checklist")}}),
	Check: func(tb testing.TB, w *World) {
		if st := w.StoresNow(tb); len(st) != 1 || st[0].Name != "1" {
			tb.Errorf("stores = %+v", st)
		}
	},
}

// openStore lists the stores and opens one.
func openStore(name string) []Step {
	return []Step{
		{Do: Send("/stores"), Want: []Text{T("flow.stores.list", "Count", 1)}},
		{Do: Press(Lit(name)), Want: []Text{T("flow.stores.card", "Store", name).Head()}},
	}
}

const mainToken = "seeded-wb-token-0001"

// stores: a store's card renames it, replaces its token and removes it.
var stores = Story{
	Name: "Stores",
	Seed: Seed{Stores: []SeedStore{{Name: "Main store", Token: mainToken}}},
	Steps: join(
		[]Step{
			{Do: Send("/stores"), Want: []Text{T("flow.stores.list", "Count", 1).Offers(Lit("Main store"), T("button.add_store"), T("button.team"))}},
			{Do: Press(Lit("Main store")), Want: []Text{T("flow.stores.card", "Store", "Main store", "Hint", domain.TokenHint(mainToken), "Rejected", false, "Expires", nil)}},
			{Do: Press(T("button.rename")), Want: []Text{T("flow.store.name")}},
			{Do: Send("Moscow outlet"), Want: []Text{T("flow.store.renamed", "Store", "Moscow outlet")}},
		},
		openStore("Moscow outlet"),
		[]Step{
			{Do: Press(T("button.replace_token")), Want: []Text{T("flow.store.token")}},
			{Do: Token(wbfake.TokenOptions{}), Want: []Text{T("flow.store.token_replaced", "Store", "Moscow outlet").Head()}, Check: func(tb testing.TB, w *World) {
				st := w.StoresNow(tb)
				if len(st) != 1 || st[0].Name != "Moscow outlet" || st[0].Token != w.Tokens[0] || st[0].SupplierID == "" || st[0].TokenRejected {
					tb.Errorf("stores after rename and new token = %+v", st)
				}
			}},
		},
		openStore("Moscow outlet"),
		[]Step{
			{Do: Press(T("button.remove")), Want: []Text{T("flow.stores.remove_confirm", "Store", "Moscow outlet")}, Check: func(tb testing.TB, w *World) {
				if len(w.StoresNow(tb)) != 1 {
					tb.Error("the store went before the removal was confirmed")
				}
			}},
			{Do: Press(T("button.remove")), Want: []Text{T("flow.stores.removed", "Store", "Moscow outlet")}},
		}),
	Check: func(tb testing.TB, w *World) {
		if st := w.StoresNow(tb); len(st) != 0 {
			tb.Errorf("stores after the removal = %+v", st)
		}
	},
}

// language: /language switches the seller's language, from the answer on.
var language = Story{
	Name:  "Language",
	Langs: []string{"en", "ru"}, // into Chinese
	Steps: []Step{
		{Do: Send("/language"), Want: []Text{T("flow.language.ask")}},
		{Do: Press(T("language.zh")), Want: []Text{T("flow.language.set").In("zh").Offers()}},
		{Do: Send("/help"), Want: []Text{T("flow.help").In("zh")}},
	},
	Check: func(tb testing.TB, w *World) {
		if s := w.SellerNow(tb); s.Language != domain.LangChinese {
			tb.Errorf("the seller speaks %s after the switch", s.Language)
		}
	},
}

// commands: the commands outside the returns, and /cancel mid-flow.
var commands = Story{
	Name: "Commands",
	Steps: []Step{
		{Do: Send("/support"), Want: []Text{T("flow.support.ask")}},
		{Do: Send("Where is my return?"), Want: []Text{T("flow.support.off")}},
		{Do: Send("/web"), Want: []Text{T("flow.web.off")}},
		{Do: Send("/profile"), Want: []Text{T("flow.profile.address", "Current", "")}},
		{Do: Send("/cancel"), Want: []Text{T("flow.cancel.done")}, Check: func(tb testing.TB, w *World) {
			if flow, state := w.Session(tb); flow != "" || state != "" {
				tb.Errorf("the session is at %s/%s after /cancel", flow, state)
			}
		}},
		{Do: Send("/cancel"), Want: []Text{T("flow.cancel.nothing")}},
		{Do: Send("/help"), Want: []Text{T("flow.help")}},
	},
	Check: func(tb testing.TB, w *World) {
		if s := w.SellerNow(tb); s.ReturnAddress != "" {
			tb.Errorf("the cancelled profile saved %q", s.ReturnAddress)
		}
	},
}

// notifications: each button flips one setting and redraws the list.
var notifications = Story{
	Name: "Notifications",
	Steps: []Step{
		{Do: Send("/notifications"), Want: []Text{T("flow.notifications.ask").Offers(toggles("", false)...)}},
		{Do: Press(L("notify_setting", string(domain.NotifyAwaitingDecision))),
			Want: []Text{T("flow.notifications.ask").Offers(toggles(domain.NotifyAwaitingDecision, false)...)}},
		{Do: Press(T("button.quiet_hours")), Want: []Text{T("flow.notifications.ask").Offers(toggles(domain.NotifyAwaitingDecision, true)...)}},
	},
	Check: func(tb testing.TB, w *World) {
		s := w.SellerNow(tb)
		if len(s.MutedNotifications) != 1 || s.MutedNotifications[0] != domain.NotifyAwaitingDecision || !s.QuietHours {
			tb.Errorf("muted %v, quiet hours %v", s.MutedNotifications, s.QuietHours)
		}
	},
}

// toggles is the /notifications list with one kind off and quiet hours as given.
func toggles(off domain.NotificationKind, quiet bool) []Text {
	mark := func(on bool, label Text) Text {
		if on {
			return T("label.toggle_on", "Label", label)
		}
		return T("label.toggle_off", "Label", label)
	}
	var out []Text
	for _, k := range domain.AllNotificationKinds() {
		out = append(out, mark(k != off, L("notify_setting", string(k))))
	}
	return append(out, mark(quiet, T("button.quiet_hours")))
}

func join(parts ...[]Step) []Step {
	var out []Step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
