package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pglocal"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// `indigo demo` runs the real service against the fake Telegram, WeChat
// and WB servers in one process, seeds a demo seller with a month of returns and
// serves /demo: a page that shows the chats as Telegram would and drives
// them through the fake, so the bot cannot tell it from Telegram.

const (
	demoSellerTG   = int64(700001) // Li Wei, the seeded seller
	demoNewcomerTG = int64(700002) // Anna Chen, who has not met the bot yet
	demoStaffTG    = int64(900001) // Olga, support staff
	demoStaffGroup = int64(-1001000000777)
	demoDBName     = "indigo_demo"
)

// demoOptions configure one demo run.
type demoOptions struct {
	DataDir     string        // the demo's own directory (PostgreSQL lives in DataDir/pg)
	HTTPAddr    string        // host:port; port 0 picks a free one
	Reset       bool          // delete DataDir first
	ReturnEvery time.Duration // how often a new return arrives at WB; 0 means never
	LogLevel    string
	Stdout      io.Writer
	Stderr      io.Writer

	// For tests: DatabaseURL is a database to use instead of a cluster in
	// DataDir; Clock paces the fake Telegram and the service (nil: the
	// wall clock); WeChat is the fake platform to host the account on (nil:
	// one of the demo's own), since the WeChat client's URL rewrite is
	// process-wide and a test binary shares one fake.
	DatabaseURL string
	Clock       telegram.Clock
	WeChat      *wxfake.Server
}

// demo is a running demo: the fakes, the service and the seeded data.
type demo struct {
	opts   demoOptions
	m      *Main
	pg     *pglocal.Cluster
	tg     *tgfake.Server
	wb     *wbfake.Server
	log    *slog.Logger
	seller *domain.Seller
	// stores are the demo seller's WB accounts: sid and token.
	stores        []demoStore
	newcomerToken string // a WB token the newcomer can paste during onboarding
	seeded        bool   // this run seeded the data (else it restored the last run's)
	wx            *demoWeChat

	mu  sync.Mutex // guards rng, shk and pressed
	rng *mrand.Rand
	shk int64
	// pressed maps the callback query of each press made on the page to
	// its panel, so the page shows Telegram's answer where it was pressed.
	pressed map[string]string
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

type demoStore struct {
	name, sid, token string
}

// mount adds the demo's routes to the service's.
func (d *demo) mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /demo", d.handlePage)
	mux.HandleFunc("GET /demo/{$}", d.handlePage)
	mux.HandleFunc("GET /demo/api/state", d.handleState)
	mux.HandleFunc("POST /demo/api/send", d.handleSend)
	mux.HandleFunc("POST /demo/api/press", d.handlePress)
	mux.HandleFunc("POST /demo/api/photo", d.handlePhoto)
	mux.HandleFunc("POST /demo/api/staff", d.handleStaff)
	mux.HandleFunc("POST /demo/api/weblink", d.handleWebLink)
	mux.HandleFunc("GET /demo/file/{id}", d.handleFile)
	mux.HandleFunc("GET /demo/img/{name}", d.handleProductImage)
	d.wx.mount(mux)
}

// runDemo is `indigo demo [--reset]`.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reset := fs.Bool("reset", false, "delete the demo's data and start from scratch")
	every := fs.Duration("every", 3*time.Minute, "how often a new return arrives (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	d, err := startDemo(ctx, demoOptions{
		DataDir:     filepath.Join(env("INDIGO_DATA_DIR", "./.indigo"), "demo"),
		HTTPAddr:    env("HTTP_ADDR", "127.0.0.1:8080"),
		Reset:       *reset,
		ReturnEvery: *every,
		LogLevel:    env("LOG_LEVEL", "warn"),
		Stdout:      stdout,
		Stderr:      stderr,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	defer d.Close()
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping the demo")
	return nil
}

