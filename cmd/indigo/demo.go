package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
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

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pglocal"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// `indigo demo` runs the real service against the fake WB and Telegram
// servers in one process, seeds a demo seller with a month of returns and
// serves /demo: a page that shows the chats as Telegram would and drives
// them through the fake, so the bot cannot tell it from Telegram.

//go:embed demo/index.html
var demoPage []byte

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
	wx            *demoWeChat

	mu   sync.Mutex // guards rng and shk
	rng  *mrand.Rand
	shk  int64
	stop context.CancelFunc
	wg   sync.WaitGroup
}

type demoStore struct {
	name, sid, token string
}

// demos maps a *Main to the *demo serving /demo on its HTTP server.
var demos sync.Map

// mountDemo adds the demo's routes when m runs as `indigo demo`.
func (m *Main) mountDemo(mux *http.ServeMux) {
	v, ok := demos.Load(m)
	if !ok {
		return
	}
	d := v.(*demo)
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
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, err
	}
	if o.Reset {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("reset the demo: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := demoResolvePort(o.HTTPAddr)
	if err != nil {
		return nil, err
	}
	d := &demo{opts: o, rng: mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7)), shk: 51_000_000}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	var l slog.Level
	_ = l.UnmarshalText([]byte(o.LogLevel))
	d.log = slog.New(slog.NewTextHandler(o.Stderr, &slog.HandlerOptions{Level: l}))

	d.tg = tgfake.New(tgfake.Options{})
	d.wb = wbfake.New()
	d.wb.SetLimits(false)
	d.tg.AddGroup(demoStaffGroup, "Indigo staff", true)
	d.tg.AddUser(tgfake.User{ID: demoStaffTG, FirstName: "Olga", LastName: "Support", LanguageCode: "en"})
	d.tg.AddUser(tgfake.User{ID: demoSellerTG, FirstName: "Li", LastName: "Wei", LanguageCode: "en"})
	d.tg.AddUser(tgfake.User{ID: demoNewcomerTG, FirstName: "Anna", LastName: "Chen", LanguageCode: "en"})

	// A database of its own, new for every run: the fakes forget everything
	// when the process ends, so old data would point at nothing.
	d.pg, err = pglocal.Start(ctx, pglocal.Options{DataDir: filepath.Join(dir, "pg"), Logger: d.log, RootFallbackDir: pglocal.FallbackRoot})
	if err != nil {
		return nil, fmt.Errorf("start embedded postgres: %w", err)
	}
	if err := d.dropDatabase(ctx); err != nil {
		return nil, err
	}
	if err := d.pg.CreateDatabase(ctx, demoDBName); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	settings := map[string]string{
		"DATABASE_URL":             d.pg.URL(demoDBName),
		"INDIGO_SECRET_KEY":        base64.StdEncoding.EncodeToString(key),
		"INDIGO_DATA_DIR":          dir,
		"HTTP_ADDR":                addr,
		"LOG_LEVEL":                o.LogLevel,
		"TELEGRAM_BOT_TOKEN":       d.tg.Token(),
		"TELEGRAM_API_ENDPOINT":    d.tg.URL() + "/bot%s/%s",
		"TELEGRAM_SUPPORT_CHAT_ID": strconv.FormatInt(demoStaffGroup, 10),
		"WB_API_BASE_URL":          d.wb.URL,
		"POLL_SCHEDULE":            "@every 20s",
	}
	d.wx = startDemoWeChat(settings)
	cfg, err := LoadConfig(func(k string) string { return settings[k] })
	if err != nil {
		return nil, fmt.Errorf("demo configuration: %w", err)
	}
	d.m = NewMain(cfg, newLogger(o.Stderr, cfg.LogLevel))
	demos.Store(d.m, d)
	if err := d.m.Run(ctx); err != nil {
		return nil, err
	}
	d.wx.connect(d.m.Config.PublicURL)
	if err := d.seed(ctx); err != nil {
		return nil, fmt.Errorf("seed the demo: %w", err)
	}
	link, err := d.webLink(ctx)
	if err != nil {
		return nil, err
	}
	base := d.m.Config.PublicURL
	fmt.Fprintf(o.Stdout, `Indigo demo is running: the real service against fake WB and Telegram servers.
  Demo page:  %s/demo
  Web view:   %s   (one-time sign-in link for the demo seller; the demo page makes more)
  Health:     %s/healthz
Data in %s. Press Ctrl+C to stop; "indigo demo --reset" starts from scratch.
`, base, link, base, dir)

	if err := d.seedReturns(ctx); err != nil {
		return nil, fmt.Errorf("seed the demo's returns: %w", err)
	}
	if o.ReturnEvery > 0 {
		fmt.Fprintf(o.Stdout, "The demo seller's returns are in; a new one arrives at WB every %v (the poll finds it within minutes).\n", o.ReturnEvery)
	} else {
		fmt.Fprintln(o.Stdout, "The demo seller's returns are in.")
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	if o.ReturnEvery > 0 {
		d.wg.Add(1)
		go d.arrivals(loopCtx, o.ReturnEvery)
	}
	return d, nil
}

