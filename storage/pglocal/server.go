package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	readyPoll     = 20 * time.Millisecond
	escalateAfter = 10 * time.Second // for an immediate shutdown, then SIGKILL
)

// server is a postgres process this launcher started and waits for.
type server struct {
	proc    *os.Process
	done    chan struct{} // closed once the process has exited
	err     error         // its exit status, set before done is closed
	running atomic.Bool   // ready and not being stopped: an exit now is a crash
}

// startServer runs postgres itself as a child of this process, not through
// pg_ctl, which daemonizes it: only a child can be given a parent-death
// signal, so the server ends with the service however the service ends. A
// port taken between picking and binding it is retried on a fresh one.
func (c *Cluster) startServer(ctx context.Context) error {
	logPath := filepath.Join(c.dataDir, logName)
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		offset := fileSize(logPath)
		srv, err := c.spawn(port, logPath)
		if err != nil {
			return err
		}
		if err = c.waitReady(ctx, srv); err == nil {
			c.port, c.srv = port, srv
			srv.running.Store(true)
			return nil
		}
		_ = srv.stop(escalateAfter) // timed out or cancelled: do not leave it starting
		tail := readTail(logPath, offset)
		if attempt < startAttempts && bytes.Contains(tail, []byte("could not bind")) {
			c.log.Warn("postgres port taken, retrying", "port", port)
			continue
		}
		return fmt.Errorf("start postgres in %s: %w\nlast lines of %s:\n%s",
			c.dataDir, err, logPath, lastLines(tail, logTailLines))
	}
}

// spawn starts postgres with its output appended to the server log.
//
// The parent-death signal is sent when the thread that forked the child
// ends, not the process (go.dev/issue/27505): a goroutine that locks its
// thread and returns ends that thread, and any goroutine may run on the one
// a fork happened from. So one goroutine locks a thread, forks postgres from
// it and waits on it there until postgres exits; no other goroutine can run
// on that thread, so it lives exactly as long as the server needs it.
func (c *Cluster) spawn(port int, logPath string) (*server, error) {
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open postgres log: %w", err)
	}
	defer logFile.Close() // the child has its own copy
	if c.owner.cred != nil {
		_ = logFile.Chown(int(c.owner.cred.Uid), int(c.owner.cred.Gid))
	}
	cmd := exec.Command(filepath.Join(c.binDir, "postgres"), c.serverArgs(port)...)
	cmd.Dir, cmd.Env = c.dataDir, serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = serverProcAttr(c.owner.cred)

	srv := &server{done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: returning locked ends the thread, which nothing
		// needs once postgres is gone (or never started).
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		srv.proc = cmd.Process
		started <- nil
		srv.err = cmd.Wait()
		if srv.running.Load() {
			c.log.Error("postgres exited unexpectedly", "data_dir", c.dataDir, "err", srv.err)
		}
		close(srv.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("run postgres: %w", err)
	}
	return srv, nil
}

// serverArgs are postgres's command-line settings. The empty socket
// directory turns unix sockets off, so nothing is needed in
// /var/run/postgresql.
func (c *Cluster) serverArgs(port int) []string {
	args := []string{
		"-D", c.dataDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
	}
	if c.ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	if c.maxConns > 0 {
		args = append(args, "-c", "max_connections="+strconv.Itoa(c.maxConns))
	}
	return args
}

// waitReady waits until postgres says in its lock file that it accepts
// connections, as pg_ctl -w does, or until it exits. Crash recovery after a
// kill happens before "ready", so it is waited for too.
func (c *Cluster) waitReady(ctx context.Context, srv *server) error {
	ctx, cancel := context.WithTimeout(ctx, waitSeconds*time.Second)
	defer cancel()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	for !pidFileReady(c.dataDir, srv.proc.Pid) {
		select {
		case <-srv.done:
			return fmt.Errorf("postgres exited during start: %v", srv.err)
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres to accept connections: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// pidFileReady reports whether postmaster.pid names pid and, on its eighth
// line, the status "ready".
func pidFileReady(dataDir string, pid int) bool {
	b, err := os.ReadFile(filepath.Join(dataDir, pidFile))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(pid) &&
		strings.TrimSpace(lines[7]) == "ready"
}

// stop asks postgres for a fast shutdown (SIGINT: roll back open
// transactions, disconnect clients, write a checkpoint) and, when it does
// not end within grace, for an immediate one (SIGQUIT: the next start
// replays the WAL, so nothing committed is lost), then kills it.
func (s *server) stop(grace time.Duration) error {
	s.running.Store(false)
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, grace}, {syscall.SIGQUIT, escalateAfter}, {syscall.SIGKILL, escalateAfter}}
	for _, st := range steps {
		select {
		case <-s.done:
			return fmt.Errorf("stop postgres: it had exited already: %v", s.err)
		default:
		}
		if err := s.proc.Signal(st.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop postgres: %w", err)
		}
		timer := time.NewTimer(st.wait)
		select {
		case <-s.done:
			timer.Stop()
			if st.sig != syscall.SIGINT || s.err != nil {
				return fmt.Errorf("stop postgres: exited after %v: %v", st.sig, s.err)
			}
			return nil
		case <-timer.C:
		}
	}
	return errors.New("stop postgres: still running after SIGKILL")
}

// serverEnv is this process's environment without PG* variables, which
// could point the server binaries at another cluster.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}