// startDemo starts the fakes, the database and the service, seeds the demo
// data and prints the URLs.
func startDemo(ctx context.Context, o demoOptions) (_ *demo, err error) {
	o = o.withDefaults()
	dir, addr, err := o.prepare()
	if err != nil {
		return nil, err
	}
	// WB's item ids (shk) and Telegram's ids go on from where the last
	// run's stopped: the database keeps them, the fakes start anew.
	d := &demo{opts: o, rng: mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7)), shk: 51_000_000 + demoEpoch()*100,
		pressed: map[string]string{}}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	var l slog.Level
	_ = l.UnmarshalText([]byte(o.LogLevel))
	d.log = slog.New(slog.NewTextHandler(o.Stderr, &slog.HandlerOptions{Level: l}))
	d.startFakes()
	// The data is seeded, or restored from the last run, before the
	// service's loops start (demo_restore.go).
	if err := d.startService(ctx, dir, addr); err != nil {
		return nil, err
	}
	if err := d.printURLs(ctx, dir); err != nil {
		return nil, err
	}
	if o.ReturnEvery > 0 {
		fmt.Fprintf(o.Stdout, "The demo seller's returns are in; a new one arrives at WB every %v (the poll finds it within minutes).\n", o.ReturnEvery)
	} else {
		fmt.Fprintln(o.Stdout, "The demo seller's returns are in.")
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	if d.seeded {
		d.wg.Add(1)
		go d.askSupport(loopCtx) // demo_seed.go
	}
	if o.ReturnEvery > 0 {
		d.wg.Add(2)
		go d.arrivals(loopCtx, o.ReturnEvery)
		go d.buyers(loopCtx, o.ReturnEvery) // demo_resale.go
	}
	return d, nil
}

func (o demoOptions) withDefaults() demoOptions {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	return o
}

