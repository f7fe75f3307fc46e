package wechat_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// fake is the one WeChat of this test binary: silenceper is pointed at it
// through a process-wide global, set once here before any test runs. Each
// test takes an account of its own on it.
var (
	fake = wxfake.New()
	// logrusOut catches anything silenceper logs through logrus.
	logrusOut = &logBuffer{}
)

func TestMain(m *testing.M) {
	if err := wechat.SetAPIBaseURL(fake.URL()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logrus.SetOutput(logrusOut)
	pgtest.Main(m)
}

var bundle = locales.MustNew()

// waitLimit bounds every wait for the bot; a reply takes milliseconds, so
// reaching it means the reply never came.
const waitLimit = 10 * time.Second

// harness is one Indigo deployment with a WeChat account: a real
// database, the fake WB for token checks, the engine and the bot serving
// /wechat on loopback.
type harness struct {
	t      *testing.T
	db     *storage.DB
	wb     *wbfake.Server
	acct   *wxfake.Account
	store  *storage.WeChatService
	engine *conversations.Engine
	logs   *logBuffer
	bot    *wechat.Bot
	live   atomic.Value // http.Handler: the bot /wechat is routed to
	stop   func()       // stops bot
	url    string
	now    func() time.Time
	opts   harnessOptions
}

type harnessOptions struct {
	encrypted bool
	webURL    string           // the menu's web item; "" keeps the /web command
	now       func() time.Time // the bots' clock; default time.Now
	templates wechat.Templates // template_test.go
	staff     bool             // the bots tell a staff desk what templates did
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, logs: &logBuffer{}, now: opts.now, opts: opts,
		acct: fake.NewAccount(wxfake.AccountOptions{Encrypted: opts.encrypted})}
	// Registered first, so it runs last: everything else may still log.
	t.Cleanup(func() {
		h.checkLogs()
		if testing.Verbose() {
			t.Log(h.logs.String())
		}
	})
	h.wb = wbfake.New()
	t.Cleanup(h.wb.Close)
	h.db = pgtest.New(t)
	h.store = storage.NewWeChatService(h.db)
	h.engine = h.newEngine()
	h.bot, h.stop = h.startBot()
	h.live.Store(h.bot.Handler(h.engine))
	srv := httptest.NewServer(routes(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.live.Load().(http.Handler).ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/wechat"
	h.acct.SetCallbackURL(h.url)
	return h
}

func routes(bot http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/wechat", bot)
	return mux
}

func (h *harness) newEngine() *conversations.Engine {
	return conversations.NewEngine(convtest.Deps(h.db, h.wb.URL, bundle, slog.New(slog.NewTextHandler(h.logs, nil))))
}

// restart stops the bot and routes /wechat to a new bot and engine on the
// same data, as a new process would.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.engine = h.newEngine()
	h.bot, h.stop = h.startBot()
	h.live.Store(h.bot.Handler(h.engine))
}

// newBot starts a bot (a replica) on the harness's account and database;
// it stops when the test ends, before the database goes.
func (h *harness) newBot() *wechat.Bot {
	bot, _ := h.startBot()
	return bot
}

// startBot is newBot that can also be stopped before the test ends.
func (h *harness) startBot() (*wechat.Bot, func()) {
	h.t.Helper()
	// The fake's account has a key in either mode; the bot has it only in
	// safe mode, as a real deployment.
	aesKey := ""
	if h.acct.Encrypted {
		aesKey = h.acct.AESKey
	}
	var staff wechat.Staff
	if h.opts.staff {
		staff = conversations.NoticeRelays{Sellers: storage.NewSellerService(h.db), Support: storage.NewSupportService(h.db)}
	}
	bot, err := wechat.New(wechat.Config{
		AppID: h.acct.AppID, AppSecret: h.acct.AppSecret, Token: h.acct.Token, AESKey: aesKey,
		APIBaseURL: fake.URL(),
		Log:        slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SweepEvery: 200 * time.Millisecond,
		Now:        h.now,
		Locales:    bundle,
		Sellers:    storage.NewSellerService(h.db),
		Templates:  h.opts.templates,
		Staff:      staff,
		WebURL:     h.opts.webURL,
	}, h.store)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx, h.engine) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("run: %v", err)
		}
	})
	h.t.Cleanup(stop)
	return bot, stop
}

