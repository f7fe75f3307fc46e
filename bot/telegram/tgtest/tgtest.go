// Package tgtest drives the fake Telegram server as a person would, for
// every test that talks to Indigo through Telegram: the adapter's own
// tests and the service's end-to-end tests.
package tgtest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/locales"
)

// WaitLimit bounds every wait for the bot; a reply normally takes
// milliseconds, so reaching it means the reply never comes.
const WaitLimit = 10 * time.Second

var bundle = locales.MustNew()

// User is one person writing to the bot from Telegram.
type User struct {
	TB    testing.TB
	TG    *tgfake.Server
	ID    int64
	L     *locales.Localizer
	After int // bot messages up to this id are old news
}

// NewUser adds a Telegram account to the fake.
func NewUser(tb testing.TB, tg *tgfake.Server, id int64, langCode string) *User {
	tg.AddUser(tgfake.User{ID: id, FirstName: "Li", LastName: "Wei", LanguageCode: langCode})
	return &User{TB: tb, TG: tg, ID: id, L: bundle.For(langCode)}
}

func (u *User) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), WaitLimit)
	u.TB.Cleanup(cancel)
	return ctx
}

// Send writes text (or a /command) to the bot.
func (u *User) Send(text string) tgfake.Message {
	m := u.TG.SendText(u.ID, text)
	u.After = m.MessageID
	return m
}

// SendPhoto sends a small generated picture.
func (u *User) SendPhoto(caption string) tgfake.Message {
	m := u.TG.SendPhoto(u.ID, PNG(u.TB), caption)
	u.After = m.MessageID
	return m
}

// Press presses the button labelled label on the newest bot message that
// has one, and returns the callback query id.
func (u *User) Press(label string) string {
	u.TB.Helper()
	msgs := u.TG.Sent(u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if data, ok := ButtonData(msgs[i], label); ok {
			return u.PressOn(msgs[i], data)
		}
	}
	u.TB.Fatalf("no button %q in the chat:\n%s", label, Dump(msgs))
	return ""
}

// PressOn presses the button with data on message m.
func (u *User) PressOn(m tgfake.Message, data string) string {
	all := u.TG.Messages(u.ID)
	u.After = all[len(all)-1].MessageID
	return u.TG.PressButton(u.ID, m, data)
}

// ButtonData finds the callback data of the button labelled label.
func ButtonData(m tgfake.Message, label string) (string, bool) {
	if m.ReplyMarkup == nil {
		return "", false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && strings.Contains(b.Text, label) {
				return *b.CallbackData, true
			}
		}
	}
	return "", false
}

// Expect waits for a new bot message containing want.
func (u *User) Expect(want string) tgfake.Message {
	u.TB.Helper()
	return u.ExpectMsg(want, func(m tgfake.Message) bool { return strings.Contains(m.Text+m.Caption, want) })
}

// ExpectMsg waits for a new bot message that matches; later waits look
// past it, so several expects read replies in the order they came.
func (u *User) ExpectMsg(what string, match func(tgfake.Message) bool) tgfake.Message {
	u.TB.Helper()
	m, err := u.TG.WaitForMessage(u.ctx(), u.ID, func(m tgfake.Message) bool {
		return m.MessageID > u.After && match(m)
	})
	if err != nil {
		u.TB.Fatalf("no reply %q: %v; the chat:\n%s", what, err, Dump(u.TG.Messages(u.ID)))
	}
	u.After = m.MessageID
	return m
}

// Onboard runs /start through to the store-token step, sharing the phone
// number or skipping it.
func (u *User) Onboard(lang string, sharePhone bool) {
	u.TB.Helper()
	l := bundle.For(lang)
	u.Send("/start")
	u.Expect(Head(u.L.T("flow.onboarding.language")))
	u.Press(l.T("language." + lang))
	u.Expect(Head(l.T("flow.onboarding.terms")))
	u.Press(l.T("button.accept"))
	u.Expect(l.T("flow.onboarding.name"))
	u.Send("Li Wei Trading")
	u.Expect(l.T("flow.onboarding.phone"))
	contact := u.ExpectMsg("contact keyboard", func(m tgfake.Message) bool { return m.Keyboard != nil })
	if k := contact.Keyboard; len(k.Keyboard) != 1 || !k.Keyboard[0][0].RequestContact || !k.OneTimeKeyboard {
		u.TB.Fatalf("no one-time contact keyboard: %+v", k)
	}
	if sharePhone {
		m := u.TG.SendContact(u.ID, "+8613800000000")
		u.After = m.MessageID
	} else {
		u.Press(l.T("button.skip"))
	}
	welcome := u.Expect(l.T("flow.onboarding.welcome", map[string]any{"Name": "Li Wei Trading"}))
	if !welcome.RemoveKeyboard {
		u.TB.Errorf("the contact keyboard stays after the phone step: %+v", welcome)
	}
	u.Expect(l.T("flow.store.marketplace"))
	u.Press(l.T("marketplace.wildberries"))
	u.Expect(Head(l.T("flow.store.name")))
	u.Send("Main store")
	u.Expect(Head(l.T("flow.store.token")))
}

// Head is the start of a message, enough to recognise it where the rest
// carries template data.
func Head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 30)])
}

// Dump shows a chat for a failure message.
func Dump(msgs []tgfake.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		from := "user"
		if m.From != nil && m.From.IsBot {
			from = "bot"
		}
		text := m.Text + m.Caption
		if len(text) > 80 {
			text = text[:80] + "…"
		}
		b.WriteString(from + ": " + text + "\n")
	}
	return b.String()
}

// PNG is a small picture to send where a photo is expected.
func PNG(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		img.Set(x, x%48, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