// Close stops the service, the fakes and the database, and drops the
// demo's database.
func (d *demo) Close() {
	if d.stop != nil {
		d.stop()
	}
	d.wg.Wait()
	if d.m != nil {
		if err := d.m.Close(); err != nil {
			d.log.Warn("demo: close the service", "err", err)
		}
		demos.Delete(d.m)
	}
	if d.tg != nil {
		d.tg.Close()
	}
	if d.wb != nil {
		d.wb.Close()
	}
	d.wx.close()
	if d.pg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := d.dropDatabase(ctx); err != nil {
			d.log.Warn("demo: drop the database", "err", err)
		}
		cancel()
		if err := d.pg.Stop(); err != nil {
			d.log.Warn("demo: stop postgres", "err", err)
		}
	}
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

// ---- seeding ----

type demoProduct struct {
	nmID              int64
	title, vendorCode string
	subject, brand    string
	size              string
	priceRUB          int64 // roubles
	hue               uint8
}

var demoProducts = []demoProduct{
	{nmID: 183402117, title: "Women's down jacket, long, hooded", vendorCode: "DJ-2417-BLK", subject: "Куртки", brand: "Northwind", size: "M", priceRUB: 8990, hue: 10},
	{nmID: 183402245, title: "Wool blend scarf, checked", vendorCode: "SC-0112-RED", subject: "Шарфы", brand: "Northwind", size: "ONE", priceRUB: 1490, hue: 200},
	{nmID: 201558703, title: "Wireless earbuds with charging case", vendorCode: "EB-77-WHT", subject: "Наушники", brand: "Soundlane", size: "0", priceRUB: 2790, hue: 120},
	{nmID: 201558911, title: "Smart fitness band, AMOLED", vendorCode: "FB-5-BLK", subject: "Фитнес-браслеты", brand: "Soundlane", size: "0", priceRUB: 3290, hue: 60},
	{nmID: 175320044, title: "Children's winter boots, waterproof", vendorCode: "KB-3021-BLU", subject: "Ботинки", brand: "Little Fox", size: "31", priceRUB: 4590, hue: 170},
	{nmID: 175320187, title: "Running sneakers, mesh", vendorCode: "RS-880-GRY", subject: "Кроссовки", brand: "Stride", size: "42", priceRUB: 5690, hue: 90},
	{nmID: 168904512, title: "Silk pillowcase 50x70", vendorCode: "PC-5070-PNK", subject: "Наволочки", brand: "Dream House", size: "50x70", priceRUB: 1990, hue: 230},
	{nmID: 168904638, title: "Ceramic non-stick frying pan 28 cm", vendorCode: "FP-28-CER", subject: "Сковороды", brand: "Kitchen Pro", size: "28", priceRUB: 2390, hue: 30},
	{nmID: 192776301, title: "LED desk lamp with wireless charger", vendorCode: "DL-10W-WHT", subject: "Настольные лампы", brand: "Lumo", size: "0", priceRUB: 3490, hue: 150},
	{nmID: 192776488, title: "Men's cotton hoodie, oversize", vendorCode: "HD-330-OLV", subject: "Худи", brand: "Stride", size: "L", priceRUB: 2890, hue: 75},
	{nmID: 159021377, title: "Leather phone case for iPhone 15", vendorCode: "PC-I15-BRN", subject: "Чехлы для телефонов", brand: "Casecraft", size: "0", priceRUB: 990, hue: 20},
	{nmID: 159021420, title: "Yoga mat 6 mm, non-slip", vendorCode: "YM-6-PRP", subject: "Коврики для йоги", brand: "Zen Line", size: "183x61", priceRUB: 1790, hue: 250},
}

