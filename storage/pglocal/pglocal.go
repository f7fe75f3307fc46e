// Package pglocal runs a private PostgreSQL cluster from the server binaries
// installed on the machine: `indigo serve` uses one when DATABASE_URL is
// unset, and storage/pgtest starts a throwaway one per test binary.
//
// It owns the cluster's life: finding the binaries (PATH, then
// /usr/lib/postgresql/*/bin), initdb on first use, start on a free loopback
// port with unix sockets off, creating databases, and fast shutdown. The
// server listens on 127.0.0.1 only and trusts every local connection as the
// superuser "indigo", so it must not be used where other local users are
// untrusted.
//
// The server follows the process that started it. Postgres runs as a child
// of that process with a parent-death signal (Linux), so it shuts down when
// the process dies, even by SIGKILL. The data dir's lock file (indigo.lock)
// is flocked for as long as the Cluster runs: a start finding the lock held
// refuses (ErrInUse), and one finding it free stops whatever postmaster a
// dead owner left behind before starting its own. RemoveAbandoned reaps
// ephemeral clusters whose owner died.
//
// When Indigo runs as root the binaries run as the "postgres" system user,
// because initdb and postgres refuse root. That user then owns DataDir, and
// every parent of DataDir must be searchable by it (o+x): Start says which
// one is not, or with Options.RootFallbackDir moves the cluster there.
//
// The server log is DataDir/postgres.log; a failed start quotes its tail.
package pglocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Superuser is the role initdb creates; URL connects as it.
const Superuser = "indigo"

const (
	logName       = "postgres.log"
	startAttempts = 3  // a free port can be taken between picking and binding it
	waitSeconds   = 60 // pg_ctl's -t for start and stop
	logTailLines  = 20
)

// Options configure a cluster.
type Options struct {
	// DataDir holds the cluster. It is created if missing and reused if it
	// already holds a cluster, so data survives restarts.
	DataDir string
	// Logger gets one line per start and stop; nil discards them.
	Logger *slog.Logger
	// Ephemeral trades durability for speed, for tests: no fsync, no full
	// page writes, and DataDir is removed on Stop.
	Ephemeral bool
	// BinDir, when set, is the only directory searched for initdb, pg_ctl
	// and postgres.
	BinDir string
	// MaxConnections is the server's max_connections; 0 keeps
	// PostgreSQL's default (100). Three of them are reserved for
	// superusers, as always.
	MaxConnections int
	// RootFallbackDir, when set, is where the cluster goes if this process
	// is root and the server account cannot reach DataDir: a subdirectory
	// named by a hash of DataDir, logged, stable across restarts. Unset, such
	// a DataDir is an error that names the parent to open.
	RootFallbackDir string
}

// Cluster is a running PostgreSQL server started by Start.
type Cluster struct {
	dataDir   string
	binDir    string
	port      int
	version   string
	ephemeral bool
	maxConns  int
	owner     owner
	log       *slog.Logger
	lock      *dirLock // held from takeOver until Stop
	srv       *server

	stopOnce sync.Once
	stopErr  error
}

// Start initialises opts.DataDir if it holds no cluster yet, starts the
// server on a free port of 127.0.0.1 and waits until it accepts connections.
// A postmaster left running in DataDir by a dead owner is stopped first. The
// error wraps ErrNoBinaries when the server binaries are missing and
// ErrInUse when a live process runs DataDir.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	c, err := newCluster(opts)
	if err != nil {
		return nil, err
	}
	if err := c.initIfEmpty(ctx); err != nil {
		return nil, err
	}
	if err := c.takeOver(ctx); err != nil {
		return nil, err
	}
	if err := c.startServer(ctx); err != nil {
		c.lock.release()
		return nil, err
	}
	if err := c.ping(ctx); err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	c.log.Info("postgres started", "data_dir", c.dataDir, "port", c.port, "pid", c.srv.proc.Pid,
		"version", c.version, "ephemeral", c.ephemeral)
	return c, nil
}

// newCluster finds the binaries and the account to run them as, and
// prepares the data dir, relocated when it has to be.
func newCluster(opts Options) (*Cluster, error) {
	if opts.DataDir == "" {
		return nil, errors.New("start postgres: no data dir")
	}
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir: %w", err)
	}
	binDir, err := findBinaries(opts.BinDir)
	if err != nil {
		return nil, err
	}
	own, err := lookupOwner()
	if err != nil {
		return nil, err
	}
	c := &Cluster{binDir: binDir, ephemeral: opts.Ephemeral, maxConns: opts.MaxConnections, owner: own, log: opts.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	place, why := own.placeDataDir(dir, opts.RootFallbackDir)
	if err := own.prepareDataDir(place); err != nil {
		return nil, err
	}
	if place != dir {
		writeOrigin(place, dir)
		c.log.Warn("postgres cannot use the data dir: the cluster lives elsewhere",
			"data_dir", dir, "cluster_dir", place, "reason", why.Error())
	}
	c.dataDir = place
	return c, nil
}

// URL returns the address of database on this cluster, for pgx or
// DATABASE_URL.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port returns the TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// DataDir returns the absolute path of the cluster's data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// CreateDatabase creates database name unless it exists already.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := conn.QueryRow(ctx, q, name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // duplicate_database: a concurrent caller won the race
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down with a fast shutdown, which rolls back open
// transactions and disconnects clients, and releases the data dir. An
// ephemeral cluster's data dir is removed. Calling Stop again returns the
// first call's result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		if c.srv != nil {
			c.stopErr = c.srv.stop(waitSeconds * time.Second)
		}
		if c.ephemeral {
			if err := os.RemoveAll(c.dataDir); err != nil {
				c.stopErr = errors.Join(c.stopErr, fmt.Errorf("remove data dir: %w", err))
			}
		}
		c.lock.release() // last: until the server is gone the dir is ours
		c.log.Info("postgres stopped", "data_dir", c.dataDir, "port", c.port)
	})
	return c.stopErr
}

// initIfEmpty runs initdb unless DataDir holds a cluster already.
func (c *Cluster) initIfEmpty(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	args := []string{"-D", c.dataDir, "-U", Superuser, "-A", "trust", "--encoding=UTF8", "--locale=C"}
	if c.ephemeral {
		args = append(args, "--no-sync")
	}
	out, err := c.command(ctx, "initdb", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", c.dataDir, err, lastLines(out, logTailLines))
	}
	return nil
}

// ping opens a real connection, since pg_ctl -w only reads the lock file,
// and records the server version for the start log line.
func (c *Cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to started postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(ctx, `SHOW server_version`).Scan(&c.version); err != nil {
		return fmt.Errorf("query postgres version: %w", err)
	}
	return nil
}

// command runs a short-lived server binary (initdb, pg_ctl) as the server
// account, in the data dir so that an unreadable working directory (such as
// /root) does not matter, and without PG* variables, which could point it at
// another cluster.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dataDir
	cmd.SysProcAttr = c.owner.sysProcAttr()
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = serverEnv()
	return cmd
}

// freePort asks the kernel for a free loopback port. It is released before
// postgres binds it, so another process may take it first; startServer
// retries then.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a port for postgres: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readTail returns what was appended to path after offset.
func readTail(path string, offset int64) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.NewSectionReader(f, offset, 1<<20))
	return b
}

// lastLines returns the last n lines of b, indented for an error message.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\t" + strings.Join(lines, "\n\t")
}

// oneLine joins pg_ctl's few lines of output for an error message.
func oneLine(out []byte) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(string(out), "\n", " ; ")), " ")
}
