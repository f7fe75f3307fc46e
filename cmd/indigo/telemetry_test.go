package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestMetricsCount: after a poll round that met one 429 from WB and found
// a return, and the push it caused reached the seller, a scrape shows the
// poll, the 429, the delivery, the turns and the Telegram sends counted;
// the staff chat's /status shows the same figures.
func TestMetricsCount(t *testing.T) {
	f := newFakes(t)
	const group = int64(-1002000002200)
	f.tg.AddGroup(group, "Indigo staff", true)
	f.tg.AddUser(tgfake.User{ID: 9200, FirstName: "Olga"})
	env := f.env(pgtest.NewURL(t))
	env["TELEGRAM_SUPPORT_CHAT_ID"] = strconv.FormatInt(group, 10)
	m := f.run(t, env)
	u := tgtest.NewUser(t, f.tg, 4243, "en")
	u.Onboard("en", false)
	sid := "0f6e2c1a-2222-4222-8333-944455556666"
	u.Send(f.wb.IssueToken(wbfake.TokenOptions{SellerID: sid}))
	u.Expect(tgtest.Head(u.L.T("flow.store.checklist")))
	u.Press(u.L.T("button.done"))
	u.Expect(u.L.T("flow.store.ready"))

	shk := f.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 43, Srid: "srid-metrics", Status: wbfake.ReturnInTransit})
	f.wb.MoveToPickupPoint(sid, shk, 7, "Москва, Тверская 2")
	f.wb.FailNext("/api/v1/analytics/goods-return", http.StatusTooManyRequests, 1)
	if _, err := m.Poller.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	u.Expect("Москва, Тверская 2")
	eventually(t, "the delivery counted", func() bool {
		return scrape(t, m.URL()+"/metrics")[`indigo_deliveries_total{channel="telegram"}`] >= 1
	})

	got := scrape(t, m.URL()+"/metrics")
	for _, want := range []string{
		`indigo_polls_total{feed="goods_return",outcome="ok"}`,
		`indigo_poll_lag_seconds_count{class="service",feed="goods_return"}`,
		`indigo_wb_requests_total{category="analytics",outcome="rate_limited"}`,
		`indigo_wb_requests_total{category="analytics",outcome="ok"}`,
		`indigo_delivery_latency_seconds_count{channel="telegram"}`,
		`indigo_conversation_turns_total{flow="onboarding"}`,
		`indigo_chat_requests_total{channel="telegram",kind="send",outcome="ok"}`,
		`indigo_part_up{part="telegram",state="up"}`,
		`indigo_part_up{part="database",state="up"}`,
	} {
		if got[want] < 1 {
			t.Errorf("%s = %v, want counted", want, got[want])
			for k := range got {
				if strings.HasPrefix(k, want[:strings.IndexByte(want, '{')]) {
					t.Logf("  scraped %s", k)
				}
			}
		}
	}
	if _, ok := got["indigo_outbox_pending"]; !ok {
		t.Error("no outbox gauge in the scrape")
	}

	en := locales.MustNew().For("en")
	f.tg.SendGroupMessage(group, 0, 9200, "/status", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*tgtest.WaitLimit)
	defer cancel()
	post, err := f.tg.WaitForMessage(ctx, group, func(msg tgfake.Message) bool {
		return strings.HasPrefix(msg.Text, en.T("staff.status.title"))
	})
	if err != nil {
		t.Fatalf("no /status answer: %v", err)
	}
	c, err := m.Metrics.counters()
	if err != nil {
		t.Fatal(err)
	}
	if c.WBRateLimited != 1 || c.Delivered < 1 {
		t.Errorf("counters = %+v, want one WB 429 and a delivery", c)
	}
	wantWB := en.T("staff.status.wb", map[string]any{"Calls": c.WBCalls, "Limited": c.WBRateLimited})
	if !strings.Contains(post.Text, wantWB) {
		t.Errorf("/status lacks %q:\n%s", wantWB, post.Text)
	}
}