var demoPickupPoints = []struct {
	id      int64
	address string
}{
	{10231, "Москва, ул. Тверская, д. 12"},
	{10457, "Москва, Ленинский пр-т, д. 45"},
	{20019, "Санкт-Петербург, Невский пр-т, д. 88"},
	{30112, "Казань, ул. Баумана, д. 7"},
}

func demoBarcode(p demoProduct) string { return fmt.Sprintf("20%011d", p.nmID%100_000_000_000) }

func (d *demo) productByNm(nm int64) (demoProduct, bool) {
	for _, p := range demoProducts {
		if p.nmID == nm {
			return p, true
		}
	}
	return demoProduct{}, false
}

func (d *demo) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}

// addWBReturn puts one goods-return row at WB for a store; ready puts it at
// a pickup point.
func (d *demo) addWBReturn(sid string, p demoProduct, ordered time.Time, ready bool) int64 {
	d.mu.Lock()
	d.shk += int64(1 + d.rng.IntN(900))
	shk := d.shk
	defective := d.rng.IntN(4) == 0
	d.mu.Unlock()
	kind := "Возврат неполучения"
	reason := "Не подошёл размер"
	if defective {
		kind, reason = "Возврат брака", "Брак: повреждение товара"
	}
	row := wbfake.ReturnRow{
		Barcode: demoBarcode(p), Brand: p.brand, NmID: p.nmID, ShkID: shk,
		OrderDt: ordered.Format(time.DateOnly), OrderID: shk * 3, Reason: reason, ReturnType: kind,
		Srid: fmt.Sprintf("demo.%d.%d", p.nmID, shk), Status: wbfake.ReturnInTransit,
		StickerID: strconv.FormatInt(shk*7, 10), SubjectName: p.subject, TechSize: p.size, IsStatusActive: 1,
	}
	d.wb.AddReturn(sid, row)
	d.addOrder(sid, p, shk, row.Srid, ordered) // demo_prices.go
	if ready {
		pp := demoPickupPoints[int(shk)%len(demoPickupPoints)]
		d.wb.MoveToPickupPoint(sid, shk, pp.id, pp.address)
	}
	return shk
}

func (d *demo) addCards(sid string) {
	for _, p := range demoProducts {
		img := d.m.Config.PublicURL + "/demo/img/" + strconv.FormatInt(p.nmID, 10) + ".png"
		d.wb.AddCard(sid, wbfake.Card{
			NmID: p.nmID, ImtID: p.nmID / 10, SubjectName: p.subject, VendorCode: p.vendorCode, Brand: p.brand, Title: p.title,
			Photos:     []wbfake.CardPhoto{{Big: img, C246x328: img, C516x688: img, Square: img, Tm: img}},
			Sizes:      []wbfake.CardSize{{ChrtID: p.nmID * 10, TechSize: p.size, WBSize: p.size, Skus: []string{demoBarcode(p)}}},
			Dimensions: demoPackages[p.nmID],
		})
	}
}