// prepare makes the demo's directory (emptied first on Reset) and picks
// its address.
func (o demoOptions) prepare() (dir, addr string, err error) {
	if dir, err = filepath.Abs(o.DataDir); err != nil {
		return "", "", err
	}
	if o.Reset {
		if err := os.RemoveAll(dir); err != nil {
			return "", "", fmt.Errorf("reset the demo: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	addr, err = demoResolvePort(o.HTTPAddr)
	return dir, addr, err
}

// startFakes starts the fake Telegram, with the staff group and the demo's
// people, and the fake WB, both on the demo's clock.
func (d *demo) startFakes() {
	now := time.Now
	if d.opts.Clock != nil {
		now = d.opts.Clock.Now
	}
	d.tg = tgfake.New(tgfake.Options{Now: now, FirstID: int(demoEpoch()) * 10})
	d.wb = wbfake.New()
	d.wb.SetClock(now)
	d.wb.SetLimits(false)
	d.tg.AddGroup(demoStaffGroup, "Indigo staff", true)
	d.tg.AddUser(tgfake.User{ID: demoStaffTG, FirstName: "Olga", LastName: "Support", LanguageCode: "en"})
	d.tg.AddUser(tgfake.User{ID: demoSellerTG, FirstName: "Li", LastName: "Wei", LanguageCode: "en"})
	d.tg.AddUser(tgfake.User{ID: demoNewcomerTG, FirstName: "Anna", LastName: "Chen", LanguageCode: "en"})
}

// startService runs the real service against the fakes, with its routes
// and the demo's page on addr.
func (d *demo) startService(ctx context.Context, dir, addr string) error {
	dbURL, err := d.database(ctx, dir)
	if err != nil {
		return err
	}
	// The key stays with the data: the stores' tokens are encrypted under it.
	key, err := loadOrCreateSecretKey(filepath.Join(dir, "secret.key"), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	settings := map[string]string{
		"DATABASE_URL":             dbURL,
		"INDIGO_SECRET_KEY":        base64.StdEncoding.EncodeToString(key),
		"INDIGO_DATA_DIR":          dir,
		"HTTP_ADDR":                addr,
		"LOG_LEVEL":                d.opts.LogLevel,
		"TELEGRAM_BOT_TOKEN":       d.tg.Token(),
		"TELEGRAM_API_ENDPOINT":    d.tg.URL() + "/bot%s/%s",
		"TELEGRAM_SUPPORT_CHAT_ID": strconv.FormatInt(demoStaffGroup, 10),
		"WB_API_BASE_URL":          d.wb.URL,
		"POLL_SCHEDULE":            "@every 20s",
	}
	withDemoFBS(settings) // demo_resale.go
	d.wx = startDemoWeChat(d.opts.WeChat, settings)
	cfg, err := LoadConfig(func(k string) string { return settings[k] })
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	d.m = NewMain(cfg, newLogger(d.opts.Stderr, cfg.LogLevel), Options{Clock: d.opts.Clock, Routes: d.mount, BeforeStart: d.populate})
	if err := d.m.Run(ctx); err != nil {
		return err
	}
	d.wx.connect(d.m.Config.PublicURL, d.m.DB)
	return nil
}

// printURLs tells the person who started the demo where to look.
func (d *demo) printURLs(ctx context.Context, dir string) error {
	link, err := d.webLink(ctx)
	if err != nil {
		return err
	}
	base := d.m.Config.PublicURL
	fmt.Fprintf(d.opts.Stdout, `Indigo demo is running: the real service against built-in fake Telegram, WeChat and WB servers.
  Demo page:  %s/demo
  Web view:   %s   (one-time sign-in link for the demo seller; the demo page makes more)
  Health:     %s/healthz and %s/readyz; metrics: %s/metrics
Data in %s. Press Ctrl+C to stop; "indigo demo --reset" starts from scratch.
`, base, link, base, base, base, dir)
	return nil
}

// Close stops the service, the fakes and the database, which keeps the
// demo's data for the next run.
func (d *demo) Close() {
	if d.stop != nil {
		d.stop()
	}
	d.wg.Wait()
	if d.m != nil {
		if err := d.m.Close(); err != nil {
			d.log.Warn("demo: close the service", "err", err)
		}
	}
	if d.tg != nil {
		d.tg.Close()
	}
	if d.wb != nil {
		d.wb.Close()
	}
	d.wx.close()
	if d.pg != nil {
		if err := d.pg.Stop(); err != nil {
			d.log.Warn("demo: stop postgres", "err", err)
		}
	}
}

// database is the demo's database: o.DatabaseURL, or the one in a
// cluster of its own in dir, kept from the last run unless --reset
// emptied dir (demo_restore.go brings the fakes up to it).
func (d *demo) database(ctx context.Context, dir string) (string, error) {
	if d.opts.DatabaseURL != "" {
		return d.opts.DatabaseURL, nil
	}
	var err error
	d.pg, err = pglocal.Start(ctx, pglocal.Options{DataDir: filepath.Join(dir, "pg"), Logger: d.log, RootFallbackDir: pglocal.FallbackRoot})
	if err != nil {
		return "", fmt.Errorf("start embedded postgres: %w", err)
	}
	if d.opts.Reset {
		// The cluster may live outside dir (pglocal.FallbackRoot), which
		// --reset emptied: its database goes explicitly.
		if err := d.dropDatabase(ctx); err != nil {
			return "", err
		}
	}
	if err := d.pg.CreateDatabase(ctx, demoDBName); err != nil {
		return "", err
	}
	return d.pg.URL(demoDBName), nil
}

func (d *demo) dropDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, d.pg.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to the demo cluster: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+demoDBName+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop the old demo database: %w", err)
	}
	return nil
}

// demoResolvePort replaces port 0 with a free port, so the public URL in
// sign-in links is one a browser can reach.
func demoResolvePort(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("HTTP_ADDR: %w", err)
	}
	if port != "0" {
		return addr, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
