// Package telegram is Indigo's Telegram channel. It turns Bot API updates
// into conversations.Input, runs them through the conversations engine and
// sends the engine's replies back, over go-telegram-bot-api v5.5.1.
//
// Updates arrive by long polling (Run) or by webhook (WebhookHandler); in
// both an update is confirmed to Telegram only after the engine has
// committed it, so a crash re-delivers and the engine's per-chat update id
// check skips what was already done.
//
// It imports conversations, domain and locales; never storage or another
// adapter. Its tests drive it through the real client library against
// tgfake and a real PostgreSQL.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// Config configures a Bot.
type Config struct {
	Token string
	// APIEndpoint is tgbotapi's format with two %s, token then method:
	// "https://api.telegram.org/bot%s/%s" (the default), or a fake's URL
	// followed by "/bot%s/%s".
	APIEndpoint string

	// WebhookURL, when set, makes Run register a webhook instead of long
	// polling; WebhookHandler must then be served at that URL.
	WebhookURL string
	// WebhookSecret is sent back by Telegram in every webhook request; it is
	// required with WebhookURL (1–256 of A-Z a-z 0-9 _ -).
	WebhookSecret string

	Log *slog.Logger // default slog.Default()
	// HTTPClient carries every Bot API call and file download. Its Timeout,
	// if any, must exceed the 25-s long poll. Default: a 60-s timeout.
	HTTPClient *http.Client
	// Workers bounds how many chats are handled at once while polling;
	// default 8.
	Workers int
	// Backoff is the first wait before polling retries a failed update or
	// getUpdates call; it doubles up to 30 s. Default 1 s.
	Backoff time.Duration
	// Guard recovers a panic while an update is handled and sets aside an
	// update that panics again and again; nil recovers and logs only.
	Guard *domain.Guard
	// Budget holds Telegram's send limits; replicas of one bot must share
	// one (storage.SendBudget). Default: a LocalBudget of this Bot's own.
	Budget SendBudget
	// Clock paces sends and waits out 429s; default the wall clock.
	Clock Clock
	// Observe hears how each Bot API request ended, for the service's
	// metrics and health (issue 22); nil hears nothing.
	Observe func(Request)
}

// Request is one Bot API request as Config.Observe hears of it.
type Request struct {
	Call    string // what was asked, e.g. "send message", "get updates"
	Send    bool   // a message to a chat, paced within Telegram's limits
	Attempt int    // 0 for the first try; more after a 429
	// Outcome is "ok", "rate_limited" (a 429), "refused" (any other
	// answer of Telegram's) or "unreachable" (no answer: the network).
	Outcome string
}

// OffsetStore remembers where a bot's update stream resumes.
// storage.SessionService implements it.
type OffsetStore interface {
	BotOffset(ctx context.Context, bot string) (int64, error)
	SetBotOffset(ctx context.Context, bot string, next int64) error
}