// checkLogs fails the test if a secret of the account reached a log.
func (h *harness) checkLogs() {
	secrets := append([]string{h.acct.AppSecret, h.acct.AESKey}, h.acct.Tokens()...)
	for name, logs := range map[string]string{"the bot's log": h.logs.String(), "logrus": logrusOut.String()} {
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				h.t.Errorf("a secret (%.6s…) leaked into %s:\n%s", s, name, logs)
			}
		}
	}
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	h.t.Cleanup(cancel)
	return ctx
}

// deliverer drains the outbox into this bot, as cmd/indigo's loop does.
func (h *harness) deliver() int {
	h.t.Helper()
	d := &conversations.Deliverer{
		Render: h.engine, Sellers: h.engine.Sellers, Outbox: storage.NewNotificationService(h.db),
		Senders: map[domain.Channel]conversations.Sender{domain.ChannelWeChat: h.bot},
		Now:     time.Now, Log: slog.New(slog.NewTextHandler(h.logs, nil)),
		Batch: 50, DigestAbove: 5, MaxAttempts: 3, Workers: 2,
	}
	n, err := d.Deliver(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// notify writes a notification as the services do.
func (h *harness) notify(n *domain.Notification) {
	h.t.Helper()
	if err := storage.NewNotificationService(h.db).CreateNotification(pgtest.System(), n); err != nil {
		h.t.Fatal(err)
	}
}

// seller makes a WeChat follower a seller, speaking lang.
func (h *harness) seller(openID string, lang domain.Language) *domain.Seller {
	return pgtest.Seller(h.t, h.db, func(s *domain.Seller) {
		s.Language, s.QuietHours = lang, false
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: openID}}
	})
}

// user is one person writing to the account from WeChat.
type user struct {
	*wxfake.User
	h     *harness
	t     *testing.T // where a failure lands: the harness's test, or a story's
	L     *locales.Localizer
	after int64 // Expect looks at messages after this sequence number
	seen  int64 // the newest message an Expect has read
}

func (h *harness) user(openID, lang string) *user {
	seq := h.acct.LastSeq()
	return &user{User: h.acct.User(openID), h: h, t: h.t, L: bundle.ForChannel(lang, "wechat"), after: seq, seen: seq}
}

// ctx bounds one wait for the bot.
func (u *user) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	u.t.Cleanup(cancel)
	return ctx
}

// acked checks the answer WeChat got: "success" at once, on the first try.
func (u *user) acked(r wxfake.Result) {
	u.t.Helper()
	if r.Status != http.StatusOK || r.Body != "success" || r.Tries != 1 || r.ServiceError || r.Elapsed > time.Second {
		u.t.Fatalf("callback answered %d %q after %d tries in %s (service error %v, err %v)",
			r.Status, r.Body, r.Tries, r.Elapsed, r.ServiceError, r.Err)
	}
}

// mark makes what was sent so far old news.
func (u *user) mark() { u.after = u.h.acct.LastSeq(); u.seen = u.after }

// Send writes text to the account.
func (u *user) Send(text string) {
	u.t.Helper()
	u.mark()
	u.acked(u.SendText(text))
}

// Follow follows the account.
func (u *user) Follow() {
	u.t.Helper()
	u.mark()
	u.acked(u.Subscribe())
}

// SendPicture sends an image.
func (u *user) SendPicture(data []byte) {
	u.t.Helper()
	u.mark()
	u.acked(u.SendImage(data))
}

// Tap taps a button of the account menu.
func (u *user) Tap(key string) {
	u.t.Helper()
	u.mark()
	u.acked(u.Click(key))
}

