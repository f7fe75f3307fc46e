// Package wechat is Indigo's WeChat Official Account channel. WeChat posts
// each follower's message to the callback endpoint (Bot.ServeHTTP); the bot
// checks the signature and its age, decrypts it in safe mode, stores it once
// (WeChat retries within seconds), answers "success" at once, and runs it
// through the conversations engine in the background. The engine's replies
// go back as customer-service messages over silenceper/wechat v2.1.12.
//
// WeChat is not a push channel: a follower's message lets the account send
// 5 customer-service messages within 48 hours (a menu tap or a follow: 3
// within a minute). Replies and pushes are fitted into that window; what
// does not fit is held and delivered, newest first, the next time the
// follower writes. Choices are numbered lines ("1. …") and a typed number
// picks one; the account menu carries the main commands.
//
// silenceper is used with care: it redirects requests and holds its HTTP
// client in process-wide globals (set once, by the first New or by
// SetAPIBaseURL), its token cache races and never drops a dead token (the
// bot brings its own, shared through PostgreSQL), its errors quote the
// secret and the token (they are scrubbed), and its callback server
// compares signatures in variable time, checks no timestamp and logs every
// message (the bot has its own handler).
//
// It imports conversations, domain and locales; never storage or another
// adapter. Its tests drive it through the real client library against
// wxfake and a real PostgreSQL.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// wechatAPI is the base of every URL silenceper has hard-coded.
const wechatAPI = "https://api.weixin.qq.com"

// Config configures a Bot.
type Config struct {
	AppID     string
	AppSecret string
	Token     string // signs WeChat's callbacks
	// AESKey is the 43-character EncodingAESKey; set, only encrypted
	// (safe mode) callbacks are accepted.
	AESKey string
	// APIBaseURL replaces https://api.weixin.qq.com (a fake). silenceper
	// allows one base per process: a second New with another base fails.
	APIBaseURL string
	// WebURL, when set, is what the account menu's web item opens (the
	// web view's WeChat sign-in); unset, the item sends a sign-in link.
	WebURL string

	// Locales and Sellers are what sends read a follower's language from.
	Locales *locales.Bundle
	Sellers domain.SellerService

	Log *slog.Logger // default slog.Default()
	// HTTPClient carries media downloads and, being silenceper's global,
	// every API call of the first Bot in the process. Default: a 30-s timeout.
	HTTPClient *http.Client
	// Now is the clock of the signatures' timestamp window and of the
	// follower's window; default time.Now.
	Now func() time.Time
	// Workers bounds how many callbacks are handled at once; default 16.
	Workers int
	// SweepEvery is how often callbacks left unhandled (a replica died,
	// the workers were busy) are taken up again; default 30 s.
	SweepEvery time.Duration
	// HeldLease is how long a claim on what is held for a follower holds
	// unless renewed, as it is while an answer goes; default 5 minutes.
	// Only what a dead replica claimed waits for it to lapse.
	HeldLease time.Duration
	// Guard recovers a panic while a callback is handled and sets aside a
	// callback that panics again and again (guard.go); nil recovers and
	// logs only.
	Guard *domain.Guard
	// Templates announce what waits outside the follower's window
	// (template.go); zero sends none.
	Templates Templates
	// Staff hear in the seller's thread what templates did; nil: nothing.
	Staff Staff
	// Observe hears how each API request ended, for the service's metrics
	// and health (issue 22); nil hears nothing.
	Observe func(Request)
}

// Request is one API request as Config.Observe hears of it.
type Request struct {
	Call    string // what was asked, e.g. "send text"
	Attempt int    // 0 for the first try; 1 after a refused access token
	// Outcome is "ok", "rate_limited" (a quota of WeChat's spent),
	// "refused" (any other errcode) or "unreachable" (no answer).
	Outcome string
}

