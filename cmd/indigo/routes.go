package main

import (
	"cmp"
	"net/http"
	"net/url"
	"time"

	"github.com/indigo-warehouse/indigo/web"
)

// The HTTP server's limits. Pages, callbacks and health checks answer in
// milliseconds; a route that takes longer sets its own write deadline
// (withWriteTimeout, and the web view's downloads).
const (
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request, body included; the
	// largest is the demo's photo upload (demoPhotoLimit).
	readTimeout = 30 * time.Second
	// writeTimeout bounds a handler and its answer, from the end of the
	// request's headers.
	writeTimeout = time.Minute
	// idleTimeout closes a kept-alive connection nobody uses.
	idleTimeout    = 2 * time.Minute
	maxHeaderBytes = 64 << 10
	// telegramWriteTimeout: the webhook answers only once the update is
	// handled, which bot/telegram bounds at 2 minutes (WB token checks and
	// 429 waits included); an answer past writeTimeout would be lost and
	// Telegram would send the update again.
	telegramWriteTimeout = 3 * time.Minute
)

// What a request body may carry, by route pattern: every route not named
// in bodyLimits gets defaultBodyLimit. The handlers bound what they read
// themselves too; this is the floor under all of them.
const (
	defaultBodyLimit = 64 << 10 // web forms, the demo's JSON, WeChat callbacks (bot/wechat: 64 KB)
	// telegramUpdateLimit is bot/telegram's own cap on a webhook update.
	telegramUpdateLimit = 1 << 20
	// demoPhotoLimit is the one upload: the demo's photo (the fake takes
	// 10 MB, as Telegram) with its form fields.
	demoPhotoLimit = 12 << 20
)

// newHTTPServer is the server on HTTP_ADDR, with every timeout set.
func (m *Main) newHTTPServer() *http.Server {
	return &http.Server{
		Handler:           m.routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// routes lists every HTTP route the service answers on HTTP_ADDR, each
// body bounded by its route's limit.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	limits := map[string]int64{"POST /demo/api/photo": demoPhotoLimit, "POST " + web.UploadPath: web.MaxUpload}
	mux.HandleFunc("GET /healthz", m.handleHealthz) // health.go
	mux.HandleFunc("GET /readyz", m.handleReadyz)
	if m.Config.MetricsAddr == "" {
		mux.Handle("GET /metrics", m.metricsHandler()) // telemetry.go
	}
	mux.HandleFunc("GET /{$}", m.handleStart) // start.go: the first run explains itself
	if m.Web != nil {
		mux.Handle("/web", m.Web)
		mux.Handle("/web/", m.Web)
		mux.Handle("POST "+web.UploadPath, m.Web)
		mux.Handle("/login/", m.Web)
		// Without a channel no bot hands out sign-in links: the sign-in
		// page says how to switch one on instead.
		mux.Handle("GET /web/login", m.unlessChannel(m.Web))
	}
	if m.opts.Routes != nil {
		m.opts.Routes(mux) // /demo, under `indigo demo`
	}
	if m.WeChat != nil {
		mux.Handle("/wechat", m.WeChat.Handler(m.Engine)) // GET verifies the URL, POST delivers
	}
	if m.Telegram != nil && m.Config.TelegramWebhookURL != "" {
		// The path of TELEGRAM_WEBHOOK_URL, as the proxy in front forwards it.
		u, _ := url.Parse(m.Config.TelegramWebhookURL)
		pattern := "POST " + cmp.Or(u.Path, "/")
		mux.Handle(pattern, withWriteTimeout(telegramWriteTimeout, m.Telegram.WebhookHandler(m.Engine)))
		limits[pattern] = telegramUpdateLimit
	}
	return limitBodies(mux, limits)
}

// unlessChannel serves the first-run page while no channel is on, h after.
func (m *Main) unlessChannel(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.Config.anyChannel() {
			h.ServeHTTP(w, r)
			return
		}
		m.serveStartPage(w, r)
	})
}

// limitBodies caps each request's body at its route's limit (by the
// pattern mux matches), defaultBodyLimit for the rest.
func limitBodies(mux *http.ServeMux, limits map[string]int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		limit, ok := limits[pattern]
		if !ok {
			limit = defaultBodyLimit
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		mux.ServeHTTP(w, r)
	})
}

// withWriteTimeout gives a handler that answers late its own write
// deadline, past the server's writeTimeout.
func withWriteTimeout(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Not every ResponseWriter has a deadline (a recorder in tests).
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
		h.ServeHTTP(w, r)
	})
}
