// Package pgtest gives tests a real, freshly migrated PostgreSQL database.
//
// One private cluster per test binary is started by storage/pglocal, the same
// launcher `indigo serve` uses; a template database is migrated once, and
// each New(t) clones it (CREATE DATABASE … TEMPLATE), which takes
// milliseconds. A package that uses it declares
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// so the cluster is stopped when its tests end. A binary killed before that
// takes its postgres with it (pglocal's parent-death signal), and the next
// one to start removes its cluster dir. It never skips: without PostgreSQL's
// binaries it fails, naming the package to install.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pglocal"
)

// SecretKey is the token key every test database uses.
var SecretKey = []byte("indigo-test-secret-key-32-bytes!")

const template = "indigo_template"

var (
	once     sync.Once
	cluster  *pglocal.Cluster
	startErr error
	seq      atomic.Int64
)

// Main runs a package's tests and stops the cluster afterwards.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop postgres:", err)
		}
	}
	os.Exit(code)
}

// clusterPrefix names each test binary's cluster dir in the temp dir.
const clusterPrefix = "indigo-pgtest-"

func start() (*pglocal.Cluster, error) {
	once.Do(func() {
		ctx := context.Background()
		reapAbandoned(ctx)
		dir, err := os.MkdirTemp("", clusterPrefix)
		if err != nil {
			startErr = fmt.Errorf("create cluster dir: %w", err)
			return
		}
		cluster, startErr = pglocal.Start(ctx, pglocal.Options{DataDir: dir, Ephemeral: true})
		if startErr != nil {
			return
		}
		startErr = migrateTemplate(ctx)
	})
	return cluster, startErr
}

// reapAbandoned removes the clusters of test binaries that died without
// stopping theirs, killed by go test -timeout or by hand. Their postgres has
// exited with them (or is stopped now); their data dirs would pile up in the
// temp dir. Clusters of live test binaries are locked and left alone.
func reapAbandoned(ctx context.Context) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterPrefix+"*"))
	for _, dir := range dirs {
		if _, err := pglocal.RemoveAbandoned(ctx, dir, nil); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
}

func migrateTemplate(ctx context.Context) error {
	if err := cluster.CreateDatabase(ctx, template); err != nil {
		return err
	}
	db, err := storage.Open(ctx, cluster.URL(template), SecretKey)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx, nil)
}

// New returns a fresh, migrated database for one test, dropped at its end.
func New(tb testing.TB) *storage.DB {
	tb.Helper()
	url := NewURL(tb)
	db, err := storage.Open(context.Background(), url, SecretKey)
	if err != nil {
		tb.Fatalf("pgtest: open database: %v", err)
	}
	tb.Cleanup(db.Close)
	return db
}

// NewURL creates a fresh, migrated database and returns its URL, for tests
// that open it themselves (the end-to-end test passes it as DATABASE_URL).
func NewURL(tb testing.TB) string {
	tb.Helper()
	c, err := start()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	ctx := context.Background()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), seq.Add(1))
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+template); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			tb.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return c.URL(name)
}
