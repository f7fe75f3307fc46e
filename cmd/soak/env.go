package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/cmd/internal/indigoproc"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pglocal"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

const (
	database = "indigo"
	// firstUserID is the first seller's Telegram user id; seller i is
	// firstUserID+i, so a chat id names its seller.
	firstUserID = 700_000_000
	// connsPerReplica is what the server keeps for each replica: its pool
	// (cmd/indigo/pool.go, 34 connections; each replica checks at start
	// that the server has room) twice over, as a killed replica's backends
	// linger until the server notices.
	connsPerReplica = 80
	webhookPath     = "/telegram"
	wechatPath      = "/wechat"
	// staffGroupID is the staff group, a forum: a topic per seller.
	staffGroupID = -1_000_000_000_777
	staffUserID  = 600_000_001
)

// env is everything one soak runs on: the database, the fakes, the proxy
// in front of the replicas, and the replicas.
type env struct {
	opts     options
	out      io.Writer // progress lines
	dir      string
	bin      string
	pg       *pglocal.Cluster
	db       *storage.DB // the soak's own connection: seeding and counting rows
	tg       *tgfake.Server
	wb       *wbfake.Server
	wx       *wxfake.Server
	wxAcct   *wxfake.Account
	proxy    *proxy
	proxySrv *http.Server
	fronts   []*front // one per replica slot
	replicas []*replica
	sellers  []seller // Telegram; the first -support-sellers also write to support
	wxUsers  []seller // WeChat; userID unused
	killed   int
	cutSends int // kills that landed inside a send
	trafficState
}

// seller is one seeded seller and the chat the soak expects things in.
type seller struct {
	id      int64
	userID  int64
	openID  string // WeChat sellers only
	storeID int64
}

// startEnv brings everything up, the replicas last, each healthy.
func startEnv(ctx context.Context, o options, dir, bin string, out io.Writer) (_ *env, err error) {
	e := &env{opts: o, out: out, dir: dir, bin: bin}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make secret key: %w", err)
	}
	secret := base64.StdEncoding.EncodeToString(key)
	if e.pg, err = pglocal.Start(ctx, pglocal.Options{DataDir: filepath.Join(dir, "pg"), Ephemeral: true,
		MaxConnections: o.replicas*connsPerReplica + 20}); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := e.pg.CreateDatabase(ctx, database); err != nil {
		return nil, err
	}
	dbURL := e.pg.URL(database)
	if err := e.migrate(ctx, dbURL, secret); err != nil {
		return nil, err
	}
	if e.db, err = storage.OpenSized(ctx, dbURL, key, 4); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	e.tg = tgfake.New(tgfake.Options{}) // Telegram's rate limits on: a 429 is a failure
	e.tg.AddGroup(staffGroupID, "Soak staff", true)
	e.tg.AddUser(tgfake.User{ID: staffUserID, FirstName: "Staff", LanguageCode: "en"})
	e.wb = wbfake.New()
	e.wx = wxfake.New() // the followers' windows on: a message outside one is refused
	e.wxAcct = e.wx.NewAccount(wxfake.AccountOptions{})
	if err := e.seed(ctx); err != nil {
		return nil, err
	}
	if err := e.startProxy(); err != nil {
		return nil, err
	}
	e.wxAcct.SetCallbackURL(e.proxy.url + wechatPath)
	renv := e.replicaEnv(dbURL, secret)
	for i := range o.replicas {
		f, err := startFront(e.tg.URL(), e.wx.URL())
		if err != nil {
			return nil, err
		}
		e.fronts = append(e.fronts, f)
		env := append(renv[:len(renv):len(renv)], "TELEGRAM_API_ENDPOINT="+f.telegramEndpoint(), "WECHAT_API_BASE_URL="+f.wechatBase())
		r := &replica{n: i + 1, bin: bin, env: env, logPath: filepath.Join(dir, fmt.Sprintf("replica-%d.log", i+1))}
		e.replicas = append(e.replicas, r)
		if err := e.restart(ctx, r); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "soak: postgres on port %d, %d replicas healthy, intake by %s\n", e.pg.Port(), o.replicas, e.intake())
	return e, nil
}

func (e *env) intake() string {
	if e.webhook() {
		return "Telegram by webhook and WeChat callbacks through a round-robin proxy"
	}
	return "Telegram by long polling, WeChat callbacks through a proxy"
}

// webhook: with more than one replica, Telegram's one update consumer is
// a webhook behind the proxy; one replica takes updates by long polling,
// Telegram's default.
func (e *env) webhook() bool { return e.opts.replicas > 1 }