// seed creates the demo seller with two stores and a month of returns in
// every status, and greets the seller so the chat is open.
func (d *demo) seed(ctx context.Context) error {
	system := domain.NewContextWithActor(ctx, domain.System)
	now := time.Now()
	for _, name := range []string{"Li Wei Trading — apparel", "Li Wei Trading — electronics"} {
		sid := demoUUID()
		d.stores = append(d.stores, demoStore{name: name, sid: sid, token: d.demoToken(sid)})
		d.addCards(sid)
		d.addPrices(sid) // demo_prices.go
	}
	// The newcomer's own WB account, for the onboarding's token step.
	nsid := demoUUID()
	d.newcomerToken = d.demoToken(nsid)
	d.addCards(nsid)
	d.addPrices(nsid)
	for i := range 4 {
		d.addWBReturn(nsid, demoProducts[i*3], now.AddDate(0, 0, -i-1), i == 0)
	}

	// Returns at WB: 60 over the last 30 days, the most recent ones still
	// on the road or waiting at a pickup point.
	const total = 60
	type seeded struct {
		sid string
		shk int64
	}
	var rows []seeded
	for i := range total {
		st := d.stores[i%2]
		p := demoProducts[d.intn(len(demoProducts))]
		ordered := now.AddDate(0, 0, -29+i*29/total).Add(-time.Duration(d.intn(12)) * time.Hour)
		ready := i >= total-12 && i%2 == 0
		rows = append(rows, seeded{st.sid, d.addWBReturn(st.sid, p, ordered, ready)})
	}
	// Two defective-goods claims with prices: WB's claims feed.
	for i, p := range []demoProduct{demoProducts[2], demoProducts[8]} {
		name := p.title
		d.wb.AddClaim(d.stores[1].sid, wbfake.Claim{
			ClaimType: 1, StatusEx: 10, NmID: p.nmID, UserComment: "Does not turn on", ImtName: &name,
			Price: float64(p.priceRUB), CurrencyCode: "643", Srid: fmt.Sprintf("demo.claim.%d", i),
			Dt: now.Add(-time.Duration(30+i*20) * time.Hour).Format("2006-01-02T15:04:05.000000"),
		})
	}

	d.seller = &domain.Seller{
		Name: "Li Wei Trading", Company: "Yiwu Li Wei Trading Co., Ltd.", Phone: "+8613800000000",
		Language: domain.LangEnglish, TimeZone: "Asia/Shanghai", QuietHours: false,
		ReturnAddress: "Room 1203, Building 5, Futian Market, Yiwu, Zhejiang, China",
		Identities:    []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(demoSellerTG, 10)}},
	}
	if err := storage.NewSellerService(d.m.DB).CreateSeller(system, d.seller); err != nil {
		return err
	}
	// A business licence on file completes the profile ("Return to seller").
	licence := demoImage(88, 600, 800, false)
	if err := storage.NewAttachmentService(d.m.DB).CreateAttachment(system, &domain.Attachment{SellerID: d.seller.ID,
		Kind: domain.AttachmentDocument, FileName: "business-licence.png", ContentType: "image/png",
		Size: int64(len(licence)), Data: licence}); err != nil {
		return err
	}
	// The seller has talked to the bot before, so it may write to them.
	d.tg.SendText(demoSellerTG, "/help")
	expires := now.Add(wbfake.TokenLifetime)
	for _, st := range d.stores {
		s := &domain.Store{SellerID: d.seller.ID, Name: st.name, Token: st.token, SupplierID: st.sid, TokenExpiresAt: &expires}
		if err := storage.NewStoreService(d.m.DB).CreateStore(system, s); err != nil {
			return err
		}
	}
	return nil
}

// seedReturns imports the returns with a poll round, prices them and moves
// the older ones on.
func (d *demo) seedReturns(ctx context.Context) error {
	system := domain.NewContextWithActor(ctx, domain.System)
	if _, err := d.m.Poller.Round(system); err != nil {
		return err
	}
	// Prices come from WB as for any store: claims, FBS orders, or the
	// seller's current price (demo_prices.go).
	if err := d.seedPricing(ctx); err != nil {
		return err
	}
	returns := storage.NewReturnService(d.m.DB)
	list, _, err := returns.FindReturns(system, domain.ReturnFilter{SellerID: &d.seller.ID})
	if err != nil {
		return err
	}
	if err := d.advanceSeeded(ctx, list); err != nil {
		return err
	}
	// A question for support, so the staff group has a conversation.
	d.tg.SendText(demoSellerTG, "Hello! Did the down jacket that came back last week arrive in good shape?")
	return nil
}