// Bot is the Telegram channel of one bot token. It is safe for concurrent use.
type Bot struct {
	api      *tgbotapi.BotAPI
	client   *http.Client
	cfg      Config
	offsets  OffsetStore
	bundle   *locales.Bundle
	log      *slog.Logger
	key      string // the bot's row in the OffsetStore
	fileBase string // where /file/bot<token>/<path> downloads live
	workers  int
	backoff  time.Duration
	pace     *pacer

	// keyboards holds the chats showing our contact reply keyboard, so the
	// next plain message can take it away again. Losing it on restart only
	// leaves a stale key on screen.
	keyboards sync.Map

	// staff is the staff chat once StaffChat made it (staff.go).
	staff atomic.Pointer[StaffChat]

	id   int64                  // the bot's user id, the token's first part
	self atomic.Pointer[string] // the bot's @name, once Connect has read it
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// New connects to the Bot API (getMe checks the token) and returns the
// channel: Open, then Connect. offsets may be nil in webhook mode.
func New(cfg Config, offsets OffsetStore, bundle *locales.Bundle) (*Bot, error) {
	b, err := Open(cfg, offsets, bundle)
	if err != nil {
		return nil, err
	}
	if err := b.Connect(context.Background()); err != nil {
		return nil, err
	}
	return b, nil
}

// Open returns the channel without calling Telegram, so that a service
// started while Telegram cannot be reached still runs everything else;
// Connect reaches it, and Run needs it reached.
func Open(cfg Config, offsets OffsetStore, bundle *locales.Bundle) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("new telegram bot: no token")
	}
	// A bot token is "<bot id>:<secret>"; the id keys the bot's offset and
	// send budget before Telegram has been asked who the bot is.
	idPart, _, _ := strings.Cut(cfg.Token, ":")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 || !strings.Contains(cfg.Token, ":") {
		return nil, errors.New("new telegram bot: the token is not a bot token (want <digits>:<secret> from @BotFather)")
	}
	if bundle == nil {
		return nil, errors.New("new telegram bot: locales are required")
	}
	if cfg.WebhookURL != "" && !secretToken.MatchString(cfg.WebhookSecret) {
		return nil, errors.New("new telegram bot: a webhook needs a secret of 1–256 characters A-Z a-z 0-9 _ -")
	}
	if cfg.WebhookURL == "" && offsets == nil {
		return nil, errors.New("new telegram bot: long polling needs an offset store")
	}
	if cfg.APIEndpoint == "" {
		cfg.APIEndpoint = tgbotapi.APIEndpoint
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	client := cfg.HTTPClient
	if client == nil {
		// Every call goes to one host: keep a connection per worker and
		// sender idle, not http's default of 2, or each burst opens new
		// ones and the time a send takes to arrive varies with it.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		client = &http.Client{Timeout: 60 * time.Second, Transport: t}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = 8
	}
	backoff := cfg.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	if cfg.Budget == nil {
		cfg.Budget = NewLocalBudget()
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	api := &tgbotapi.BotAPI{Token: cfg.Token, Client: client, Buffer: 100}
	api.SetAPIEndpoint(cfg.APIEndpoint)
	key := "telegram:" + strconv.FormatInt(id, 10)
	log := cfg.Log.With("channel", "telegram", "bot_id", id)
	return &Bot{
		api:      api,
		client:   client,
		cfg:      cfg,
		offsets:  offsets,
		bundle:   bundle,
		log:      log,
		key:      key,
		id:       id,
		fileBase: fileBase(cfg.APIEndpoint),
		workers:  workers,
		backoff:  backoff,
		pace:     &pacer{key: key, budget: cfg.Budget, clock: cfg.Clock, log: log},
	}, nil
}

// Connect asks Telegram who the bot is (getMe), which checks the token.
// It may be called again after a failure; the error carries no token.
func (b *Bot) Connect(ctx context.Context) error {
	var me tgbotapi.User
	err := b.call(ctx, "get me", func(api *tgbotapi.BotAPI) error {
		var err error
		me, err = api.GetMe()
		return err
	})
	if err != nil {
		return fmt.Errorf("new telegram bot: %w", err)
	}
	if me.ID != b.id {
		return fmt.Errorf("new telegram bot: get me: Telegram answered for bot %d, the token names %d", me.ID, b.id)
	}
	b.self.Store(&me.UserName)
	return nil
}

// Connected reports whether Connect has succeeded.
func (b *Bot) Connected() bool { return b.self.Load() != nil }

// Username is the bot's @name without the @; "" until Connect has
// succeeded.
func (b *Bot) Username() string {
	if name := b.self.Load(); name != nil {
		return *name
	}
	return ""
}

// fileBase derives where files download from the method endpoint, because
// tgbotapi's File.Link always uses api.telegram.org. A path before "/bot%s"
// (a proxy prefix) is kept.
func fileBase(endpoint string) string {
	if i := strings.Index(endpoint, "/bot%s"); i > 0 {
		return endpoint[:i]
	}
	scheme, rest, ok := strings.Cut(endpoint, "://")
	if !ok {
		return endpoint
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

func (b *Bot) fileURL(filePath string) string {
	return b.fileBase + "/file/bot" + b.cfg.Token + "/" + filePath
}

// with returns the client bound to ctx. tgbotapi v5.5.1 takes no context,
// but a BotAPI is a small value whose HTTP client can be swapped per call,
// so cancelling ctx ends a long poll or a send at once.
func (b *Bot) with(ctx context.Context) *tgbotapi.BotAPI {
	api := *b.api
	api.Client = ctxClient{ctx: ctx, c: b.client}
	return &api
}

type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}