// migrate runs `indigo migrate` once, as a deployment would before
// starting its replicas.
func (e *env) migrate(ctx context.Context, dbURL, secret string) error {
	cmd := exec.CommandContext(ctx, e.bin, "migrate")
	cmd.Env = append(baseEnv(), "DATABASE_URL="+dbURL, "INDIGO_SECRET_KEY="+secret, "LOG_LEVEL=warn",
		"INDIGO_DATA_DIR="+filepath.Join(e.dir, "migrate"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("indigo migrate: %w\n%s", err, out)
	}
	return nil
}

// seed creates the sellers, each with a chat identity (Telegram, or
// WeChat for the -wechat-sellers), a WB store with a token the fake
// issued, and no quiet hours (pushes would wait for 08:00).
func (e *env) seed(ctx context.Context) error {
	for i := range e.opts.sellers {
		uid := int64(firstUserID + i)
		e.tg.AddUser(tgfake.User{ID: uid, FirstName: "Seller" + strconv.Itoa(i), LanguageCode: "en"})
		s, err := e.seedSeller(ctx, i, domain.Identity{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(uid, 10)})
		if err != nil {
			return err
		}
		s.userID = uid
		e.sellers = append(e.sellers, s)
	}
	for i := range e.opts.wxSellers {
		openID := fmt.Sprintf("soak-wx-%04d", i)
		e.wxAcct.User(openID) // follows the account
		s, err := e.seedSeller(ctx, e.opts.sellers+i, domain.Identity{Channel: domain.ChannelWeChat, ExternalID: openID})
		if err != nil {
			return err
		}
		s.openID = openID
		e.wxUsers = append(e.wxUsers, s)
	}
	return nil
}

func (e *env) seedSeller(ctx context.Context, i int, id domain.Identity) (seller, error) {
	sys := domain.NewContextWithActor(ctx, domain.System)
	// Quiet hours off (the column's default is on): pushes would wait for 08:00 UTC.
	s := &domain.Seller{Name: "Soak seller " + strconv.Itoa(i), Language: domain.LangEnglish, TimeZone: "UTC", QuietHours: false,
		Identities: []domain.Identity{id}}
	if err := storage.NewSellerService(e.db).CreateSeller(sys, s); err != nil {
		return seller{}, fmt.Errorf("seed seller %d: %w", i, err)
	}
	sid := fmt.Sprintf("soak-%04d", i)
	st := &domain.Store{SellerID: s.ID, Name: "Store " + sid, SupplierID: sid,
		Token: e.wb.IssueToken(wbfake.TokenOptions{SellerID: sid})}
	if err := storage.NewStoreService(e.db).CreateStore(sys, st); err != nil {
		return seller{}, fmt.Errorf("seed store of seller %d: %w", i, err)
	}
	return seller{id: s.ID, storeID: st.ID}, nil
}

// replicaEnv is every replica's environment but its HTTP_ADDR, data dir
// and the front it reaches the fakes' APIs through.
func (e *env) replicaEnv(dbURL, secret string) []string {
	env := append(baseEnv(),
		"DATABASE_URL="+dbURL,
		"INDIGO_SECRET_KEY="+secret,
		"LOG_LEVEL=info",
		"OUTBOX_LEASE="+e.opts.lease.String(),
		"TELEGRAM_BOT_TOKEN="+e.tg.Token(),
		"TELEGRAM_SUPPORT_CHAT_ID="+strconv.FormatInt(staffGroupID, 10),
		"WECHAT_APP_ID="+e.wxAcct.AppID,
		"WECHAT_APP_SECRET="+e.wxAcct.AppSecret,
		"WECHAT_TOKEN="+e.wxAcct.Token,
		"WB_API_BASE_URL="+e.wb.URL,
		// Polling would add WB traffic and pushes of its own: once a day.
		"POLL_SCHEDULE=@every 24h",
	)
	if e.webhook() {
		env = append(env, "TELEGRAM_WEBHOOK_URL="+e.proxy.url+webhookPath)
	}
	return env
}

// baseEnv is this process's environment without anything that would send
// indigo elsewhere than the soak's database and fakes.
func baseEnv() []string { return indigoproc.CleanEnv("POLL_SCHEDULE") }

// restart starts replica r (again) and puts it behind the proxy once
// /healthz answers.
func (e *env) restart(ctx context.Context, r *replica) error {
	addr, err := r.start(ctx, filepath.Join(e.dir, fmt.Sprintf("data-%d", r.n)), e.opts.healthz)
	if err != nil {
		return fmt.Errorf("replica %d: %w", r.n, err)
	}
	e.proxy.setLive(r.n, addr)
	return nil
}

// kill SIGKILLs replica r, taking it out of the proxy first so that the
// proxy's 502s come only from requests the kill cut, and counts whether
// it landed inside a send.
func (e *env) kill(r *replica) {
	e.proxy.setDead(r.n)
	at := time.Now()
	r.kill()
	e.killed++
	if e.fronts[r.n-1].cutSend(at) {
		e.cutSends++
	}
}

// close stops everything, the replicas first so that none writes to a
// stopped database.
func (e *env) close() {
	for _, r := range e.replicas {
		if e.proxy != nil {
			e.proxy.setDead(r.n)
		}
		if err := r.terminate(); err != nil {
			fmt.Fprintf(os.Stderr, "soak: stop replica %d: %v\n", r.n, err)
		}
	}
	if e.proxySrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = e.proxySrv.Shutdown(ctx)
		cancel()
	}
	if e.tg != nil {
		e.tg.Close()
	}
	if e.wb != nil {
		e.wb.Close()
	}
	if e.wx != nil {
		e.wx.Close()
	}
	for _, f := range e.fronts {
		f.close()
	}
	if e.db != nil {
		e.db.Close()
	}
	if e.pg != nil {
		if err := e.pg.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "soak: stop postgres: %v\n", err)
		}
	}
}
