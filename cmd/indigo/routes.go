package main

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"time"
)

// routes lists every HTTP route the service answers on HTTP_ADDR.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", m.handleHealthz)
	if m.Web != nil {
		mux.Handle("/web", m.Web)
		mux.Handle("/web/", m.Web)
		mux.Handle("/login/", m.Web)
	}
	m.mountDemo(mux) // /demo, only under `indigo demo`
	if m.WeChat != nil {
		mux.Handle("/wechat", m.WeChat) // GET verifies the URL, POST delivers
	}
	if m.Telegram != nil && m.Config.TelegramWebhookURL != "" {
		// The path of TELEGRAM_WEBHOOK_URL, as the proxy in front forwards it.
		u, _ := url.Parse(m.Config.TelegramWebhookURL)
		mux.Handle("POST "+cmp.Or(u.Path, "/"), m.Telegram.WebhookHandler())
	}
	return mux
}

// handleHealthz answers 200 while the database answers, 503 otherwise, so a
// load balancer stops sending traffic to a replica that lost its database.
func (m *Main) handleHealthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := m.DB.Ping(ctx); err != nil {
		m.Log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