// Store keeps the channel's state in the shared database:
// storage.WeChatService implements it. Its methods called with the ctx of
// InTx join that transaction, as the engine's services do.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	TokenStore
	NonceStore
	TemplateStore

	ReceiveCallback(ctx context.Context, key, openID string, payload []byte) (isNew bool, err error)
	ClaimCallback(ctx context.Context, key string) (payload []byte, ok bool, err error)
	MarkCallbackHandled(ctx context.Context, key string) error
	CallbackFailed(ctx context.Context, key, cause string) (attempts int, err error)
	UnhandledCallbacks(ctx context.Context, receivedBefore time.Time, limit int) ([]string, error)
	PruneCallbacks(ctx context.Context, handledBefore time.Time) (int64, error)

	OpenWindow(ctx context.Context, openID string, now, closesAt time.Time, quota int, renew bool) error
	WindowLeft(ctx context.Context, openID string, now time.Time) (int, error)
	SpendWindow(ctx context.Context, openID string, now time.Time, n int) (int, error)
	RefundWindow(ctx context.Context, openID string, n int) error
	CloseWindow(ctx context.Context, openID string) error
	Menu(ctx context.Context, openID string) ([]string, error)
	SetMenu(ctx context.Context, openID string, menu []string) error

	HoldPush(ctx context.Context, openID string, payload []byte) (held int, err error)
	HoldReply(ctx context.Context, openID string, payload []byte) error
	FollowersWithReplies(ctx context.Context, before, now time.Time, limit int) ([]string, error)
	RenewPushes(ctx context.Context, token int64, until time.Time) (int, error)
	HeldPushes(ctx context.Context, openID string) (int, error)
	ClaimPushes(ctx context.Context, openID string, now, until time.Time) (token int64, ids []int64, payloads [][]byte, err error)
	SettlePushes(ctx context.Context, token int64, done []int64, left map[int64][]byte) (ok bool, err error)
	ReleasePushes(ctx context.Context, token int64) error

	UpdateMenu(ctx context.Context, appID, digest string, publish func(ctx context.Context) error) (bool, error)
}

// Bot is the WeChat channel of one Official Account. It is safe for
// concurrent use; several replicas may serve one account.
type Bot struct {
	cfg    Config
	store  Store
	log    *slog.Logger
	client *http.Client
	tokens *AccessToken
	oaCfg  offconfig.Config
	aesKey []byte // decoded EncodingAESKey; nil in plaintext mode

	work chan struct{} // a slot per callback being handled
	wg   sync.WaitGroup
}

// New returns the channel. It calls nothing yet: the access token is
// fetched on first use and the menu published by Run.
func New(cfg Config, store Store) (*Bot, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" || cfg.Token == "" {
		return nil, errors.New("new wechat bot: the app id, app secret and token are required")
	}
	if cfg.Locales == nil || cfg.Sellers == nil || store == nil {
		return nil, errors.New("new wechat bot: locales, sellers and a store are required")
	}
	var aesKey []byte
	if cfg.AESKey != "" {
		var err error
		if aesKey, err = decodeAESKey(cfg.AESKey); err != nil {
			return nil, fmt.Errorf("new wechat bot: %w", err)
		}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 30 * time.Second
	}
	if err := configureSilenceper(cfg.APIBaseURL, cfg.HTTPClient); err != nil {
		return nil, fmt.Errorf("new wechat bot: %w", err)
	}
	b := &Bot{
		cfg:    cfg,
		store:  store,
		log:    cfg.Log.With("channel", "wechat"),
		client: cfg.HTTPClient,
		aesKey: aesKey,
		work:   make(chan struct{}, cfg.Workers),
		oaCfg: offconfig.Config{
			AppID: cfg.AppID, AppSecret: cfg.AppSecret, Token: cfg.Token, EncodingAESKey: cfg.AESKey,
			// Required by silenceper, never used: every client gets a
			// token handle of ours (see account).
			Cache: noCache{},
		},
	}
	b.tokens = &AccessToken{
		appID: cfg.AppID, secret: cfg.AppSecret, store: store, now: cfg.Now,
		refreshBefore: tokenRefreshBefore, scrub: b.scrub,
	}
	return b, nil
}

// AccessToken is the bot's access-token handle.
func (b *Bot) AccessToken() *AccessToken { return b.tokens }

// account returns a silenceper client that uses token for its calls, so
// a call that WeChat refuses knows which token to drop.
func (b *Bot) account(token string) *officialaccount.OfficialAccount {
	cfg := b.oaCfg
	oa := officialaccount.NewOfficialAccount(&cfg)
	oa.SetAccessTokenHandle(pinnedToken(token))
	return oa
}

// intake is the bot receiving: callbacks run through the engine it was
// given. The bot is made without one, so that what the engine is built
// from (the staff desk, which replies to sellers through the bot) can be
// made first.
type intake struct {
	*Bot
	engine *conversations.Engine
}

