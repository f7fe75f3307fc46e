package main

import (
	"context"
	"net/http"
	"testing"
)

// TestHealthzWhileWorkersBusy: every worker holds a transaction at once
// (a chat turn in a long WB call, say), and /healthz still gets a
// connection and answers 200. Not parallel: it takes most of what the
// test cluster allows.
func TestHealthzWhileWorkersBusy(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	if got := m.DB.Pool.Config().MaxConns; got != poolSize() {
		t.Fatalf("pool of %d connections, want %d", got, poolSize())
	}
	// The listeners already hold theirs; the rest go to the workers.
	for m.DB.Pool.Stat().AcquiredConns() < workerConns() {
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
