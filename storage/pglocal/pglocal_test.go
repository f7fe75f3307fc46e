package pglocal

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// mustDataDir returns a data dir path the "postgres" user can reach when the
// tests run as root: t.TempDir()'s parent is 0700 and root-owned, so the
// cluster goes in its own directory directly under os.TempDir().
func mustDataDir(tb testing.TB) string {
	tb.Helper()
	parent, err := os.MkdirTemp("", "pglocal-test-")
	if err != nil {
		tb.Fatalf("create temp dir: %v", err)
	}
	if err := os.Chmod(parent, 0o755); err != nil {
		tb.Fatalf("open temp dir: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(parent) })
	return filepath.Join(parent, "pg")
}

// mustStart starts a cluster and stops it at the end of the test.
func mustStart(tb testing.TB, opts Options) *Cluster {
	tb.Helper()
	c, err := Start(context.Background(), opts)
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Errorf("Stop: %v", err)
		}
	})
	return c
}

func mustConnect(tb testing.TB, c *Cluster, database string) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL(database))
	if err != nil {
		tb.Fatalf("connect to %s: %v", database, err)
	}
	tb.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func TestStart(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := mustStart(t, Options{DataDir: mustDataDir(t), Ephemeral: true})
		if c.Port() == 0 {
			t.Fatal("Port() = 0")
		}
		want := "postgres://indigo@127.0.0.1:" + strconv.Itoa(c.Port()) + "/postgres?sslmode=disable"
		if got := c.URL("postgres"); got != want {
			t.Errorf("URL = %q, want %q", got, want)
		}
		var one int
		if err := mustConnect(t, c, "postgres").QueryRow(context.Background(), `SELECT 1`).Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
	})
	t.Run("MaxConnections", func(t *testing.T) {
		c := mustStart(t, Options{DataDir: mustDataDir(t), Ephemeral: true, MaxConnections: 240})
		var got string
		if err := mustConnect(t, c, "postgres").QueryRow(context.Background(), `SHOW max_connections`).Scan(&got); err != nil || got != "240" {
			t.Fatalf("max_connections = %q, %v; want 240", got, err)
		}
	})
	t.Run("ErrNoBinaries", func(t *testing.T) {
		_, err := Start(context.Background(), Options{DataDir: mustDataDir(t), BinDir: t.TempDir()})
		if !errors.Is(err, ErrNoBinaries) {
			t.Fatalf("err = %v, want ErrNoBinaries", err)
		}
		if !strings.Contains(err.Error(), "apt-get install -y postgresql") {
			t.Errorf("err = %q, does not name the package", err)
		}
	})
	t.Run("ErrInUse", func(t *testing.T) {
		dir := mustDataDir(t)
		mustStart(t, Options{DataDir: dir, Ephemeral: true})
		_, err := Start(context.Background(), Options{DataDir: dir})
		if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "live process "+strconv.Itoa(os.Getpid())) {
			t.Fatalf("second Start err = %v, want ErrInUse naming this process", err)
		}
	})
	t.Run("ErrStartQuotesLog", func(t *testing.T) {
		dir := mustDataDir(t)
		c := mustStart(t, Options{DataDir: dir})
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
		// A cluster from another major version makes postgres refuse to start.
		if err := os.WriteFile(filepath.Join(dir, "PG_VERSION"), []byte("9\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Start(context.Background(), Options{DataDir: dir})
		if err == nil || !strings.Contains(err.Error(), "incompatible with server") {
			t.Fatalf("err = %v, want the log's reason", err)
		}
	})
	t.Run("ErrUnreachableParent", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root hands the cluster to another user")
		}
		// t.TempDir() is under a 0700 root-owned directory.
		_, err := Start(context.Background(), Options{DataDir: filepath.Join(t.TempDir(), "pg")})
		if err == nil || !strings.Contains(err.Error(), "chmod o+x") {
			t.Fatalf("err = %v, want a hint to chmod o+x", err)
		}
	})
}

func TestCreateDatabase(t *testing.T) {
	c := mustStart(t, Options{DataDir: mustDataDir(t), Ephemeral: true})
	ctx := context.Background()
	for range 2 { // the second call finds it and must not fail
		if err := c.CreateDatabase(ctx, "indigo-app"); err != nil {
			t.Fatalf("CreateDatabase: %v", err)
		}
	}
	var db string
	if err := mustConnect(t, c, "indigo-app").QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	if db != "indigo-app" {
		t.Errorf("current_database() = %q", db)
	}
}

// TestRestart stops a durable cluster and starts it again on the same dir,
// cleanly and after crashes that left a stale postmaster.pid behind.
func TestRestart(t *testing.T) {
	dir := mustDataDir(t)
	ctx := context.Background()
	first := mustStart(t, Options{DataDir: dir})
	if _, err := mustConnect(t, first, "postgres").Exec(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')`); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	for _, tt := range []struct {
		name string
		pid  func(t *testing.T) int // pid written into a stale postmaster.pid; 0 writes none
	}{
		{"Clean", func(*testing.T) int { return 0 }},
		{"StalePIDGone", exitedPID},
		{"StalePIDReused", func(*testing.T) int { return os.Getpid() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if pid := tt.pid(t); pid != 0 {
				writeStalePIDFile(t, dir, pid)
			}
			c := mustStart(t, Options{DataDir: dir})
			rows, _ := mustConnect(t, c, "postgres").Query(ctx, `SELECT v FROM kept`) // CollectRows reports its error
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatalf("read kept rows: %v", err)
			}
			if diff := cmp.Diff([]string{"hello"}, got); diff != "" {
				t.Errorf("kept rows (-want +got):\n%s", diff)
			}
			if err := c.Stop(); err != nil {
				t.Fatalf("Stop: %v", err)
			}
		})
	}
}

// exitedPID returns the pid of a process that has exited.
func exitedPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run true: %v", err)
	}
	return cmd.Process.Pid
}

// writeStalePIDFile leaves a lock file as a crashed postmaster would.
func writeStalePIDFile(t *testing.T, dir string, pid int) {
	t.Helper()
	body := strconv.Itoa(pid) + "\n" + dir + "\n1700000000\n5432\n\n127.0.0.1\n"
	path := filepath.Join(dir, pidFile)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		o, err := lookupOwner()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, int(o.cred.Uid), int(o.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDebianBinDirs(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "10", "16", "9.5"} {
		if err := os.Mkdir(filepath.Join(root, v), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, d := range debianBinDirs(root) {
		got = append(got, filepath.Base(filepath.Dir(d)))
	}
	if diff := cmp.Diff([]string{"16", "15", "10", "9.6", "9.5"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
