package telegram_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// What only Telegram has, beyond the stories every channel tells
// (stories_test.go): the contact keyboard, buttons on older messages,
// files.

// TestSharePhone: onboarding asks for the phone with a one-time contact
// key (tgtest.Onboard checks it comes and goes), and the shared number is
// the seller's. A language button pressed again on the first message is
// from an older question: a toast says so and the current one comes again.
func TestSharePhone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(1001, "ru")
	u.Onboard("ru", true)
	languages := h.tg.Sent(u.ID)[0]

	q := u.PressOn(languages, mustData(t, languages, u.L.T("language.en")))
	if got, want := h.answer(t, q), u.L.T("error.input.stale_button"); got != want {
		t.Errorf("toast = %q, want %q", got, want)
	}
	u.Expect(head(u.L.T("flow.store.token")))
	if s := sellerOf(t, h, u); s.Phone != "+8613800000000" || s.Language != domain.LangRussian {
		t.Errorf("seller = %+v", s)
	}
}

// TestChatMenuFollowsLanguage: Telegram lists the "/" menu in the app's
// language; once the seller chose another in the bot, their chat's list is
// in theirs.
func TestChatMenuFollowsLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(1009, "en")
	u.Onboard("zh", true)
	menu := h.tg.ScopedCommands(tgfake.BotCommandScope{Type: "chat", ChatID: u.ID}, "")
	zh := bundle.For("zh")
	if len(menu) == 0 || menu[0].Description != zh.Label("command", menu[0].Command) {
		t.Errorf("the chat's menu after choosing 中文 = %+v, want it in Chinese", menu)
	}
}

// TestStaleCard: of two cards of one return in the chat, the older one
// cannot undo what the newer one set: its press is answered as stale and
// it is drawn again as the return is now.
func TestStaleCard(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(13001, "en")
	l := u.L
	r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, sellerFor(t, h, u, "en").ID, nil).ID, func(r *domain.Return) {
		r.Status, r.ProductName = domain.StatusInTransitToWarehouse, "Silk scarf"
	})
	old, card := openCard(t, u, r), openCard(t, u, r)
	verified := l.T("column.needs_verification") + ": " + l.T("label.yes")

	pressOn(t, u, card, l.T("button.needs_verification"))
	expectEdit(t, u, card, verified)
	q := pressOn(t, u, old, l.T("button.needs_verification"))
	if got, want := h.answer(t, q), l.T("error.input.stale_button"); got != want {
		t.Errorf("toast = %q, want %q", got, want)
	}
	expectEdit(t, u, old, verified)
	if got := findReturn(t, h, r.ID); !got.NeedsVerification || got.Status != r.Status {
		t.Errorf("return = verification %v, %s", got.NeedsVerification, got.Status)
	}
	if sent := h.tg.Sent(u.ID); len(sent) != 2 {
		t.Errorf("the presses sent new messages:\n%s", dump(sent))
	}
}

// TestQRDocument: a screenshot sent as a file (full resolution) is read as
// a pickup code, downloaded through getFile and the file URL of the fake.
func TestQRDocument(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(4004, "en")
	store := pgtest.Store(t, h.db, sellerFor(t, h, u, "en").ID, nil)
	pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Moscow, Tverskaya 1"
	})

	m := h.tg.SendDocument(u.ID, "screenshot.png", qrPNG(t, "WB-PICKUP-77123"), "")
	u.After = m.MessageID
	u.Expect("WB-PICKUP-77123")
}