// Handler is the callback endpoint, whose callbacks engine answers.
func (b *Bot) Handler(engine *conversations.Engine) http.Handler {
	return &intake{Bot: b, engine: engine}
}

// Run publishes the account menu and, with engine, takes up callbacks left
// unhandled, until ctx ends; then it waits for the callbacks being handled.
func (bot *Bot) Run(ctx context.Context, engine *conversations.Engine) error {
	b := &intake{Bot: bot, engine: engine}
	menuDone := b.publishMenu(ctx)
	tick := time.NewTicker(b.cfg.SweepEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			b.wg.Wait()
			return nil
		case <-tick.C:
		}
		if !menuDone {
			menuDone = b.publishMenu(ctx)
		}
		b.sweep(ctx)
	}
}

func (b *Bot) publishMenu(ctx context.Context) bool {
	if err := b.PublishMenu(ctx); err != nil {
		if ctx.Err() == nil {
			b.log.Warn("wechat: publish the account menu", "err", err)
		}
		return false
	}
	return true
}

// sweep handles callbacks received a while ago and still not handled,
// sends replies a while old and still not sent (their replica died, or
// their window was spent), and forgets callbacks handled a day ago and the
// signed pairs whose window passed.
func (b *intake) sweep(ctx context.Context) {
	now := b.cfg.Now()
	keys, err := b.store.UnhandledCallbacks(ctx, now.Add(-b.cfg.SweepEvery), 100)
	if err != nil {
		b.log.Error("wechat: list unhandled callbacks", "err", err)
	}
	for _, key := range keys {
		if !b.takeSlot(ctx) {
			return
		}
		b.goHandle(key)
	}
	openIDs, err := b.store.FollowersWithReplies(ctx, now.Add(-b.cfg.SweepEvery), now, 100)
	if err != nil {
		b.log.Error("wechat: list replies unsent", "err", err)
	}
	for _, openID := range openIDs {
		if !b.takeSlot(ctx) {
			return
		}
		b.goAnswer(openID)
	}
	if _, err := b.store.PruneCallbacks(ctx, now.Add(-24*time.Hour)); err != nil {
		b.log.Warn("wechat: prune callbacks", "err", err)
	}
	if _, err := b.store.PruneNonces(ctx, now); err != nil {
		b.log.Warn("wechat: prune nonces", "err", err)
	}
}

// --- process-wide silenceper settings ---

var globals struct {
	sync.Mutex
	set  bool
	base string
}

// SetAPIBaseURL points silenceper at base instead of WeChat, for the whole
// process, before any Bot exists (a test binary's TestMain). New does the
// same with Config.APIBaseURL; after the first, only the same base is
// accepted, since changing the global while requests run would race.
func SetAPIBaseURL(base string) error {
	return configureSilenceper(base, &http.Client{Timeout: 30 * time.Second})
}

func configureSilenceper(base string, client *http.Client) error {
	base = strings.TrimRight(base, "/")
	if base == "" {
		base = wechatAPI
	}
	globals.Lock()
	defer globals.Unlock()
	if globals.set {
		if base != globals.base {
			return fmt.Errorf("the WeChat API is at %s for this process already, and silenceper cannot use %s as well", globals.base, base)
		}
		return nil
	}
	if base != wechatAPI {
		util.SetURIModifier(func(uri string) string {
			if rest, ok := strings.CutPrefix(uri, wechatAPI); ok {
				return base + rest
			}
			return uri
		})
	}
	// Replace, never mutate: the default is http.DefaultClient, shared by
	// everything in the process, and it has no timeout.
	util.DefaultHTTPClient = client
	// silenceper's root package, if anything links it, turns the global
	// logrus to debug, and its server then logs every message in clear.
	if logrus.GetLevel() > logrus.WarnLevel {
		logrus.SetLevel(logrus.WarnLevel)
	}
	globals.set, globals.base = true, base
	return nil
}

// apiBase is where media downloads go: the same host silenceper calls.
func apiBase() string {
	globals.Lock()
	defer globals.Unlock()
	return globals.base
}

// noCache satisfies silenceper's mandatory cache; nothing is kept in it.
type noCache struct{}

var _ cache.Cache = noCache{}

func (noCache) Get(string) any                       { return nil }
func (noCache) Set(string, any, time.Duration) error { return nil }
func (noCache) IsExist(string) bool                  { return false }
func (noCache) Delete(string) error                  { return nil }