// advanceSeeded moves the oldest returns on through the warehouse's steps
// and the seller's decisions, as staff and the seller would have.
func (d *demo) advanceSeeded(ctx context.Context, list []*domain.Return) error {
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	seller := domain.NewContextWithActor(ctx, domain.Actor{Kind: domain.ActorSeller, ID: d.seller.ID, Name: d.seller.Name})
	returns := storage.NewReturnService(d.m.DB)
	attachments := storage.NewAttachmentService(d.m.DB)
	var inTransit []*domain.Return
	for _, r := range list {
		if r.Status == domain.StatusAwaitingReceiptAtWB && r.ClaimID == "" {
			inTransit = append(inTransit, r)
		}
	}
	// Oldest first: list order is not guaranteed.
	for i := range inTransit {
		for j := i + 1; j < len(inTransit); j++ {
			if inTransit[j].RequestDate.Before(inTransit[i].RequestDate) {
				inTransit[i], inTransit[j] = inTransit[j], inTransit[i]
			}
		}
	}
	yes, no := true, false
	received := time.Now().Add(-24 * time.Hour)
	comment := "Outer packaging torn, item itself intact; tags in place."
	defectComment := "Seam split on the left sleeve, 4 cm; stain on the cuff."
	plans := [][]domain.ReturnChange{
		// completed: sold again, sent back, disposed
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}, {Event: domain.EventTransferToSale}},
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideReturnToSeller, Decision: domain.DecisionReturnToSeller}, {Event: domain.EventShipToSeller, Update: domain.ReturnUpdate{TrackingNumber: demoPtr("CDEK-1029384756")}}},
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &yes, InspectionComment: &defectComment}}, {Event: domain.EventDecideDispose, Decision: domain.DecisionDispose}, {Event: domain.EventDispose}},
		// decided, waiting for the warehouse
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}},
		// awaiting the seller's decision, after an inspection with photos
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &no, InspectionComment: &comment}}},
		// awaiting the seller's decision
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}},
		// at the warehouse, being inspected
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}},
		// collected from the pickup point, on the road to the warehouse
		{{Event: domain.EventPickUp}},
	}
	// Each plan takes four returns; the newest ones stay as WB shows them.
	for i, r := range inTransit {
		plan := i / 4
		if plan >= len(plans) {
			break
		}
		for _, ch := range plans[plan] {
			ctx := staff
			if ch.Decision != "" {
				ctx = seller
			}
			if _, err := returns.ApplyEvent(ctx, r.ID, ch); err != nil {
				return err
			}
			if ch.Event == domain.EventInspect {
				for k := range 2 {
					data := demoImage(r.NmID+int64(k)*7919, 480, 360, true)
					id := r.ID
					a := &domain.Attachment{SellerID: d.seller.ID, ReturnID: &id, Kind: domain.AttachmentPhoto,
						FileName: fmt.Sprintf("inspection-%d-%d.png", r.ID, k+1), ContentType: "image/png", Size: int64(len(data)), Data: data}
					if err := attachments.CreateAttachment(staff, a); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// arrivals adds a new return at WB every so often; the next poll finds it.
func (d *demo) arrivals(ctx context.Context, every time.Duration) {
	defer d.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := d.stores[d.intn(len(d.stores))]
		p := demoProducts[d.intn(len(demoProducts))]
		shk := d.addWBReturn(st.sid, p, time.Now().AddDate(0, 0, -1), d.intn(2) == 0)
		d.log.Info("demo: a new return arrived at WB", "store", st.name, "shk", shk)
	}
}

func (d *demo) webLink(ctx context.Context) (string, error) {
	return d.m.webLinks.LoginLink(domain.NewContextWithActor(ctx, domain.System), d.seller.ID)
}

// ---- the page and its JSON ----

type demoButton struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

type demoMessage struct {
	ID       int            `json:"id"`
	Thread   int            `json:"thread,omitempty"`
	FromBot  bool           `json:"from_bot"`
	From     string         `json:"from"`
	Date     int64          `json:"date"`
	Text     string         `json:"text"`
	Photo    string         `json:"photo,omitempty"`
	Document string         `json:"document,omitempty"`
	Buttons  [][]demoButton `json:"buttons,omitempty"`
	Keyboard [][]string     `json:"keyboard,omitempty"`
	Service  string         `json:"service,omitempty"`
}

type demoChat struct {
	UserID   int64         `json:"user_id"`
	Name     string        `json:"name"`
	Note     string        `json:"note"`
	Messages []demoMessage `json:"messages"`
}

type demoTopic struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type demoState struct {
	Bot           string           `json:"bot"`
	Chats         []demoChat       `json:"chats"`
	StaffTitle    string           `json:"staff_title"`
	Topics        []demoTopic      `json:"topics"`
	Staff         []demoMessage    `json:"staff"`
	NewcomerToken string           `json:"newcomer_token"`
	Healthz       string           `json:"healthz"`
	WeChat        *demoWeChatState `json:"wechat,omitempty"`
}

func (d *demo) handlePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(demoPage)
}

func (d *demo) state() demoState {
	st := demoState{
		Bot:           "@" + d.tg.Bot().Username,
		StaffTitle:    "Indigo staff",
		NewcomerToken: d.newcomerToken,
		Healthz:       d.m.Config.PublicURL + "/healthz",
		Chats: []demoChat{
			{UserID: demoSellerTG, Name: "Li Wei (onboarded seller)", Note: "Two WB stores and a month of returns."},
			{UserID: demoNewcomerTG, Name: "Anna Chen (new seller)", Note: "Has never talked to the bot: send /start to onboard."},
		},
	}
	for i := range st.Chats {
		st.Chats[i].Messages = d.messages(d.tg.Messages(st.Chats[i].UserID))
	}
	for _, t := range d.tg.Topics(demoStaffGroup) {
		st.Topics = append(st.Topics, demoTopic{ID: t.MessageThreadID, Name: t.Name})
	}
	st.Staff = d.messages(d.tg.Messages(demoStaffGroup))
	st.WeChat = d.wx.state()
	return st
}

func (d *demo) messages(msgs []tgfake.Message) []demoMessage {
	out := make([]demoMessage, 0, len(msgs))
	for _, m := range msgs {
		dm := demoMessage{ID: m.MessageID, Thread: m.MessageThreadID, Date: m.Date, Text: m.Text}
		if m.Caption != "" {
			dm.Text = m.Caption
		}
		if m.From != nil {
			dm.FromBot = m.From.IsBot
			dm.From = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		}
		if len(m.Photo) > 0 {
			dm.Photo = "/demo/file/" + m.Photo[len(m.Photo)-1].FileID
		}
		if m.Document != nil {
			dm.Document = "/demo/file/" + m.Document.FileID
		}
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				var r []demoButton
				for _, b := range row {
					db := demoButton{Text: b.Text}
					if b.CallbackData != nil {
						db.Data = *b.CallbackData
					}
					if b.URL != nil {
						db.URL = *b.URL
					}
					r = append(r, db)
				}
				dm.Buttons = append(dm.Buttons, r)
			}
		}
		if m.Keyboard != nil {
			for _, row := range m.Keyboard.Keyboard {
				var r []string
				for _, b := range row {
					r = append(r, b.Text)
				}
				dm.Keyboard = append(dm.Keyboard, r)
			}
		}
		switch {
		case m.ForumTopicCreated != nil:
			dm.Service = "topic created: " + m.ForumTopicCreated.Name
		case m.ForumTopicEdited != nil:
			dm.Service = "topic renamed"
		}
		out = append(out, dm)
	}
	return out
}

