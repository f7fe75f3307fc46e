// Command indigo runs the Indigo service: the chat channels, the WB polling,
// the web view and the database they share. It is the only package that
// imports the adapters; it wires them together and owns nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pglocal"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/resale"
	"github.com/indigo-warehouse/indigo/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "indigo:", err)
		os.Exit(1)
	}
}

const usage = `usage: indigo [serve | demo [--reset] | migrate | healthcheck | version]

  serve        run everything (the default)
  demo         run everything against built-in fake WB, Telegram and WeChat servers
  migrate      apply database migrations and exit
  healthcheck  exit 0 when the service on HTTP_ADDR is ready (/readyz), for container health checks
  version      print the version and exit

Configuration comes from environment variables; see README.md.`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "indigo", buildVersion())
		return nil
	case "demo":
		return runDemo(ctx, args[1:], getenv, stdout, stderr)
	case "serve", "migrate", "healthcheck":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return fmt.Errorf("bad configuration:\n%w", err)
	}
	m := NewMain(cfg, newLogger(stderr, cfg.LogLevel), Options{Console: stderr})
	defer m.Close()
	if cmd == "healthcheck" {
		return healthcheck(ctx, cfg, stdout) // health.go
	}
	if cmd == "migrate" {
		return m.OpenDatabase(ctx)
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	return nil
}

// Main is the running service: its fields are the wired parts, each set
// once by Run, in the order it builds them.
type Main struct {
	Config *Config
	Log    *slog.Logger
	opts   Options
	bundle *locales.Bundle // the messages, for what cmd/indigo shows itself (start.go)

	Postgres   *pglocal.Cluster // the embedded database, when DATABASE_URL is unset
	DB         *storage.DB
	HTTPServer *http.Server
	HTTPAddr   net.Addr     // where HTTPServer listens, once Run has started it
	Web        http.Handler // the seller's web view, mounted under /web/ and /login/

	// Guard runs every worker's inputs: a panic is recovered and counted,
	// and what keeps panicking is set aside with one alert to staff.
	Guard     *domain.Guard
	WB        *wb.Client // the one WB client: polls, prices, tariffs, resale
	Poller    *poll.Poller
	Resale    *resale.Loop // nil when resale on WB is off
	Engine    *conversations.Engine
	Telegram  *telegram.Bot
	WeChat    *wechat.Bot // nil when WeChat is off; its callback endpoint is mounted at /wechat
	Deliverer *conversations.Deliverer
	Cron      *cron.Cron

	// Metrics and Parts are what the service tells of itself (issue 22):
	// the Prometheus registry, and how each outside part answers.
	Metrics       *metrics
	Parts         *parts
	MetricsServer *http.Server // on METRICS_ADDR; nil when /metrics is on HTTP_ADDR
	MetricsAddr   net.Addr
	loops         []func() // the channels' and the staff relay's loops, started last
	jobsCtx       context.Context
	closeOnce     sync.Once
	closeErr      error
	stopJobs      context.CancelFunc
}

// Options are what a program that embeds the service changes about it:
// tests and `indigo demo`.
type Options struct {
	// Now is the clock of what depends on the time of day (quiet hours,
	// reminders, digests); default time.Now. Tests set a daytime one.
	Now func() time.Time
	// Clock is the time the platforms' limits are waited out on:
	// Telegram's pace and WB's per-token limits; nil is the wall clock.
	// Tests give it, and the fakes, one that jumps instead of sleeping
	// (tgtest.Clock), so waiting out a limit costs nothing.
	Clock telegram.Clock
	// Routes adds routes on HTTP_ADDR: `indigo demo`'s page.
	Routes func(mux *http.ServeMux)
	// BeforeStart runs once every part is built and before any loop runs:
	// `indigo demo` seeds its data there, so the outbox's sender finds the
	// seeded month complete instead of sending it as it is written.
	BeforeStart func(ctx context.Context) error
	// Console gets the readable start-up summary of a first run, with no
	// channel on (start.go); nil prints none.
	Console io.Writer
}

// NewMain returns a Main that will run with cfg.
func NewMain(cfg *Config, log *slog.Logger, opts Options) *Main {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Main{Config: cfg, Log: log, opts: opts}
}

// Run builds every part, then starts their loops, and returns once they
// run; Close stops them.
func (m *Main) Run(ctx context.Context) error {
	if err := m.OpenDatabase(ctx); err != nil {
		return err
	}
	m.logChannels()
	// Jobs and loops outlive Run's ctx (a start-up deadline) and stop with Close.
	m.jobsCtx, m.stopJobs = context.WithCancel(domain.NewContextWithActor(context.Background(), domain.System))
	if err := m.build(); err != nil {
		return err
	}
	if m.opts.BeforeStart != nil {
		if err := m.opts.BeforeStart(ctx); err != nil {
			return err
		}
	}
	return m.start()
}