// Expect waits for a new text containing want. Later waits look at the
// same message and past it: WeChat's answers merge several texts in one.
func (u *user) Expect(want string) wxfake.Message {
	u.t.Helper()
	return u.ExpectMsg(want, func(m wxfake.Message) bool { return m.Type == "text" && strings.Contains(m.Text, want) })
}

// ExpectImage waits for a new image message.
func (u *user) ExpectImage() wxfake.Message {
	u.t.Helper()
	m := u.ExpectMsg("an image", func(m wxfake.Message) bool { return m.Type == "image" })
	u.after = m.Seq // the next image is another one
	return m
}

func (u *user) ExpectMsg(what string, match func(wxfake.Message) bool) wxfake.Message {
	u.t.Helper()
	m, err := u.h.acct.WaitForMessage(u.ctx(), u.OpenID, u.after, match)
	if err != nil {
		u.t.Fatalf("no message %q: %v; the chat:\n%s", what, err, dump(u.h.acct.Sent(u.OpenID)))
	}
	u.after, u.seen = m.Seq-1, max(u.seen, m.Seq)
	return m
}

// choiceLine is one numbered choice as the bot draws it.
var choiceLine = regexp.MustCompile(`^(\d+)\. (.+)$`)

// choice is a numbered choice: what to type, and its label.
type choice struct{ number, label string }

// choices are the numbered choices a message offers: the paragraphs made
// only of numbered lines, in a message that ends by asking for a number
// (a numbered list inside a text, such as how to make a token, is not).
func choices(text string) []choice {
	if !slices.ContainsFunc(locales.Languages(), func(lang string) bool {
		return strings.Contains(text, bundle.For(lang).T("msg.wechat.choose"))
	}) {
		return nil
	}
	var out []choice
	for _, para := range strings.Split(text, "\n\n") {
		var cs []choice
		for _, line := range strings.Split(para, "\n") {
			m := choiceLine.FindStringSubmatch(line)
			if m == nil {
				cs = nil
				break
			}
			cs = append(cs, choice{m[1], m[2]})
		}
		out = append(out, cs...)
	}
	return out
}

// Choose answers the newest numbered choices with the number of the one
// labelled label, as a WeChat user does.
func (u *user) Choose(label string) {
	u.t.Helper()
	offers := func(m wxfake.Message) (string, bool) {
		for _, c := range choices(m.Text) {
			if strings.Contains(c.label, label) {
				return c.number, true
			}
		}
		return "", false
	}
	// A long answer comes in parts, its list under the last: wait until
	// the newest list offers it, or the wait ends.
	newest := func() (string, bool) {
		msgs := u.h.acct.Sent(u.OpenID)
		for i := len(msgs) - 1; i >= 0; i-- {
			if len(choices(msgs[i].Text)) > 0 {
				return offers(msgs[i])
			}
		}
		return "", false
	}
	ctx := u.ctx()
	for ctx.Err() == nil {
		if number, ok := newest(); ok {
			u.Send(number)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	msgs := u.h.acct.Sent(u.OpenID)
	// The newest list lacks it: an older one's numbers mean something else now.
	u.t.Fatalf("no choice %q in the newest list of the chat:\n%s", label, dump(msgs))
}

// quiet checks nothing more reaches the follower for a moment.
func (u *user) quiet() {
	u.t.Helper()
	time.Sleep(300 * time.Millisecond)
	for _, m := range u.h.acct.Sent(u.OpenID) {
		if m.Seq > u.seen {
			u.t.Fatalf("unexpected message: %q", m.Text)
		}
	}
}

// waitFor polls cond until it holds, or fails the test after waitLimit.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 20)])
}

func dump(msgs []wxfake.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		text := m.Text
		if m.Type == "image" {
			text = fmt.Sprintf("[image, %d bytes]", len(m.Image))
		}
		fmt.Fprintf(&b, "#%d %s\n", m.Seq, text)
	}
	return b.String()
}

// logBuffer collects the bot's logs, to check no secret is ever written.
type logBuffer = convtest.LogBuffer

var qrPNG = convtest.QRPNG

// photo is a small distinct picture, as an inspection photo.
var photo = convtest.Picture
