package wechat_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
)

// TestStories tells every story of the table through WeChat, in each of
// its languages: the person follows the account, types the number a list
// shows for a button, and reads an edit as a new message. Once told,
// nothing the followers wrote stays in the callback table.
func TestStories(t *testing.T) {
	t.Parallel()
	convtest.Tell(t, deploy, newDriver)
}

// deploy is a deployment for stories: an account and the bot serving it.
func deploy(t *testing.T) *harness {
	h := newHarness(t, harnessOptions{})
	t.Cleanup(h.noPayloadsKept)
	return h
}

// newDriver is a follower of the deployment's account, failing on t.
func newDriver(t *testing.T, h *harness, person int, lang string) convtest.Driver {
	u := h.user(fmt.Sprintf("oStoryteller%d", person), lang)
	u.t = t
	return &driver{t: t, h: h, u: u, lang: lang}
}

// driver is a WeChat follower telling a story to the account.
type driver struct {
	t    *testing.T
	h    *harness
	u    *user
	lang string
	// actions are what the follower did, for the golden transcripts
	// (transcript_test.go).
	actions []action
}

func (d *driver) Deployment() convtest.Deployment {
	return convtest.Deployment{DB: d.h.db, WB: d.h.wb}
}

// ClientLang: WeChat's callbacks say nothing of the follower's language,
// so the bot starts in Chinese.
func (d *driver) ClientLang() string { return "zh" }

// Can: WeChat sends a picture bare, without a caption.
func (d *driver) Can(c convtest.Capability) bool { return c != convtest.Captions }

func (d *driver) Identity() domain.Identity {
	return domain.Identity{Channel: domain.ChannelWeChat, ExternalID: d.u.OpenID}
}

func (d *driver) Start()                     { d.did("follows the account"); d.u.Follow() }
func (d *driver) Send(text string)           { d.did(text); d.u.Send(text) }
func (d *driver) Press(label string)         { d.did("▷ " + label); d.u.Choose(label) }
func (d *driver) Photo(png []byte, _ string) { d.did("[image]"); d.u.SendPicture(png) }
func (d *driver) Restart()                   { d.h.restart() }

// Document: a follower can send an account pictures, not files; a
// document goes as its photo.
func (d *driver) Document(string) { d.u.SendPicture(photo(d.t, 90)) }

// SendToken: WeChat cannot delete the follower's message, so the answer
// first asks them to recall it.
func (d *driver) SendToken(token string) {
	d.did("<a WB token>")
	d.u.Send(token)
	d.u.Expect(head(bundle.For(d.lang).T("msg.wechat.recall")))
}

func (d *driver) Deliver() {
	d.t.Helper()
	d.u.mark()
	if n := d.h.deliver(); n == 0 {
		d.t.Fatal("nothing to deliver")
	}
}

func (d *driver) Expect(text string) []string {
	d.t.Helper()
	return labelsOf(d.u.Expect(text))
}

// Continue: a text over WeChat's limit goes in parts (send.go), its
// choices drawn under the last part.
func (d *driver) Continue() []string {
	d.t.Helper()
	after := d.u.after // the parts between still hold what the story expects next
	defer func() { d.u.after = after }()
	return labelsOf(d.u.ExpectMsg("the part with the choices", func(m wxfake.Message) bool {
		return m.Type == "text" && len(choices(m.Text)) > 0
	}))
}

func labelsOf(m wxfake.Message) []string {
	var labels []string
	for _, c := range choices(m.Text) {
		labels = append(labels, c.label)
	}
	return labels
}

// ExpectPhotos: each photo of a push is an image message of its own.
func (d *driver) ExpectPhotos(want [][]byte) {
	d.t.Helper()
	for i, w := range want {
		if got := d.u.ExpectImage(); !bytes.Equal(got.Image, w) {
			d.t.Errorf("image %d is not the inspection photo", i)
		}
	}
}

// noPayloadsKept checks no handled callback keeps what the follower wrote.
func (h *harness) noPayloadsKept() {
	h.t.Helper()
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM wechat_callbacks WHERE length(payload) > 0`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	if n != 0 {
		h.t.Errorf("%d handled callbacks keep their payload", n)
	}
}