// build wires every part from those before it; nothing runs yet. The
// channels come before the engine: the staff desk posts and replies
// through them, and the engine runs the desk's inputs; the channels get
// the engine only when they start receiving (Main.start). The engine hands
// out the web view's addresses (web.Links); the web view itself comes
// last, taking the engine and the desk.
func (m *Main) build() error {
	bundle, err := locales.New()
	if err != nil {
		return err
	}
	m.bundle = bundle
	m.newTelemetry() // telemetry.go: metrics and parts first, every hook feeds them
	m.Guard = &domain.Guard{Store: storage.NewPoisonService(m.DB), Log: m.Log}
	m.WB = m.newWB()
	marketplace := m.WB
	m.Poller = m.newPoller(marketplace)
	m.Resale = m.newResale(marketplace) // resale.go; nil when resale on WB is off
	senders := map[domain.Channel]conversations.Sender{}
	if err := m.buildChannels(bundle, senders); err != nil {
		return err
	}
	// The web view's addresses before the engine, which hands them out.
	deps := m.newDeps(bundle, marketplace, web.NewLinks(storage.NewWebSessionService(m.DB), m.Config.PublicURL, 0))
	var desk *conversations.StaffDesk
	if m.Telegram != nil {
		if desk, err = m.newStaffDesk(deps, senders); err != nil {
			return fmt.Errorf("staff chat: %w", err)
		}
	}
	if desk != nil { // a nil *StaffDesk in the interface would be called
		deps.Support, deps.Staff = desk, desk
	}
	m.Engine = conversations.NewEngine(deps)
	m.Deliverer = m.newDeliverer(senders, desk)
	m.watchLater(desk) // telemetry.go: the database's state, and staff alerts
	// The web view after the engine and the desk: its "Add store" runs the
	// chat's token check, its support page writes to the staff's topic.
	webView, err := m.newWeb(bundle, desk)
	if err != nil {
		return fmt.Errorf("web view: %w", err)
	}
	m.Web = webView.Handler()
	if m.Cron, err = m.newCron(); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return nil
}

// start starts the loops, once every part is wired: the cron jobs, the
// channels' intake and the staff relay, the outbox's sender, then HTTP.
func (m *Main) start() error {
	m.Cron.Start()
	for _, loop := range m.loops {
		go loop()
	}
	go m.deliverLoop(m.jobsCtx)
	if err := m.serveMetrics(); err != nil { // telemetry.go
		return err
	}
	if err := m.serveHTTP(); err != nil {
		return err
	}
	if !m.Config.anyChannel() && m.opts.Console != nil {
		m.writeStartSummary(m.opts.Console, m.bundle.For("en"))
	}
	return nil
}

// OpenDatabase connects to DATABASE_URL, or starts the embedded PostgreSQL,
// and applies the migrations.
func (m *Main) OpenDatabase(ctx context.Context) error {
	url := m.Config.DatabaseURL
	if url == "" {
		var err error
		if url, err = m.startEmbeddedPostgres(ctx); err != nil {
			return err
		}
	}
	key := m.Config.SecretKey
	if key == nil {
		var err error
		if key, err = loadOrCreateSecretKey(filepath.Join(m.Config.DataDir, "secret.key"), m.Log); err != nil {
			return err
		}
		m.Config.SecretKey = key // other secrets (the webhook's) derive from it
	}
	db, err := storage.OpenSized(ctx, url, key, poolSize())
	if err != nil {
		return err
	}
	m.DB = db
	if err := m.checkConnections(ctx); err != nil { // pool.go
		return err
	}
	return db.Migrate(ctx, m.Log)
}

func (m *Main) startEmbeddedPostgres(ctx context.Context) (string, error) {
	dir, err := filepath.Abs(filepath.Join(m.Config.DataDir, "pg"))
	if err != nil {
		return "", fmt.Errorf("resolve data dir: %w", err)
	}
	// As root from a checkout the postgres user cannot reach (under /root),
	// the cluster moves to pglocal.FallbackRoot; secret.key stays in DataDir.
	m.Postgres, err = pglocal.Start(ctx, pglocal.Options{DataDir: dir, Logger: m.Log, RootFallbackDir: pglocal.FallbackRoot})
	if err != nil {
		return "", fmt.Errorf("start embedded postgres (or set DATABASE_URL): %w", err)
	}
	if err := m.Postgres.CreateDatabase(ctx, "indigo"); err != nil {
		return "", err
	}
	return m.Postgres.URL("indigo"), nil
}

// logChannels says, once per channel, whether it runs and how to switch it on.
func (m *Main) logChannels() {
	if !m.Config.TelegramEnabled() {
		m.Log.Info("telegram channel off: set TELEGRAM_BOT_TOKEN to switch it on")
	}
	if !m.Config.WeChatEnabled() {
		m.Log.Info("wechat channel off: set WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN to switch it on")
	}
	if m.Config.WBAPIBaseURL != "" {
		m.Log.Info("wb api redirected", "base_url", m.Config.WBAPIBaseURL)
	}
}

func (m *Main) serveHTTP() error {
	ln, err := listen("HTTP_ADDR", m.Config.HTTPAddr)
	if err != nil {
		return err
	}
	m.HTTPAddr = ln.Addr()
	m.HTTPServer = m.newHTTPServer() // routes.go: the routes and every timeout
	go func() {
		if err := m.HTTPServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	m.Log.Info("http listening", "addr", m.HTTPAddr.String(), "public_url", m.Config.PublicURL)
	return nil
}

// Close stops every part, the database last.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	var errs []error
	if m.stopJobs != nil {
		m.stopJobs()
	}
	if m.Cron != nil {
		<-m.Cron.Stop().Done() // let a running round finish its writes
	}
	for _, srv := range []*http.Server{m.HTTPServer, m.MetricsServer} {
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			errs = append(errs, srv.Shutdown(ctx))
			cancel()
		}
	}
	if m.DB != nil {
		m.DB.Close()
	}
	if m.Postgres != nil {
		errs = append(errs, m.Postgres.Stop())
	}
	return errors.Join(errs...)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // LoadConfig has validated it
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return "dev-" + s.Value
			}
		}
	}
	return version
}