// TestReadyzFollowsDatabase: /readyz is ready with the database, 503
// while it cannot be reached, and ready again once it is back; /healthz
// answers throughout.
func TestReadyzFollowsDatabase(t *testing.T) {
	pg, err := url.Parse(pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cut := newCutProxy(t, pg.Host)
	pg.Host = cut.Addr()
	m := MustRunMain(t, map[string]string{"DATABASE_URL": pg.String()})

	if st, r := readyz(t, m); st != http.StatusOK || !r.Ready || readyState(r, "database") != "up" || readyState(r, "telegram") != "off" {
		t.Fatalf("readyz = %d %+v", st, r)
	}
	cut.Down()
	if st, r := readyz(t, m); st != http.StatusServiceUnavailable || r.Ready || readyState(r, "database") != "down" {
		t.Fatalf("readyz without the database = %d %+v", st, r)
	}
	if st := get(t, m.URL()+"/healthz"); st != http.StatusOK {
		t.Errorf("healthz without the database = %d, want alive", st)
	}
	cut.Up()
	eventually(t, "ready again", func() bool { st, _ := readyz(t, m); return st == http.StatusOK })
}

// TestTelegramUnreachableAtStart: the service starts while Telegram cannot
// be reached; the web view and WeChat work meanwhile, /readyz shows
// Telegram down and stays ready, and once Telegram answers the bot
// connects and serves sellers.
func TestTelegramUnreachableAtStart(t *testing.T) {
	tg := tgfake.New(tgfake.Options{})
	t.Cleanup(tg.Close)
	cut := newCutProxy(t, strings.TrimPrefix(tg.URL(), "http://"))
	cut.Down()
	wx := weChatFake()
	acct := wx.NewAccount(wxfake.AccountOptions{})
	wbf := wbfake.New()
	t.Cleanup(wbf.Close)
	m := MustRunMain(t, map[string]string{
		"TELEGRAM_BOT_TOKEN":    tg.Token(),
		"TELEGRAM_API_ENDPOINT": "http://" + cut.Addr() + "/bot%s/%s",
		"WB_API_BASE_URL":       wbf.URL,
		"WECHAT_APP_ID":         acct.AppID, "WECHAT_APP_SECRET": acct.AppSecret,
		"WECHAT_TOKEN": acct.Token, "WECHAT_API_BASE_URL": wx.URL(),
	})
	eventually(t, "telegram reported down", func() bool { _, r := readyz(t, m); return readyState(r, "telegram") == "down" })
	if st, _ := readyz(t, m); st != http.StatusOK {
		t.Errorf("readyz with Telegram down = %d, want ready: the rest works", st)
	}
	if st := get(t, m.URL()+"/web/login"); st != http.StatusOK {
		t.Errorf("web view with Telegram down = %d", st)
	}
	acct.SetCallbackURL(m.URL() + "/wechat")
	zh := locales.MustNew().For("zh")
	acct.User("oDegrade").Subscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 2*tgtest.WaitLimit)
	defer cancel()
	if _, err := acct.WaitForMessage(ctx, "oDegrade", 0, func(msg wxfake.Message) bool {
		return strings.Contains(msg.Text, strings.Split(zh.T("flow.onboarding.language"), "\n")[0])
	}); err != nil {
		t.Fatalf("WeChat with Telegram down: %v", err)
	}

	// The fake records a message before its sender hears the answer.
	for _, want := range []string{
		`indigo_chat_requests_total{channel="wechat",kind="send",outcome="ok"}`,
		`indigo_chat_requests_total{channel="telegram",kind="other",outcome="unreachable"}`,
		`indigo_part_up{part="telegram",state="down"}`,
	} {
		eventually(t, "the scrape counts "+want, func() bool { _, ok := scrape(t, m.URL()+"/metrics")[want]; return ok })
	}

	cut.Up()
	eventually(t, "telegram up again", func() bool { _, r := readyz(t, m); return readyState(r, "telegram") == "up" })
	u := tgtest.NewUser(t, tg, 4244, "en")
	u.Send("/start")
	u.Expect(tgtest.Head(u.L.T("flow.onboarding.language")))
}

// TestDashboard: the Grafana dashboard is valid JSON and every series it
// queries is one the service exports.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile("grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	exported := map[string]bool{}
	descs := make(chan *prometheus.Desc, 100)
	m := newMetrics(time.Now())
	for _, c := range append(m.own(), newFiguresCollector(nil, newParts(time.Now), time.Now)) {
		c.Describe(descs)
	}
	close(descs)
	for d := range descs {
		name := fqName.FindStringSubmatch(d.String())[1]
		exported[name] = true
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			exported[name+suffix] = true
		}
	}
	queried := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			for _, series := range indigoSeries.FindAllString(target.Expr, -1) {
				queried++
				if !exported[series] {
					t.Errorf("panel %q queries %s, which the service does not export", p.Title, series)
				}
			}
		}
	}
	if queried < 15 {
		t.Errorf("the dashboard queries %d series; want every metric shown", queried)
	}
}

var (
	fqName       = regexp.MustCompile(`fqName: "([^"]+)"`)
	indigoSeries = regexp.MustCompile(`indigo_[a-z_]+`)
)

// --- helpers ---

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func readyz(t *testing.T, m *Main) (int, readiness) {
	t.Helper()
	resp, err := http.Get(m.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("readyz body: %v", err)
	}
	return resp.StatusCode, r
}

func readyState(r readiness, name string) string {
	for _, p := range r.Parts {
		if p.Name == name {
			return p.State
		}
	}
	return ""
}

// scrape reads a Prometheus text exposition into series → value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("scrape line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * tgtest.WaitLimit); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// cutProxy forwards TCP connections to a target and can be cut: Down
// closes the listener and every connection, as a stopped server or a lost
// network does; Up listens again on the same address.
type cutProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.Down)
	return p
}

func (p *cutProxy) Addr() string { return p.addr }

func (p *cutProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (p *cutProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) Up() { p.listen(p.addr) }
