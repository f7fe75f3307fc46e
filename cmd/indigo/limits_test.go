package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web/webtest"
)

// TestHTTPServerTimeouts: the server on HTTP_ADDR bounds reading headers,
// whole requests, answers and idle connections; the Telegram webhook,
// which answers only once its update is handled, may take longer.
func TestHTTPServerTimeouts(t *testing.T) {
	m := MustRunMain(t, nil)
	srv := m.HTTPServer
	for _, tt := range []struct {
		name     string
		got, min time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, time.Second},
		{"ReadTimeout", srv.ReadTimeout, srv.ReadHeaderTimeout},
		{"WriteTimeout", srv.WriteTimeout, 10 * time.Second},
		{"IdleTimeout", srv.IdleTimeout, time.Second},
		// bot/telegram bounds handling one update at 2 minutes.
		{"TelegramWriteTimeout", telegramWriteTimeout, 2 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.min || tt.got > 10*time.Minute {
				t.Errorf("%s = %s, want between %s and 10m", tt.name, tt.got, tt.min)
			}
		})
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", srv.MaxHeaderBytes)
	}
}

// TestLateAnswerOutlivesWriteTimeout: past the server's write timeout an
// answer is lost, unless the route set its own deadline.
func TestLateAnswerOutlivesWriteTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "handled")
	})
	for _, tt := range []struct {
		name    string
		handler http.Handler
		ok      bool
	}{
		{"ServerDeadline", slow, false},
		{"OwnDeadline", withWriteTimeout(5*time.Second, slow), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewUnstartedServer(tt.handler)
			ts.Config.WriteTimeout = 100 * time.Millisecond
			ts.Start()
			defer ts.Close()
			resp, err := http.Post(ts.URL, "text/plain", nil)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if got := err == nil && string(body) == "handled"; got != tt.ok {
				t.Errorf("answer arrived: %v (%q, %v), want %v", got, body, err, tt.ok)
			}
		})
	}
}

// TestFloodedRoutes: a 200 MiB body streamed at any POST route of the
// service (the web view, the WeChat callback signed or not, the Telegram
// webhook without its secret, a route that takes no POST) is refused with
// the server having read less than 1 MiB of it. Only the Telegram webhook,
// given its secret, reads up to its own cap of 1 MiB (an update).
func TestFloodedRoutes(t *testing.T) {
	f := newFakes(t)
	wx := weChatFake()
	acct := wx.NewAccount(wxfake.AccountOptions{})
	env := f.env(pgtest.NewURL(t))
	env["TELEGRAM_WEBHOOK_URL"] = "https://indigo.example.com/telegram/hook"
	env["WECHAT_APP_ID"], env["WECHAT_APP_SECRET"], env["WECHAT_TOKEN"] = acct.AppID, acct.AppSecret, acct.Token
	env["WECHAT_API_BASE_URL"] = wx.URL()
	m := f.run(t, env)
	base, read := countingServer(t, m.newHTTPServer())

	ts := strconv.FormatInt(time.Now().Unix(), 10)
	signed := url.Values{"timestamp": {ts}, "nonce": {"flood"}, "signature": {wxfake.Signature(acct.Token, ts, "flood")}}
	const mib = 1 << 20
	for _, tt := range []struct {
		name, path string
		header     http.Header
		want       int
		maxRead    int64
	}{
		{"WebLogout", "/web/logout", nil, http.StatusSeeOther, mib},
		{"WeChatUnsigned", "/wechat", nil, http.StatusForbidden, mib},
		{"WeChatSigned", "/wechat?" + signed.Encode(), nil, http.StatusRequestEntityTooLarge, mib},
		{"TelegramNoSecret", "/telegram/hook", nil, http.StatusUnauthorized, mib},
		// Its cap, then what net/http drains.
		{"TelegramSecret", "/telegram/hook", http.Header{"X-Telegram-Bot-Api-Secret-Token": {m.derivedSecret("telegram-webhook")}},
			http.StatusBadRequest, telegramUpdateLimit + 600<<10},
		{"Healthz", "/healthz", nil, http.StatusMethodNotAllowed, mib},
		{"Nowhere", "/nowhere", nil, http.StatusNotFound, mib},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := webtest.NewFlood("", 200<<20)
			before := read.Load()
			code := postFlood(t, base+tt.path, tt.header, body)
			n := read.Load() - before
			t.Logf("%s: %d; the server read %d bytes, the client sent %d", tt.path, code, n, body.Sent())
			if code != tt.want {
				t.Errorf("%d, want %d", code, tt.want)
			}
			if n >= tt.maxRead {
				t.Errorf("the server read %d bytes of the flood, want < %d", n, tt.maxRead)
			}
		})
	}
}

// TestRouteBodyLimits: a handler that reads all it is given gets at most
// its route's limit: the default for forms and callbacks, the demo photo's
// for the one upload.
func TestRouteBodyLimits(t *testing.T) {
	mux := http.NewServeMux()
	greedy := func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		}
	}
	mux.HandleFunc("POST /demo/api/photo", greedy)
	mux.HandleFunc("POST /form", greedy)
	srv := &http.Server{Handler: limitBodies(mux, map[string]int64{"POST /demo/api/photo": demoPhotoLimit})}
	base, read := countingServer(t, srv)
	for _, tt := range []struct {
		path  string
		limit int64
	}{
		{"/form", defaultBodyLimit},
		{"/demo/api/photo", demoPhotoLimit},
	} {
		t.Run(tt.path, func(t *testing.T) {
			before := read.Load()
			if code := postFlood(t, base+tt.path, nil, webtest.NewFlood("", 200<<20)); code != http.StatusRequestEntityTooLarge {
				t.Errorf("%d, want 413", code)
			}
			// What net/http drains after the handler, so the client reads the answer.
			const drain = 600 << 10
			if n := read.Load() - before; n < tt.limit || n > tt.limit+drain {
				t.Errorf("the server read %d bytes, want its limit %d (+ at most %d drained)", n, tt.limit, drain)
			}
		})
	}
}

// countingServer serves srv (its handler and timeouts) on loopback and
// counts what it reads from its connections.
func countingServer(t *testing.T, srv *http.Server) (base string, read *atomic.Int64) {
	t.Helper()
	read = new(atomic.Int64)
	ts := httptest.NewUnstartedServer(srv.Handler)
	ts.Config = srv
	ts.Listener = webtest.CountingListener{Listener: ts.Listener, N: read}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL, read
}

// postFlood streams body as a chunked POST and returns the status.
func postFlood(t *testing.T, target string, header http.Header, body *webtest.Flood) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return webtest.Send(t, nil, req)
}
