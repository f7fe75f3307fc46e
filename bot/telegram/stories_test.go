package telegram_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestStories tells every story of the table through Telegram, in each
// of its languages: the person presses buttons, and an edit in place or
// a toast answers as well as a new message.
func TestStories(t *testing.T) {
	t.Parallel()
	for _, s := range convtest.Stories() {
		for _, lang := range s.Languages() {
			t.Run(s.Name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				s.Run(t, lang, newDriver(t, lang))
			})
		}
	}
}

// driver is a Telegram user telling a story to the bot.
type driver struct {
	h    *harness
	u    *user
	lang string
	// What the chat was when the person last acted: what changes after
	// is the answer. New messages count from id from on (the one Expect
	// found last included), edits of older ones and toasts since then.
	from    int
	before  map[int]string
	answers int
}

func newDriver(t *testing.T, lang string) *driver {
	h := newHarness(t, harnessOptions{})
	h.start()
	return &driver{h: h, u: h.user(1001, lang), lang: lang}
}

func (d *driver) DB() *storage.DB            { return d.h.db }
func (d *driver) WB() *wbfake.Server         { return d.h.wb }
func (d *driver) ClientLang() string         { return d.lang }
func (*driver) Can(convtest.Capability) bool { return true }

func (d *driver) Identity() domain.Identity {
	return domain.Identity{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(d.u.ID, 10)}
}

// act notes what the chat shows, then does what the person does.
func (d *driver) act(do func()) {
	d.before = map[int]string{}
	for _, m := range d.h.tg.Sent(d.u.ID) {
		d.before[m.MessageID] = shown(m)
	}
	d.answers = len(d.h.tg.CallbackAnswers())
	d.from = 0
	if all := d.h.tg.Messages(d.u.ID); len(all) > 0 {
		d.from = all[len(all)-1].MessageID + 1
	}
	do()
}

// shown is what a message shows, its buttons included.
func shown(m tgfake.Message) string {
	return m.Text + m.Caption + "\x00" + strings.Join(labels(m), "\x00")
}

func (d *driver) Start()           { d.act(func() { d.u.Send("/start") }) }
func (d *driver) Send(text string) { d.act(func() { d.u.Send(text) }) }
func (d *driver) Press(label string) {
	d.h.t.Helper()
	d.act(func() { d.u.Press(label) })
}
func (d *driver) Photo(png []byte, caption string) {
	d.act(func() { d.h.tg.SendPhoto(d.u.ID, png, caption) })
}
func (d *driver) Document(name string) {
	d.act(func() { d.h.tg.SendDocument(d.u.ID, name, []byte("%PDF-1.4 business licence"), "") })
}
func (d *driver) Restart() { d.h.restart() }
func (d *driver) Deliver() { d.act(d.h.deliver) }

// SendToken pastes a token and waits until the bot has deleted it from
// the chat.
func (d *driver) SendToken(token string) {
	d.h.t.Helper()
	var pasted tgfake.Message
	d.act(func() { pasted = d.u.Send(token) })
	d.waitUntil("the message with the token deleted", func() bool {
		return !slices.ContainsFunc(d.h.tg.Messages(d.u.ID), func(m tgfake.Message) bool { return m.MessageID == pasted.MessageID })
	})
}

func (d *driver) Expect(text string) []string {
	d.h.t.Helper()
	var found tgfake.Message
	toast := false
	d.waitUntil(strconv.Quote(head(text)), func() bool {
		for _, a := range d.h.tg.CallbackAnswers()[d.answers:] {
			if strings.Contains(a.Text, text) {
				toast = true
				return true
			}
		}
		for _, m := range d.h.tg.Sent(d.u.ID) {
			if strings.Contains(m.Text+m.Caption, text) && (m.MessageID >= d.from || d.edited(m)) {
				found = m
				return true
			}
		}
		return false
	})
	if toast {
		return nil
	}
	d.from = max(d.from, found.MessageID)
	return labels(found)
}

func (d *driver) edited(m tgfake.Message) bool {
	was, ok := d.before[m.MessageID]
	return ok && was != shown(m)
}

// ExpectPhotos waits for the pictures of a push: one album.
func (d *driver) ExpectPhotos(want [][]byte) {
	d.h.t.Helper()
	var photos []tgfake.Message
	d.waitUntil("an album of the photos", func() bool {
		photos = slices.DeleteFunc(d.h.tg.Sent(d.u.ID), func(m tgfake.Message) bool { return m.MessageID < d.from || len(m.Photo) == 0 })
		return len(photos) >= len(want)
	})
	for _, m := range photos {
		if len(want) > 1 && (m.MediaGroupID == "" || m.MediaGroupID != photos[0].MediaGroupID) {
			d.h.t.Errorf("photo %d is in media group %q, want all in one album", m.MessageID, m.MediaGroupID)
		}
	}
	d.from = photos[len(photos)-1].MessageID
}

// waitUntil waits for cond, looked at again on every change in the fake.
func (d *driver) waitUntil(what string, cond func() bool) {
	d.h.t.Helper()
	if cond() {
		return
	}
	ctx, cancel := context.WithTimeout(d.h.t.Context(), waitLimit)
	defer cancel()
	if _, err := d.h.tg.WaitForMessage(ctx, d.u.ID, func(tgfake.Message) bool { return cond() }); err != nil {
		d.h.t.Fatalf("no %s: %v; the chat:\n%s", what, err, dump(d.h.tg.Messages(d.u.ID)))
	}
}

// deliver sends the outbox through this bot, as cmd/indigo's loop does.
func (h *harness) deliver() {
	h.t.Helper()
	d := &conversations.Deliverer{
		Engine: h.newEngine(), Outbox: storage.NewNotificationService(h.db),
		Senders: map[domain.Channel]conversations.Sender{domain.ChannelTelegram: h.bot},
		Now:     func() time.Time { return time.Now().Add(time.Minute) },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Batch:   10, DigestAbove: 3, MaxAttempts: 3, Workers: 1,
	}
	if n, err := d.Deliver(h.ctx()); n == 0 || err != nil {
		h.t.Fatalf("deliver = %d, %v; want the notifications", n, err)
	}
}
