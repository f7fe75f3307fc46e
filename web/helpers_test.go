package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
	"github.com/indigo-warehouse/indigo/web"
	"github.com/indigo-warehouse/indigo/web/webtest"
)

// wx is this test binary's one fake WeChat: silenceper is pointed at it
// through a process-wide global (bot/wechat), set once before any test.
var wx = wxfake.New()

func TestMain(m *testing.M) {
	if err := wechat.SetAPIBaseURL(wx.URL()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pgtest.Main(m)
}

// botToken signs the tests' Mini App init data, as Telegram signs with
// the bot's token.
const botToken = "123456:TEST-bot-token"

// env is a web view on a fresh database, served on loopback.
type env struct {
	DB  *storage.DB
	Srv *web.Server
	URL string
	WB  *wbfake.Server  // token checks of Add store
	WX  *wxfake.Account // the Official Account of the WeChat sign-in
	// skew moves the database's clock, for expiry tests; atomic because
	// the server reads it on its own goroutines.
	skew atomic.Int64
	// Read counts the bytes the server read from its connections.
	Read atomic.Int64
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	return newEnvDB(tb, pgtest.New(tb))
}

func newEnvDB(tb testing.TB, db *storage.DB) *env {
	tb.Helper()
	e := &env{DB: db}
	db.Now = func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }
	mux := http.NewServeMux()
	ts := httptest.NewUnstartedServer(mux)
	ts.Listener = webtest.CountingListener{Listener: ts.Listener, N: &e.Read}
	ts.Start()
	tb.Cleanup(ts.Close)
	e.URL = ts.URL
	e.Srv = mustServer(tb, db, ts.URL)
	e.connect(tb)
	mux.Handle("/", e.Srv.Handler())
	return e
}

