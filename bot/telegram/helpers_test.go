package telegram_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var bundle = locales.MustNew()

const (
	secret = "indigo-webhook-secret_1"
	// waitLimit bounds every wait for the bot; a reply normally takes
	// milliseconds, so hitting it means the reply never came.
	waitLimit = 10 * time.Second
)

// harness is one Indigo deployment talking to a fake Telegram: a real
// database, the fake WB for token checks, and a bot that can be stopped
// and started again on the same data, as a new process would.
type harness struct {
	t        *testing.T
	db       *storage.DB
	wb       *wbfake.Server
	tg       *tgfake.Server
	sessions *storage.SessionService
	logs     *logBuffer
	bot      *telegram.Bot
	stop     func()
}

type harnessOptions struct {
	rateLimits bool   // keep tgfake's 429s on
	webhookURL string // webhook mode instead of polling
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	logs := &logBuffer{}
	// Registered first, so it runs last: every other cleanup may still log.
	t.Cleanup(func() {
		if strings.Contains(logs.String(), tgfake.DefaultToken) {
			t.Errorf("the bot token leaked into the logs:\n%s", logs.String())
		}
		if testing.Verbose() {
			t.Log(logs.String())
		}
	})
	tg := tgfake.New(tgfake.Options{DisableRateLimits: !opts.rateLimits})
	t.Cleanup(tg.Close)
	wbf := wbfake.New()
	t.Cleanup(wbf.Close)
	db := pgtest.New(t)
	h := &harness{t: t, db: db, wb: wbf, tg: tg, sessions: storage.NewSessionService(db), logs: logs}
	h.bot = h.newBot(h.sessions, opts.webhookURL)
	return h
}

// newBot builds an engine and a bot on the harness's database.
func (h *harness) newBot(offsets telegram.OffsetStore, webhookURL string) *telegram.Bot {
	h.t.Helper()
	engine := conversations.NewEngine(conversations.Deps{
		Sessions:    storage.NewSessionService(h.db),
		Sellers:     storage.NewSellerService(h.db),
		Stores:      storage.NewStoreService(h.db),
		Returns:     storage.NewReturnService(h.db),
		Attachments: storage.NewAttachmentService(h.db),
		Polls:       storage.NewPollScheduleService(h.db),
		Marketplace: wb.Marketplace{Client: wb.New(wb.Config{BaseURL: h.wb.URL, MaxRetries: -1})},
		Locales:     bundle,
	})
	bot, err := telegram.New(telegram.Config{
		Token:         h.tg.Token(),
		APIEndpoint:   h.tg.URL() + "/bot%s/%s",
		WebhookURL:    webhookURL,
		WebhookSecret: secret,
		Log:           slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, engine, offsets, bundle)
	if err != nil {
		h.t.Fatalf("new bot: %v", err)
	}
	return bot
}

// start runs the harness's bot until the test ends or stopBot is called.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("run: %v", err)
			}
		})
	}
	h.t.Cleanup(h.stop)
}

// restart stops the bot and starts a new bot and engine on the same data.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.bot = h.newBot(h.sessions, "")
	h.start()
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(h.t.Context(), waitLimit)
	h.t.Cleanup(cancel)
	return ctx
}

// user is one person writing to the bot from Telegram.
type user struct {
	h     *harness
	id    int64
	l     *locales.Localizer
	after int // bot messages up to this id are old news
}

func (h *harness) user(id int64, langCode string) *user {
	h.tg.AddUser(tgfake.User{ID: id, FirstName: "Li", LastName: "Wei", LanguageCode: langCode})
	return &user{h: h, id: id, l: bundle.For(langCode)}
}

func (u *user) send(text string) tgfake.Message {
	m := u.h.tg.SendText(u.id, text)
	u.after = m.MessageID
	return m
}

func (u *user) sendPhoto(caption string) tgfake.Message {
	m := u.h.tg.SendPhoto(u.id, pngImage(u.h.t), caption)
	u.after = m.MessageID
	return m
}

// press presses the button labelled label on the newest bot message that
// has one, and returns the callback query id.
func (u *user) press(label string) string {
	u.h.t.Helper()
	msgs := u.h.tg.Sent(u.id)
	for i := len(msgs) - 1; i >= 0; i-- {
		if data, ok := buttonData(msgs[i], label); ok {
			return u.pressOn(msgs[i], data)
		}
	}
	u.h.t.Fatalf("no button %q in the chat:\n%s", label, dump(msgs))
	return ""
}

func (u *user) pressOn(m tgfake.Message, data string) string {
	all := u.h.tg.Messages(u.id)
	u.after = all[len(all)-1].MessageID
	return u.h.tg.PressButton(u.id, m, data)
}

func buttonData(m tgfake.Message, label string) (string, bool) {
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

// expect waits for a new bot message containing want.
func (u *user) expect(want string) tgfake.Message {
	u.h.t.Helper()
	return u.expectMsg(want, func(m tgfake.Message) bool { return strings.Contains(m.Text+m.Caption, want) })
}

// expectMsg waits for a new bot message that matches; later waits look
// past it, so several expects read replies in the order they came.
func (u *user) expectMsg(what string, match func(tgfake.Message) bool) tgfake.Message {
	u.h.t.Helper()
	m, err := u.h.tg.WaitForMessage(u.h.ctx(), u.id, func(m tgfake.Message) bool {
		return m.MessageID > u.after && match(m)
	})
	if err != nil {
		u.h.t.Fatalf("no reply %q: %v; the chat:\n%s", what, err, dump(u.h.tg.Messages(u.id)))
	}
	u.after = m.MessageID
	return m
}

// onboard runs /start through to the store-token step, sharing the phone
// number or skipping it.
func (u *user) onboard(lang string, sharePhone bool) {
	u.h.t.Helper()
	l := bundle.For(lang)
	u.send("/start")
	u.expect(head(u.l.T("flow.onboarding.language")))
	u.press(l.T("language." + lang))
	u.expect(head(l.T("flow.onboarding.terms")))
	u.press(l.T("button.accept"))
	u.expect(l.T("flow.onboarding.name"))
	u.send("Li Wei Trading")
	u.expect(l.T("flow.onboarding.phone"))
	contact := u.expectMsg("contact keyboard", func(m tgfake.Message) bool { return m.Keyboard != nil })
	if k := contact.Keyboard; len(k.Keyboard) != 1 || !k.Keyboard[0][0].RequestContact || !k.OneTimeKeyboard {
		u.h.t.Fatalf("no one-time contact keyboard: %+v", k)
	}
	if sharePhone {
		m := u.h.tg.SendContact(u.id, "+8613800000000")
		u.after = m.MessageID
	} else {
		u.press(l.T("button.skip"))
	}
	welcome := u.expect(l.T("flow.onboarding.welcome", map[string]any{"Name": "Li Wei Trading"}))
	if !welcome.RemoveKeyboard {
		u.h.t.Errorf("the contact keyboard stays after the phone step: %+v", welcome)
	}
	u.expect(l.T("flow.store.marketplace"))
	u.press(l.T("marketplace.wildberries"))
	u.expect(head(l.T("flow.store.name")))
	u.send("Main store")
	u.expect(head(l.T("flow.store.token")))
}

// head is the start of a message, enough to recognise it where the rest
// carries template data.
func head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 30)])
}

func dump(msgs []tgfake.Message) string {
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

func pngImage(tb testing.TB) []byte {
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

// logBuffer collects the bot's logs, to check no token is ever written.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
