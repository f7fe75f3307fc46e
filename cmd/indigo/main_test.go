package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// daytime is a clock running at real speed from the next 12:00 UTC, so
// that a test run at night is not held by the sellers' quiet hours.
func daytime() func() time.Time {
	now := time.Now().UTC()
	noon := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC)
	if !noon.After(now) {
		noon = noon.AddDate(0, 0, 1)
	}
	shift := noon.Sub(now)
	return func() time.Time { return time.Now().Add(shift) }
}

// MustRunMain starts the real service on a fresh test database and a free
// port, and stops it when the test ends.
func MustRunMain(tb testing.TB, env map[string]string) *Main {
	tb.Helper()
	return runMain(tb, env, nil)
}

// runMain is MustRunMain with Telegram's sends paced on clock (nil: the
// wall clock).
func runMain(tb testing.TB, env map[string]string, clock telegram.Clock) *Main {
	tb.Helper()
	full := map[string]string{
		"DATABASE_URL":      pgtest.NewURL(tb),
		"INDIGO_SECRET_KEY": goodKey,
		"HTTP_ADDR":         "127.0.0.1:0",
		"INDIGO_DATA_DIR":   tb.TempDir(),
	}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := LoadConfig(envOf(full))
	if err != nil {
		tb.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Now: daytime(), Clock: clock})
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return m
}

func (m *Main) URL() string { return "http://" + m.HTTPAddr.String() }

func TestHealthz(t *testing.T) {
	m := MustRunMain(t, nil)
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	m.stopJobs() // the outbox listener holds a connection the pool waits for
	m.DB.Close()
	// Alive still (a restart would not bring the database back), but not
	// ready: a load balancer stops sending traffic to it.
	if st := get(t, m.URL()+"/healthz"); st != http.StatusOK {
		t.Fatalf("healthz without a database = %d, want alive", st)
	}
	if st, _ := readyz(t, m); st != http.StatusServiceUnavailable {
		t.Fatalf("readyz without a database = %d", st)
	}
}

// TestEmbeddedDefault runs `indigo serve` with no DATABASE_URL twice on one
// data dir: the first start creates the cluster and a secret key, the
// second reuses both.
func TestEmbeddedDefault(t *testing.T) {
	dir := searchableTempDir(t)
	env := map[string]string{"INDIGO_DATA_DIR": dir, "HTTP_ADDR": "127.0.0.1:0"}
	start := func() *Main {
		cfg, err := LoadConfig(envOf(env))
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		m := NewMain(cfg, slog.New(slog.NewTextHandler(&logs, nil)), Options{})
		if err := m.Run(context.Background()); err != nil {
			m.Close()
			t.Fatalf("run: %v\n%s", err, logs.String())
		}
		return m
	}
	m := start()
	key1, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "secret.key")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key mode = %v", fi.Mode().Perm())
	}
	if _, err := m.DB.Pool.Exec(context.Background(), `INSERT INTO sellers (name) VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = start()
	defer m.Close()
	key2, _ := os.ReadFile(filepath.Join(dir, "secret.key"))
	if !bytes.Equal(key1, key2) {
		t.Fatal("secret key regenerated on restart")
	}
	var n int
	if err := m.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sellers WHERE name = 'kept'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("data after restart: %d rows, %v", n, err)
	}
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after restart: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestRunCommands(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantOut string
		wantErr string
	}{
		{"Version", []string{"version"}, nil, "indigo ", ""},
		{"Help", []string{"help"}, nil, "usage: indigo", ""},
		{"ErrUnknown", []string{"launch"}, nil, "", `unknown command "launch"`},
		{"ErrConfig", []string{"serve"}, map[string]string{"HTTP_ADDR": "nope"}, "", "HTTP_ADDR"},
		{"ErrDemoFlag", []string{"demo", "--every=soon"}, nil, "", `invalid value "soon" for flag -every`},
		{"Migrate", []string{"migrate"}, map[string]string{"DATABASE_URL": pgtest.NewURL(t), "INDIGO_SECRET_KEY": goodKey}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, envOf(tt.env), &out, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out.String(), tt.wantOut) {
				t.Fatalf("out = %q, err = %v", out.String(), err)
			}
		})
	}
}

// searchableTempDir is t.TempDir for data dirs that the embedded PostgreSQL
// must reach: when tests run as root, the server runs as the postgres user,
// and t.TempDir's parents are mode 0700.
func searchableTempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "indigo-test-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
