package wechat_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// panicMenus is the channel's store with a bug: while armed, reading a
// follower's numbered menu (a typed number) panics.
type panicMenus struct {
	*storage.WeChatService
	armed  atomic.Bool
	panics atomic.Int32
}

func (s *panicMenus) Menu(ctx context.Context, openID string) ([]string, error) {
	if s.armed.Load() {
		s.panics.Add(1)
		panic("menu: slice bounds out of range")
	}
	return s.WeChatService.Menu(ctx, openID)
}

// newGuardedHarness is newHarness with the bot on panicMenus and under
// the production guard.
func newGuardedHarness(t *testing.T) (*harness, *panicMenus) {
	t.Helper()
	h := &harness{t: t, logs: &logBuffer{}, acct: fake.NewAccount(wxfake.AccountOptions{})}
	t.Cleanup(func() {
		if testing.Verbose() {
			t.Log(h.logs.String())
		}
	})
	h.wb = wbfake.New()
	t.Cleanup(h.wb.Close)
	h.db = pgtest.New(t)
	h.store = storage.NewWeChatService(h.db)
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.engine = conversations.NewEngine(convtest.Deps(h.db, h.wb.URL, bundle, log))
	store := &panicMenus{WeChatService: h.store}
	bot, err := wechat.New(wechat.Config{
		AppID: h.acct.AppID, AppSecret: h.acct.AppSecret, Token: h.acct.Token, APIBaseURL: fake.URL(),
		Log: log, SweepEvery: 50 * time.Millisecond,
		Guard:   &domain.Guard{Store: storage.NewPoisonService(h.db), Log: log},
		Locales: bundle, Sellers: storage.NewSellerService(h.db),
	}, store)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx, h.engine) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	h.bot = bot
	srv := httptest.NewServer(routes(bot.Handler(h.engine)))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/wechat"
	h.acct.SetCallbackURL(h.url)
	return h, store
}

// TestCallbackPanicSetAside: a callback that panics is acknowledged, taken
// up again by the sweep, and set aside at the third panic: the follower
// hears so, staff are queued one alert, and the next message is handled.
func TestCallbackPanicSetAside(t *testing.T) {
	t.Parallel()
	h, store := newGuardedHarness(t)
	u := h.user("o-poison-1", "zh")

	store.armed.Store(true)
	u.Send("1")
	u.Expect(u.L.T("error.input.set_aside"))
	store.armed.Store(false) // the bug is fixed
	u.Send("/help")
	u.Expect(head(u.L.T("flow.help")))

	// The sweep and the callback's own worker may take it up at the same
	// moment, each seeing one panic fewer than the limit: one attempt more
	// is harmless (the callback is set aside once, staff told once).
	if n := store.panics.Load(); n < domain.PoisonLimit || n > domain.PoisonLimit+1 {
		t.Errorf("the callback panicked %d times, want %d (or one more, raced)", n, domain.PoisonLimit)
	}
	left, err := h.store.UnhandledCallbacks(h.ctx(), time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("callbacks still to handle: %v", left)
	}
	alerts, err := storage.NewPoisonService(h.db).ClaimPoisonAlerts(h.ctx(), time.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Worker != domain.WorkerWeChatCallback || alerts[0].Attempts < domain.PoisonLimit {
		t.Fatalf("alerts queued = %+v, want the one callback", alerts)
	}
}
