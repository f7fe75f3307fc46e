package pglocal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRelocate: as root, a data dir the server account cannot reach (here
// under t.TempDir()'s 0700 parent, as a checkout under /root would be) gets
// its cluster under RootFallbackDir, in the same place on every start, so the
// data survives restarts, also after the parent has become reachable.
func TestRelocate(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pg")
	opts := Options{DataDir: dir, RootFallbackDir: mustDataDir(t)}

	first := mustStart(t, opts)
	if !strings.HasPrefix(first.DataDir(), opts.RootFallbackDir+string(filepath.Separator)) {
		t.Fatalf("DataDir() = %s, want it under %s", first.DataDir(), opts.RootFallbackDir)
	}
	if _, err := mustConnect(t, first, "postgres").Exec(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('relocated')`); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	origin, err := os.ReadFile(filepath.Join(filepath.Dir(first.DataDir()), originName))
	if err != nil || strings.TrimSpace(string(origin)) != dir {
		t.Errorf("origin note = %q, %v; want %s", origin, err, dir)
	}

	for _, tt := range []struct {
		name  string
		setup func(t *testing.T)
	}{
		{"Restart", func(*testing.T) {}},
		{"ParentReachableNow", func(t *testing.T) {
			for _, d := range []string{filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			c := mustStart(t, opts)
			if c.DataDir() != first.DataDir() {
				t.Errorf("DataDir() = %s, want %s as before", c.DataDir(), first.DataDir())
			}
			wantRow(t, c, "relocated")
			if err := c.Stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// wantRow checks that the row written through a killed owner survived.
func wantRow(t *testing.T, c *Cluster, v string) {
	t.Helper()
	var n int
	if err := mustConnect(t, c, "postgres").QueryRow(context.Background(), `SELECT count(*) FROM kept WHERE v = $1`, v).Scan(&n); err != nil {
		t.Fatalf("read kept row: %v", err)
	}
	if n != 1 {
		t.Errorf("rows %q after the restart = %d, want 1", v, n)
	}
}
