package telegram_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
)

// TestSend: replies become the Telegram messages a person would see,
// within Telegram's limits.
func TestSend(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user(7007, "en")
	hello := u.Send("hi") // opens the chat; the bot is not running
	long := strings.Repeat("Строка отчёта о возврате.\n", 300)
	img := pngImage(t)
	ok := conversations.Button{Text: "OK", Data: "f|ok|1"}
	tooLong := conversations.Button{Text: "Too long", Data: strings.Repeat("x", 65)}

	type msg struct {
		text    string // text or caption
		photo   bool
		buttons int
	}
	for _, tt := range []struct {
		name  string
		reply conversations.Reply
		want  []msg
	}{
		{"LongTextSplit", conversations.Reply{Text: long, Buttons: [][]conversations.Button{{ok}}},
			[]msg{{text: long[:len(splitFirst(long))]}, {text: strings.TrimSpace(long[len(splitFirst(long)):]), buttons: 1}}},
		{"Album", conversations.Reply{Text: "Inspection", Photos: []conversations.Photo{{Data: img}, {Data: img}, {Data: img}}},
			[]msg{{text: "Inspection", photo: true}, {photo: true}, {photo: true}}},
		{"PhotoWithButtons", conversations.Reply{Text: "Card", Photos: []conversations.Photo{{Data: img}}, Buttons: [][]conversations.Button{{ok}}},
			[]msg{{text: "Card", photo: true, buttons: 1}}},
		{"CaptionTooLong", conversations.Reply{Text: strings.Repeat("a", 1500), Photos: []conversations.Photo{{Data: img}}},
			[]msg{{photo: true}, {text: strings.Repeat("a", 1500)}}},
		{"EditGone", conversations.Reply{Text: "Edited", EditMessageID: "999999"}, []msg{{text: "Edited"}}},
		{"DeleteGone", conversations.Reply{DeleteMessage: "999999"}, nil},
		{"DeleteAndSay", conversations.Reply{DeleteMessage: strconv.Itoa(hello.MessageID), Text: "Deleted"}, []msg{{text: "Deleted"}}},
		{"BadButtonLeftOut", conversations.Reply{Text: "Choose", Buttons: [][]conversations.Button{{ok, tooLong}}}, []msg{{text: "Choose", buttons: 1}}},
		{"ToastOnly", conversations.Reply{Toast: "Saved"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.tg.Sent(u.ID))
			if err := h.bot.Send(h.ctx(), strconv.FormatInt(u.ID, 10), []conversations.Reply{tt.reply}); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := h.tg.Sent(u.ID)[before:]
			if len(got) != len(tt.want) {
				t.Fatalf("sent %d messages, want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				g := got[i]
				buttons := 0
				if g.ReplyMarkup != nil {
					for _, row := range g.ReplyMarkup.InlineKeyboard {
						buttons += len(row)
					}
				}
				if g.Text+g.Caption != w.text || (len(g.Photo) > 0) != w.photo || buttons != w.buttons {
					t.Errorf("message %d = %q photo=%v buttons=%d, want %q photo=%v buttons=%d",
						i, trim(g.Text+g.Caption), len(g.Photo) > 0, buttons, trim(w.text), w.photo, w.buttons)
				}
				if n := len(utf16.Encode([]rune(g.Text))); n > tgfake.MaxTextLength {
					t.Errorf("message %d has %d characters", i, n)
				}
			}
		})
	}
	if msgs := h.tg.Messages(u.ID); msgs[0].MessageID == hello.MessageID {
		t.Errorf("the user's message was not deleted")
	}
}

// splitFirst is where a 4096-character part of s ends: at its last line
// break, as the bot cuts it.
func splitFirst(s string) string {
	var n int
	for i, r := range s {
		n += len(utf16.Encode([]rune{r}))
		if n > tgfake.MaxTextLength {
			return s[:strings.LastIndexByte(s[:i], '\n')]
		}
	}
	return s
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// TestSendErrors: a burst is paced within the chat's limit (no 429); a
// blocked chat is reported as ErrBlocked; no error carries the token.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{rateLimits: true})
	u := h.user(8008, "en")
	u.Send("hi")
	chat := strconv.FormatInt(u.ID, 10)

	var burst []conversations.Reply
	for i := range tgfake.PrivateChatBurst + 2 {
		burst = append(burst, conversations.Reply{Text: "Update " + strconv.Itoa(i)})
	}
	if err := h.bot.Send(h.ctx(), chat, burst); err != nil {
		t.Fatalf("send a burst: %v", err)
	}
	if got := len(h.tg.Sent(u.ID)); got != len(burst) || h.tg.Count429() != 0 {
		t.Errorf("sent %d of %d with %d 429s; want all, paced so that none is refused", got, len(burst), h.tg.Count429())
	}

	h.tg.Block(u.ID)
	err := h.bot.Send(h.ctx(), chat, []conversations.Reply{{Text: "Your return arrived"}})
	if !errors.Is(err, telegram.ErrBlocked) {
		t.Fatalf("send to a blocked chat: %v, want ErrBlocked", err)
	}

	_, err = telegram.New(telegram.Config{Token: h.tg.Token(), APIEndpoint: "http://127.0.0.1:1/bot%s/%s"},
		h.sessions, bundle)
	if err == nil || strings.Contains(err.Error(), h.tg.Token()) {
		t.Errorf("new with an unreachable API: %v; want an error without the token", err)
	}
}

// TestSetCommands: one menu per language, English as the default.
func TestSetCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	if err := h.bot.SetCommands(h.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ code, lang string }{{"", "en"}, {"ru", "ru"}, {"zh", "zh"}} {
		got := h.tg.Commands(tt.code)
		names := conversations.Commands()
		if len(got) != len(names) {
			t.Fatalf("%s menu = %+v", tt.lang, got)
		}
		for i, c := range got {
			if want := bundle.For(tt.lang).Label("command", names[i]); c.Command != names[i] || c.Description != want {
				t.Errorf("%s menu[%d] = %+v, want %s %q", tt.lang, i, c, names[i], want)
			}
		}
	}
}
