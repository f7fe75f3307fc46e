package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
)

// telemetry.go: the wiring of what the service tells of itself (issue
// 22): the metrics (metrics.go), the parts' states (parts.go), /readyz
// and the staff chat's alerts (health.go), /status (status.go).

// newTelemetry makes the registry and the parts' table; build calls it
// first, since every part it builds after reports to them.
func (m *Main) newTelemetry() {
	now := m.clockNow()
	m.Metrics = newMetrics(now())
	m.Parts = newParts(now)
	m.Parts.add(domain.PartDatabase, true)
	m.Parts.set(domain.PartDatabase, nil) // OpenDatabase has just reached it
	m.Parts.add(domain.PartTelegram, m.Config.TelegramEnabled())
	m.Parts.add(domain.PartWeChat, m.Config.WeChatEnabled())
	m.Parts.add(domain.PartWB, true)
	m.Metrics.reg.MustRegister(newFiguresCollector(storage.NewHealthService(m.DB), m.Parts, now))
}

// clockNow is the platforms' clock (Options.Clock), or the wall clock.
func (m *Main) clockNow() func() time.Time {
	if c := m.opts.Clock; c != nil {
		return c.Now
	}
	return time.Now
}

// statusSource is what the staff chat's /status reads.
func (m *Main) statusSource() conversations.StatusSource {
	return &statusSource{metrics: m.Metrics, parts: m.Parts, health: storage.NewHealthService(m.DB), now: m.clockNow()}
}

// watchLater queues the parts' watch with the other loops.
func (m *Main) watchLater(desk *conversations.StaffDesk) {
	m.runLater("parts watch", func(ctx context.Context) error { return m.watchParts(ctx, desk) })
}

func (m *Main) observeWB(x wb.Exchange) {
	m.Metrics.observeWB(x)
	// A 4xx is WB answering about one seller's token or request: WB is up.
	m.Parts.observe(domain.PartWB, x.Status != 0 && x.Status < 500, "WB answered "+statusText(x.Status))
}

func statusText(status int) string {
	if status == 0 {
		return "nothing (network)"
	}
	return strconv.Itoa(status)
}

func (m *Main) observeTelegram(r telegram.Request) {
	m.Metrics.observeTelegram(r)
	m.Parts.observe(domain.PartTelegram, r.Outcome != "unreachable", "no answer to "+r.Call)
}

func (m *Main) observeWeChat(r wechat.Request) {
	m.Metrics.observeWeChat(r)
	m.Parts.observe(domain.PartWeChat, r.Outcome != "unreachable", "no answer to "+r.Call)
}

// metricsHandler serves the registry in Prometheus' text format.
func (m *Main) metricsHandler() http.Handler {
	return promhttp.HandlerFor(m.Metrics.reg, promhttp.HandlerOpts{ErrorLog: slogPrintln{m.Log}, Timeout: 10 * time.Second})
}

// slogPrintln lets promhttp log a failed scrape through slog.
type slogPrintln struct {
	log interface{ Warn(string, ...any) }
}

func (l slogPrintln) Println(v ...any) { l.log.Warn("metrics: " + fmt.Sprint(v...)) }

// serveMetrics starts the metrics' own listener when METRICS_ADDR is set;
// otherwise /metrics is one of HTTP_ADDR's routes.
func (m *Main) serveMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := listen("METRICS_ADDR", m.Config.MetricsAddr)
	if err != nil {
		return err
	}
	m.MetricsAddr = ln.Addr()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metricsHandler())
	m.MetricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout}
	go func() {
		if err := m.MetricsServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics server stopped", "err", err)
		}
	}()
	m.Log.Info("metrics listening", "addr", m.MetricsAddr.String())
	return nil
}

// listen opens addr, and says which variable moves it when the port is
// taken: the usual first-run failure is a second copy still running.
func listen(variable, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		_, port, _ := net.SplitHostPort(addr)
		return nil, fmt.Errorf("port %s is already in use (another indigo still running?): stop that program, or set %s to a free address, e.g. %s=:%d",
			port, variable, variable, freePortHint(port))
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s %s: %w", variable, addr, err)
	}
	return ln, nil
}

// freePortHint suggests the next port up.
func freePortHint(port string) int {
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n >= 65535 {
		return 8081
	}
	return n + 1
}
