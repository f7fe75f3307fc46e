package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestHealthzWhileWorkersBusy: every long holder holds its connection at
// once (each WeChat callback in a long WB call, say), and /healthz still
// gets one and answers 200.
func TestHealthzWhileWorkersBusy(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	if got := m.DB.Pool.Config().MaxConns; got != poolSize() {
		t.Fatalf("pool of %d connections, want %d", got, poolSize())
	}
	// The listeners already hold theirs; the rest go to the workers.
	for m.DB.Pool.Stat().AcquiredConns() < longConns() {
		tx, err := m.DB.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tx.Rollback(ctx) })
		if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status with every worker busy = %d", resp.StatusCode)
	}
}

// TestPoolMustFitServer: a pool the server has no room for is refused at
// start, saying what to change, rather than left to starve.
func TestPoolMustFitServer(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{
		"DATABASE_URL":      pgtest.NewURL(t) + "&pool_max_conns=100000",
		"INDIGO_SECRET_KEY": goodKey,
		"HTTP_ADDR":         "127.0.0.1:0",
		"INDIGO_DATA_DIR":   t.TempDir(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer m.Close()
	err = m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "raise max_connections") || !strings.Contains(err.Error(), "100000") {
		t.Fatalf("err = %v, want a refusal naming max_connections and the pool", err)
	}
}
