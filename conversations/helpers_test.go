package conversations_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var bundle = locales.MustNew()

// harness is one Indigo deployment: a real database, the fake WB, and an
// engine that can be restarted on the same data.
type harness struct {
	tb     testing.TB
	db     *storage.DB
	wb     *wbfake.Server
	engine *conversations.Engine
	// staff, when set, is the staff desk every engine built runs staff input on.
	staff   *conversations.StaffDesk
	updates atomic.Int64
}

func newHarness(tb testing.TB) *harness {
	tb.Helper()
	fake := wbfake.New()
	tb.Cleanup(fake.Close)
	h := &harness{tb: tb, db: pgtest.New(tb), wb: fake}
	h.restart()
	return h
}

// restart builds a new engine on the same database, as a new process would.
func (h *harness) restart() {
	d := convtest.Deps(h.db, h.wb.URL, bundle, nil)
	if h.staff != nil {
		d.Support, d.Staff = h.staff, h.staff
	}
	h.engine = conversations.NewEngine(d)
}

// chat is one person talking to the bot.
type chat struct {
	h       *harness
	channel domain.Channel
	userID  string
	langTag string
	last    []conversations.Reply
}

func (h *harness) chat(userID, langTag string) *chat {
	return &chat{h: h, channel: domain.ChannelTelegram, userID: userID, langTag: langTag}
}

func (c *chat) handle(in conversations.Input) []conversations.Reply {
	c.h.tb.Helper()
	in.UpdateID = c.h.updates.Add(1)
	in.Channel, in.ChatID, in.UserID, in.LanguageCode = c.channel, c.userID, c.userID, c.langTag
	in.MessageID = fmt.Sprint(in.UpdateID)
	replies, err := c.h.engine.Handle(context.Background(), in)
	if err != nil {
		c.h.tb.Fatalf("handle %+v: %v", in, err)
	}
	c.last = replies
	return replies
}

func (c *chat) send(text string) []conversations.Reply {
	c.h.tb.Helper()
	return c.handle(conversations.Input{Text: text})
}

// press presses the button labelled text in the last replies.
func (c *chat) press(label string) []conversations.Reply {
	c.h.tb.Helper()
	for _, r := range c.last {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return c.handle(conversations.Input{Button: b.Data, ButtonOn: "msg-1"})
				}
			}
		}
	}
	c.h.tb.Fatalf("no button %q in %s", label, dump(c.last))
	return nil
}

func (c *chat) sendFile(kind domain.AttachmentKind, name string, data []byte) []conversations.Reply {
	c.h.tb.Helper()
	return c.handle(conversations.Input{Files: []conversations.File{{
		Kind: kind, Name: name, ContentType: "image/png", Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return data, nil },
	}}})
}

// texts joins what the replies say, for matching.
func texts(rs []conversations.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		b.WriteString(r.Toast)
		b.WriteString("\n")
	}
	return b.String()
}

func dump(rs []conversations.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "text=%q buttons=%v toast=%q\n", r.Text, r.Buttons, r.Toast)
	}
	return b.String()
}

// expect fails unless the replies say each message (already translated).
func expect(tb testing.TB, rs []conversations.Reply, want ...string) {
	tb.Helper()
	got := texts(rs)
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.Fatalf("replies lack %q:\n%s", w, dump(rs))
		}
	}
}

// onboard runs /start through to the store-token step in the given language.
func (c *chat) onboard(tb testing.TB, lang string) {
	tb.Helper()
	l := bundle.For(lang)
	c.send("/start")
	c.press(l.T("language." + lang))
	c.press(l.T("button.accept"))
	c.send("Li Wei Trading")
	expect(tb, c.press(l.T("button.skip")), l.T("flow.store.marketplace"))
	c.press(l.T("marketplace.wildberries"))
	expect(tb, c.send("Main store"), l.T("flow.store.token"))
}

var qrPNG = convtest.QRPNG

func inputButton(data string) conversations.Input {
	return conversations.Input{Button: data, ButtonOn: "msg-1"}
}

// inputWithID is an input redelivered with an update id already handled.
func inputWithID(c *chat, id int64, text string) conversations.Input {
	return conversations.Input{UpdateID: id, Channel: c.channel, ChatID: c.userID, UserID: c.userID, Text: text}
}

func itoa(n int64) string { return fmt.Sprint(n) }

func commandNames() []string { return conversations.Commands() }
