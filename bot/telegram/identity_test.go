package telegram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
)

// TestGroupTwoUsers: in a group with the bot, neither the seller who wrote
// there first nor another member gets seller business: each is answered,
// in their language, with a link to the private chat, and no sign-in link
// or seller data reaches the group.
func TestGroupTwoUsers(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.start()
	seller := h.user(6101, "en")
	seller.Onboard("en", false)
	other := h.user(6102, "ru")
	const group = -4006101
	h.tg.AddGroup(group, "Sellers' lounge", false)

	for _, tt := range []struct {
		from *user
		text string
	}{
		{seller, "/returns"},
		{other, "/returns"},
		{other, "/web"},
		{seller, "/web"},
	} {
		h.tg.SendGroupMessage(group, 0, tt.from.ID, tt.text, 0)
		want := tt.from.L.T("error.input.private_only")
		ctx, cancel := context.WithTimeout(h.ctx(), waitLimit)
		m, err := h.tg.WaitForMessage(ctx, group, func(m tgfake.Message) bool { return m.Text == want })
		cancel()
		if err != nil {
			t.Fatalf("%s from %d: no refusal: %v\n%s", tt.text, tt.from.ID, err, dump(h.tg.Messages(group)))
		}
		if m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].URL == nil ||
			*m.ReplyMarkup.InlineKeyboard[0][0].URL != "https://t.me/"+h.bot.Username()+"?start=" {
			t.Fatalf("no button to the private chat: %+v", m.ReplyMarkup)
		}
	}
	for _, m := range h.tg.Sent(group) {
		if strings.Contains(m.Text, "Li Wei") || strings.Contains(m.Text, "/login") {
			t.Fatalf("the group saw the seller's data: %q", m.Text)
		}
	}
}

// TestStrangerPressInPrivateChat: a press by another account on a button in
// a seller's private chat changes nothing and gets a polite note.
func TestStrangerPressInPrivateChat(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.start()
	seller := h.user(6201, "en")
	seller.Onboard("en", false)
	seller.Send("/stores")
	label := seller.L.T("button.add_store")
	list := seller.ExpectMsg("the store list", func(m tgfake.Message) bool {
		_, ok := tgtest.ButtonData(m, label)
		return ok
	})
	data, _ := tgtest.ButtonData(list, label)
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil { // the token step is asked again after the list
		t.Fatal(err)
	}
	before := len(h.tg.Messages(seller.ID))
	stranger := h.user(6202, "en")
	id := h.tg.PressButton(stranger.ID, list, data)
	want := stranger.L.T("error.input.not_your_button")
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatal(err)
	}
	var got string
	for _, a := range h.tg.CallbackAnswers() {
		if a.CallbackQueryID == id {
			got = a.Text
		}
	}
	if got != want {
		t.Fatalf("stranger's press answered %q, want %q", got, want)
	}
	if after := len(h.tg.Messages(seller.ID)); after != before {
		t.Fatalf("the seller's chat changed: %s", dump(h.tg.Messages(seller.ID)[before:]))
	}
}
