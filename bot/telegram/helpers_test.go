package telegram_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
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
	clock    *tgtest.Clock // the bot's and the fake's: waits for limits jump
	sessions *storage.SessionService
	logs     *logBuffer
	bot      *telegram.Bot
	engine   *conversations.Engine // what bot runs (Run, WebhookHandler)
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
	clock := tgtest.NewClock()
	tg := tgfake.New(tgfake.Options{DisableRateLimits: !opts.rateLimits, Now: clock.Now})
	t.Cleanup(tg.Close)
	wbf := wbfake.New()
	t.Cleanup(wbf.Close)
	db := pgtest.New(t)
	h := &harness{t: t, db: db, wb: wbf, tg: tg, clock: clock, sessions: storage.NewSessionService(db), logs: logs}
	h.bot = h.newBot(h.sessions, opts.webhookURL)
	return h
}

// newBot builds a bot, and the engine it runs, on the harness's database.
func (h *harness) newBot(offsets telegram.OffsetStore, webhookURL string) *telegram.Bot {
	h.t.Helper()
	return h.botOn(h.newEngine(), offsets, webhookURL)
}

// newBotWith is a polling bot on a given engine.
func (h *harness) newBotWith(engine *conversations.Engine) *telegram.Bot {
	h.t.Helper()
	return h.botOn(engine, h.sessions, "")
}

// botOn builds a bot that runs engine (Run, WebhookHandler).
func (h *harness) botOn(engine *conversations.Engine, offsets telegram.OffsetStore, webhookURL string) *telegram.Bot {
	h.t.Helper()
	h.engine = engine
	bot, err := telegram.New(telegram.Config{
		Token:         h.tg.Token(),
		APIEndpoint:   h.tg.URL() + "/bot%s/%s",
		WebhookURL:    webhookURL,
		WebhookSecret: secret,
		Log:           slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:         h.clock,
	}, offsets, bundle)
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
	go func() { done <- h.bot.Run(ctx, h.engine) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			// A test that ends before polling started cancels its start.
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
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
type user = tgtest.User

func (h *harness) user(id int64, langCode string) *user {
	return tgtest.NewUser(h.t, h.tg, id, langCode)
}

var (
	head     = tgtest.Head
	dump     = tgtest.Dump
	pngImage = tgtest.PNG
)

// logBuffer collects the bot's logs, to check no secret is ever written.
type logBuffer = convtest.LogBuffer

// newEngine builds an engine on the harness's data, as each process does.
func (h *harness) newEngine() *conversations.Engine {
	return conversations.NewEngine(convtest.Deps(h.db, h.wb.URL, bundle, nil))
}

func mustData(t *testing.T, m tgfake.Message, label string) string {
	t.Helper()
	data, ok := tgtest.ButtonData(m, label)
	if !ok {
		t.Fatalf("no button %q on %+v", label, m)
	}
	return data
}

// session reads where a chat's conversation is.
func (h *harness) session(t *testing.T, chatID int64) (flow, state string) {
	t.Helper()
	err := h.sessions.WithSession(t.Context(), domain.ChannelTelegram, strconv.FormatInt(chatID, 10), func(_ context.Context, s *domain.ChatSession) error {
		flow, state = s.Flow, s.State
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow, state
}

var qrPNG = convtest.QRPNG

// deliver sends the outbox through this bot, as cmd/indigo's loop does.
func (h *harness) deliver(t *testing.T) {
	t.Helper()
	engine := h.newEngine()
	d := &conversations.Deliverer{
		Render: engine, Sellers: engine.Sellers, Outbox: storage.NewNotificationService(h.db),
		Senders: map[domain.Channel]conversations.Sender{domain.ChannelTelegram: h.bot},
		Now:     func() time.Time { return time.Now().Add(time.Minute) },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Batch:   10, DigestAbove: 3, MaxAttempts: 3, Workers: 1,
	}
	if n, err := d.Deliver(t.Context()); n == 0 || err != nil {
		t.Fatalf("deliver = %d, %v; want the notifications", n, err)
	}
}