func (d *demo) handleState(w http.ResponseWriter, r *http.Request) {
	writeDemoJSON(w, http.StatusOK, d.state())
}

type demoRequest struct {
	User      int64  `json:"user"`
	Text      string `json:"text"`
	MessageID int    `json:"message_id"`
	Data      string `json:"data"`
	Thread    int    `json:"thread"`
	Contact   bool   `json:"contact"`
}

func (d *demo) readRequest(w http.ResponseWriter, r *http.Request) (demoRequest, bool) {
	var req demoRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return req, false
	}
	if req.User != 0 && req.User != demoSellerTG && req.User != demoNewcomerTG {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "unknown demo user"})
		return req, false
	}
	return req, true
}

// handleSend types a message (or shares the phone number) as a demo user.
func (d *demo) handleSend(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	if req.Contact {
		writeDemoJSON(w, http.StatusOK, d.messages([]tgfake.Message{d.tg.SendContact(req.User, "+8613900000000")}))
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "empty message"})
		return
	}
	writeDemoJSON(w, http.StatusOK, d.messages([]tgfake.Message{d.tg.SendText(req.User, req.Text)}))
}

// handlePress presses an inline button under one of the bot's messages.
func (d *demo) handlePress(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	for _, m := range d.tg.Messages(req.User) {
		if m.MessageID != req.MessageID || m.ReplyMarkup == nil {
			continue
		}
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData != nil && *b.CallbackData == req.Data {
					id := d.tg.PressButton(req.User, m, req.Data)
					writeDemoJSON(w, http.StatusOK, map[string]string{"callback_query_id": id})
					return
				}
			}
		}
	}
	writeDemoJSON(w, http.StatusNotFound, map[string]string{"err": "no such button"})
}