// connect gives the web view the parts cmd/indigo gives it: the engine's
// store check against a fake WB, the staff desk's support queue, and
// WeChat's web authorization on the shared fake.
func (e *env) connect(tb testing.TB) {
	tb.Helper()
	e.WB = wbfake.New()
	tb.Cleanup(e.WB.Close)
	deps := convtest.Deps(e.DB, e.WB.URL, locales.MustNew(), nil)
	engine := conversations.NewEngine(deps)
	support := storage.NewSupportService(e.DB)
	e.Srv.Connector = engine
	e.Srv.Support = &conversations.StaffDesk{Services: deps, Support: support, History: support}
	e.WX = wx.NewAccount(wxfake.AccountOptions{})
	bot, err := wechat.New(wechat.Config{AppID: e.WX.AppID, AppSecret: e.WX.AppSecret, Token: e.WX.Token,
		APIBaseURL: wx.URL(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Locales: locales.MustNew(), Sellers: storage.NewSellerService(e.DB)}, storage.NewWeChatService(e.DB))
	if err != nil {
		tb.Fatal(err)
	}
	e.Srv.WeChat = bot.WebAuth()
}

func mustServer(tb testing.TB, db *storage.DB, publicURL string) *web.Server {
	tb.Helper()
	srv, err := web.NewServer(web.Deps{
		Returns:     storage.NewReturnService(db),
		Sellers:     storage.NewSellerService(db),
		Stores:      storage.NewStoreService(db),
		Attachments: storage.NewAttachmentService(db),
		Shelf:       storage.NewUnitService(db),
		Sessions:    storage.NewWebSessionService(db),
		Locales:     locales.MustNew(),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL:   publicURL,
		Economics:   storage.NewEconomicsService(db),
		Decisions:   storage.NewDecisionService(db),
		PickupClock: storage.NewPickupClockService(db),
		Rules:       storage.NewRuleService(db),
		Accounts:    storage.NewAccountService(db, 0.08),
		Tariffs:     storage.NewTariffService(db),
		Now:         db.Now,

		TelegramToken: botToken,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// browser is one signed-in (or not) browser: a client with a cookie jar
// that does not follow redirects, so tests see each one.
type browser struct {
	tb  testing.TB
	e   *env
	c   *http.Client
	url string
}

func (e *env) browser(tb testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, e: e, url: e.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs a new browser in as the seller through a magic link.
func (e *env) login(tb testing.TB, s *domain.Seller) *browser {
	tb.Helper()
	b := e.browser(tb)
	link := e.mustLink(tb, s)
	resp := b.post(link, nil)
	if resp.Code != http.StatusSeeOther || resp.Location != "/web/" {
		tb.Fatalf("login: %d → %q\n%s", resp.Code, resp.Location, resp.Body)
	}
	return b
}

func (e *env) mustLink(tb testing.TB, s *domain.Seller) string {
	tb.Helper()
	link, err := e.Srv.Links().LoginLink(pgtest.As(s), s.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(link, e.URL+"/login/") {
		tb.Fatalf("link %q does not start with %s/login/", link, e.URL)
	}
	return link
}

type response struct {
	Code     int
	Location string
	Header   http.Header
	Body     string
	doc      *html.Node
}

func (b *browser) do(req *http.Request) *response {
	b.tb.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.tb.Fatal(err)
	}
	return &response{Code: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(body)}
}

func (b *browser) get(path string) *response {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(path), nil)
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.do(req)
}

// post sends a form; the session's form token is added unless the form
// sets "csrf" itself.
func (b *browser) post(path string, form url.Values) *response {
	b.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		if tok := b.csrf(); tok != "" {
			form.Set("csrf", tok)
		}
	}
	req, err := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrf reads the form token from the signed-in main page.
func (b *browser) csrf() string {
	b.tb.Helper()
	resp := b.get("/web/")
	if resp.Code != http.StatusOK {
		return ""
	}
	for _, in := range resp.all("input") {
		if attr(in, "name") == "csrf" {
			return attr(in, "value")
		}
	}
	return ""
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.url + path
}

// page is get that insists on 200.
func (b *browser) page(path string) *response {
	b.tb.Helper()
	resp := b.get(path)
	if resp.Code != http.StatusOK {
		b.tb.Fatalf("GET %s: %d → %q\n%s", path, resp.Code, resp.Location, resp.Body)
	}
	return resp
}

func (r *response) parse() *html.Node {
	if r.doc == nil {
		doc, err := html.Parse(strings.NewReader(r.Body))
		if err != nil {
			panic(err)
		}
		r.doc = doc
	}
	return r.doc
}

// all returns the elements with the tag, in document order.
func (r *response) all(tag string) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(r.parse())
	return out
}

// rows returns the text of each cell of the returns table's body rows.
func (r *response) rows() [][]string {
	var out [][]string
	for _, table := range r.all("table") {
		if attr(table, "class") != "returns" {
			continue
		}
		for _, tr := range (&response{doc: table}).all("tr") {
			var cells []string
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "td" && attr(c, "class") != "empty" {
					cells = append(cells, strings.Join(strings.Fields(text(c)), " "))
				}
			}
			if len(cells) > 0 {
				out = append(out, cells)
			}
		}
	}
	return out
}

// column returns one column of the returns table, by its index.
func (r *response) column(i int) []string {
	var out []string
	for _, row := range r.rows() {
		out = append(out, row[i])
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
		b.WriteString(" ")
	}
	return b.String()
}

// seed helpers

func mustApply(tb testing.TB, db *storage.DB, r *domain.Return, events ...domain.Event) *domain.Return {
	tb.Helper()
	rs := storage.NewReturnService(db)
	for _, ev := range events {
		ch := domain.ReturnChange{Event: ev}
		var err error
		if r, err = rs.ApplyEvent(pgtest.System(), r.ID, ch); err != nil {
			tb.Fatalf("apply %s: %v", ev, err)
		}
	}
	return r
}

func ctxOf(s *domain.Seller) context.Context { return pgtest.As(s) }

func storageReturns(e *env) *storage.ReturnService { return storage.NewReturnService(e.DB) }

// storageAttachment stores a file with a return as the system (the
// warehouse's inspection upload).
func storageAttachment(tb testing.TB, e *env, s *domain.Seller, r *domain.Return, contentType, name string) *domain.Attachment {
	tb.Helper()
	kind := domain.AttachmentPhoto
	if strings.HasPrefix(contentType, "video/") {
		kind = domain.AttachmentVideo
	}
	a := &domain.Attachment{SellerID: s.ID, ReturnID: &r.ID, Kind: kind, FileName: name, ContentType: contentType,
		Data: []byte("file " + name)}
	if err := storage.NewAttachmentService(e.DB).CreateAttachment(pgtest.System(), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

func mustQuery(tb testing.TB, q string) url.Values {
	tb.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
