package telegram_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
)

// TestStories tells every story of the table through Telegram, in each
// of its languages: the person presses buttons, and an edit in place or
// a toast answers as well as a new message.
func TestStories(t *testing.T) {
	t.Parallel()
	convtest.Tell(t, deploy, newDriver)
}

// deploy is a deployment for stories: the bot running on its database.
func deploy(t *testing.T) *harness {
	h := newHarness(t, harnessOptions{})
	h.start()
	return h
}

// newDriver is Telegram user 1001+person on the deployment.
func newDriver(t *testing.T, h *harness, person int, lang string) convtest.Driver {
	return &driver{t: t, h: h, u: tgtest.NewUser(t, h.tg, int64(1001+person), lang), lang: lang}
}

// driver is a Telegram user telling a story to the bot.
type driver struct {
	t    *testing.T
	h    *harness
	u    *user
	lang string
	// What the chat was when the person last acted: what changes after
	// is the answer. New messages count from id from on (the one Expect
	// found last included); edits of older ones too, and the toast of the
	// button pressed.
	from   int
	before map[int]string
	query  string
	// presses are the buttons pressed, by the message they were on, for
	// the golden transcripts (transcript_test.go).
	presses map[int][]string
}

func (d *driver) Deployment() convtest.Deployment {
	return convtest.Deployment{DB: d.h.db, WB: d.h.wb}
}

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
	d.query = ""
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
	d.t.Helper()
	d.act(func() { d.pressed(label); d.query = d.u.Press(label) })
}
func (d *driver) Photo(png []byte, caption string) {
	d.act(func() { d.h.tg.SendPhoto(d.u.ID, png, caption) })
}
func (d *driver) Document(name string) {
	d.act(func() { d.h.tg.SendDocument(d.u.ID, name, []byte("%PDF-1.4 business licence"), "") })
}
func (d *driver) Restart() { d.h.restart() }
func (d *driver) Deliver() { d.act(func() { d.h.deliver(d.t) }) }

// SendToken pastes a token and waits until the bot has deleted it from
// the chat.
func (d *driver) SendToken(token string) {
	d.t.Helper()
	var pasted tgfake.Message
	d.act(func() { pasted = d.u.Send(token) })
	d.waitUntil("the message with the token deleted", func() bool {
		return !slices.ContainsFunc(d.h.tg.Messages(d.u.ID), func(m tgfake.Message) bool { return m.MessageID == pasted.MessageID })
	})
}

func (d *driver) Expect(text string) []string {
	d.t.Helper()
	var found tgfake.Message
	toast := false
	d.waitUntil(strconv.Quote(head(text)), func() bool {
		for _, a := range d.h.tg.CallbackAnswers() {
			if a.CallbackQueryID == d.query && strings.Contains(a.Text, text) {
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
	d.t.Helper()
	var photos []tgfake.Message
	d.waitUntil("an album of the photos", func() bool {
		photos = slices.DeleteFunc(d.h.tg.Sent(d.u.ID), func(m tgfake.Message) bool { return m.MessageID < d.from || len(m.Photo) == 0 })
		return len(photos) >= len(want)
	})
	for _, m := range photos {
		if len(want) > 1 && (m.MediaGroupID == "" || m.MediaGroupID != photos[0].MediaGroupID) {
			d.t.Errorf("photo %d is in media group %q, want all in one album", m.MessageID, m.MediaGroupID)
		}
	}
	d.from = photos[len(photos)-1].MessageID
}

// waitUntil waits for cond, looked at again on every change in the fake.
func (d *driver) waitUntil(what string, cond func() bool) {
	d.t.Helper()
	if cond() {
		return
	}
	ctx, cancel := context.WithTimeout(d.t.Context(), waitLimit)
	defer cancel()
	if _, err := d.h.tg.WaitForMessage(ctx, d.u.ID, func(tgfake.Message) bool { return cond() }); err != nil {
		d.t.Fatalf("no %s: %v; the chat:\n%s", what, err, dump(d.h.tg.Messages(d.u.ID)))
	}
}