// handlePhoto sends a picture as a demo user: the uploaded file, or a
// generated one when none is given.
func (d *demo) handlePhoto(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(12 << 20); err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return
	}
	user, _ := strconv.ParseInt(r.FormValue("user"), 10, 64)
	if user != demoSellerTG && user != demoNewcomerTG {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "unknown demo user"})
		return
	}
	var data []byte
	if f, _, err := r.FormFile("photo"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, 10<<20))
		f.Close()
		if err != nil {
			writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
			return
		}
	}
	if len(data) == 0 {
		data = demoImage(time.Now().UnixNano(), 640, 480, true)
	}
	var msg tgfake.Message
	err := func() (err error) {
		defer func() { // the fake panics on what Telegram would refuse
			if p := recover(); p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		msg = d.tg.SendPhoto(user, data, r.FormValue("caption"))
		return nil
	}()
	if err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return
	}
	writeDemoJSON(w, http.StatusOK, d.messages([]tgfake.Message{msg}))
}

// handleStaff posts in the staff group as Olga, in a topic when given.
func (d *demo) handleStaff(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "empty message"})
		return
	}
	m := d.tg.SendGroupMessage(demoStaffGroup, req.Thread, demoStaffTG, req.Text, 0)
	writeDemoJSON(w, http.StatusOK, d.messages([]tgfake.Message{m}))
}

// handleWebLink makes a fresh one-time sign-in link for the demo seller.
func (d *demo) handleWebLink(w http.ResponseWriter, r *http.Request) {
	link, err := d.webLink(r.Context())
	if err != nil {
		writeDemoJSON(w, http.StatusInternalServerError, map[string]string{"err": err.Error()})
		return
	}
	writeDemoJSON(w, http.StatusOK, map[string]string{"url": link})
}

// handleFile serves a photo or document stored in the fake Telegram.
func (d *demo) handleFile(w http.ResponseWriter, r *http.Request) {
	f, data, ok := d.tg.FileData(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	http.ServeContent(w, r, f.FilePath, time.Time{}, bytes.NewReader(data))
}

// handleProductImage serves the generated product photos the demo cards
// point at.
func (d *demo) handleProductImage(w http.ResponseWriter, r *http.Request) {
	nm, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("name"), ".png"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	_, _ = w.Write(demoImage(nm, 400, 533, false))
}

func writeDemoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// demoImage draws a simple picture, the same for the same seed: a
// coloured product shape on a light background; inspection photos get a
// darker "warehouse table" and a ruler.
func demoImage(seed int64, w, h int, inspection bool) []byte {
	hf := fnv.New32a()
	fmt.Fprint(hf, seed)
	sum := hf.Sum32()
	hue := uint8(sum)
	if p, ok := (&demo{}).productByNm(seed); ok {
		hue = p.hue
	}
	base := demoHueColor(hue)
	bg := color.RGBA{245, 245, 240, 255}
	if inspection {
		bg = color.RGBA{120, 110, 95, 255}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := w/2, h/2
	rx, ry := w/3, h/3
	for y := range h {
		for x := range w {
			c := bg
			dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
			if dx*dx+dy*dy <= 1 {
				shade := uint8(40 * dy)
				c = color.RGBA{demoSat(base.R, shade), demoSat(base.G, shade), demoSat(base.B, shade), 255}
			}
			if inspection && y > h-24 && y < h-12 && x > 20 && x < w-20 {
				c = color.RGBA{230, 200, 60, 255}
				if (x-20)%20 == 0 {
					c = color.RGBA{20, 20, 20, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// demoHueColor is a bright colour of hue (0–255 around the colour wheel).
func demoHueColor(hue uint8) color.RGBA {
	h := float64(hue) / 256 * 6
	x := uint8(200 * (1 - demoAbs(demoMod2(h)-1)))
	switch int(h) {
	case 0:
		return color.RGBA{200, x, 40, 255}
	case 1:
		return color.RGBA{x, 200, 40, 255}
	case 2:
		return color.RGBA{40, 200, x, 255}
	case 3:
		return color.RGBA{40, x, 200, 255}
	case 4:
		return color.RGBA{x, 40, 200, 255}
	default:
		return color.RGBA{200, 40, x, 255}
	}
}

func demoMod2(f float64) float64 { return f - 2*float64(int(f/2)) }

func demoAbs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func demoSat(v, sub uint8) uint8 {
	if v < sub {
		return 0
	}
	return v - sub
}

func demoPtr[T any](v T) *T { return &v }

func demoUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
