package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// health.go: /healthz, /readyz and the staff chat's alerts (issue 22).
// /healthz says the process serves HTTP; /readyz that it can do its work:
// the database answers and has every migration. A chat platform or WB
// that does not answer is shown in /readyz but leaves it ready: the web
// view and the other channel still work, and a container restarted for
// Telegram's outage would only stop them too.

// Alert timing: a part must stay down this long before staff hear of it,
// checked this often.
const (
	alertAfter = time.Minute
	watchEvery = 10 * time.Second
)

// handleHealthz answers as long as the process serves HTTP.
func (m *Main) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readiness is /readyz's answer.
type readiness struct {
	Ready             bool          `json:"ready"`
	MigrationsPending int           `json:"migrations_pending"`
	Parts             []readyPart   `json:"parts"`
	Checked           time.Time     `json:"checked"`
	Took              time.Duration `json:"took_ns"`
}

type readyPart struct {
	Name  string    `json:"name"`
	State string    `json:"state"`
	Since time.Time `json:"since"`
	Error string    `json:"error,omitempty"`
}

// handleReadyz checks the database now and reports every part's state;
// 503 while the database cannot be used.
func (m *Main) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	began := time.Now()
	pending, err := m.checkDatabase(ctx)
	ready := readiness{Ready: err == nil, MigrationsPending: pending, Checked: began}
	for _, p := range m.Parts.list() {
		ready.Parts = append(ready.Parts, readyPart{Name: p.Name, State: string(p.State), Since: p.Since, Error: p.Error})
	}
	ready.Took = time.Since(began)
	w.Header().Set("Content-Type", "application/json")
	if !ready.Ready {
		m.Log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(ready)
}

// checkDatabase pings the database and counts the migrations it lacks,
// and records the answer as the database part's state.
func (m *Main) checkDatabase(ctx context.Context) (int, error) {
	err := m.DB.Ping(ctx)
	pending := 0
	if err == nil {
		if pending, err = m.DB.MigrationsPending(ctx); err == nil && pending > 0 {
			err = fmt.Errorf("%d migrations not applied: run indigo migrate", pending)
		}
	}
	m.Parts.set(domain.PartDatabase, err)
	return pending, err
}

// watchParts checks the database every watchEvery, so its state is known
// without a probe, and tells the staff chat of parts that went down or
// came back.
func (m *Main) watchParts(ctx context.Context, desk *conversations.StaffDesk) error {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		check, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = m.checkDatabase(check)
		cancel()
		if desk != nil {
			m.announceParts(ctx, desk)
		}
	}
}

// announceParts posts each change the staff chat has not heard of; a post
// that fails (Telegram is the part that is down) is tried at the next tick.
func (m *Main) announceParts(ctx context.Context, desk *conversations.StaffDesk) {
	for _, p := range m.Parts.toAnnounce(alertAfter) {
		if err := desk.PartChanged(ctx, p); err != nil {
			m.Log.Warn("tell staff of a part's state", "part", p.Name, "state", p.State, "err", err)
			continue
		}
		m.Parts.announced(p.Name, p.State)
	}
}

// healthcheck asks the service on HTTP_ADDR whether it is ready: the
// container image has no curl (distroless), so the binary checks itself.
func healthcheck(ctx context.Context, cfg *Config, stdout io.Writer) error {
	_, port, _ := net.SplitHostPort(cfg.HTTPAddr) // LoadConfig has checked it
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_, _ = stdout.Write(body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: not ready (%s)", resp.Status)
	}
	return nil
}
