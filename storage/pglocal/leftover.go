package pglocal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	leftoverWaitSeconds = 30 // pg_ctl's -t for each stop mode
	leftoverPoll        = 50 * time.Millisecond
)

// takeOver locks the data dir for this Cluster and deals with a postmaster
// still running in it. Holding the lock proves its owner is dead, so a
// postmaster of a dir this launcher has run before is a leftover: it is
// stopped, and the start that follows gets a server of its own, with a
// parent-death signal. A postmaster in a dir never locked before was started
// by someone else (pg_ctl, an older Indigo) and is refused as before.
func (c *Cluster) takeOver(ctx context.Context) error {
	lock, existed, err := lockDataDir(c.dataDir, c.ephemeral, c.owner)
	if err != nil {
		return err
	}
	pid, err := checkPIDFile(ctx, c.dataDir)
	if err == nil && pid != 0 && !existed {
		err = fmt.Errorf("%w: data dir %s is in use by a running postgres (pid %d) that Indigo did not start: stop it first (pg_ctl stop -D %s)",
			ErrInUse, c.dataDir, pid, c.dataDir)
	}
	if err == nil && pid != 0 {
		err = c.stopLeftover(ctx, pid)
	}
	if err != nil {
		lock.release()
		return err
	}
	c.lock = lock
	return nil
}

// stopLeftover stops the postmaster pid that a dead owner left in the data
// dir: pg_ctl's fast mode first (a checkpoint, every session ended),
// immediate mode when that does not finish (the next start replays the WAL,
// so nothing committed is lost either), SIGKILL last. After a parent-death
// signal the postmaster is often shutting down already; pg_ctl then just
// waits for it.
func (c *Cluster) stopLeftover(ctx context.Context, pid int) error {
	c.log.Warn("stopping the postgres a dead service left running", "data_dir", c.dataDir, "pid", pid)
	for _, mode := range []string{"fast", "immediate"} {
		out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", mode, "-w", "-t", strconv.Itoa(leftoverWaitSeconds)).CombinedOutput()
		if err == nil || processGone(pid) {
			return nil
		}
		c.log.Warn("pg_ctl stop failed", "mode", mode, "pid", pid, "err", err, "output", oneLine(out))
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill leftover postgres %d: %w", pid, err)
	}
	if err := waitGone(ctx, pid, escalateAfter); err != nil {
		return err
	}
	// A killed postmaster leaves its lock file, and may stay a zombie where
	// nothing reaps orphans; postgres would take that for a live server.
	return clearDeadPIDFile(ctx, c.dataDir)
}

// waitGone polls until pid has exited or timeout passes.
func waitGone(ctx context.Context, pid int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(leftoverPoll)
	defer tick.Stop()
	for !processGone(pid) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres %d to exit: %w", pid, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// processGone reports whether pid has exited. A zombie has: it holds no
// resources and only waits for a parent to reap it, which in a container
// whose init does not reap may be never.
func processGone(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		if _, statErr := os.Stat("/proc/self"); statErr == nil {
			return true // /proc works and has no such process
		}
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	// "pid (comm) S …": comm may hold spaces and parentheses, the state
	// follows the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// RemoveAbandoned removes an ephemeral cluster whose owner has died, such as
// one of a test binary killed by go test -timeout, stopping its postgres
// first should it still run. It leaves alone, and reports false for, a dir
// this launcher never locked, a cluster held by a live process, and a
// durable cluster, whose data matters.
func RemoveAbandoned(ctx context.Context, dataDir string, log *slog.Logger) (bool, error) {
	lock, info, held, err := tryLockExisting(dataDir)
	if err != nil || held || lock == nil {
		return false, err
	}
	defer lock.release()
	if !info.ephemeral {
		return false, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pid, err := checkPIDFile(ctx, dataDir)
	if err == nil && pid != 0 {
		err = stopAbandoned(ctx, dataDir, pid, log)
	}
	if err != nil {
		return false, fmt.Errorf("reap cluster %s: %w", dataDir, err)
	}
	if err := os.RemoveAll(dataDir); err != nil {
		return false, fmt.Errorf("remove abandoned cluster: %w", err)
	}
	log.Info("removed abandoned postgres cluster", "data_dir", dataDir, "owner_pid", info.pid)
	return true, nil
}

func stopAbandoned(ctx context.Context, dataDir string, pid int, log *slog.Logger) error {
	binDir, err := findBinaries("")
	if err != nil {
		return err
	}
	own, err := lookupOwner()
	if err != nil {
		return err
	}
	c := &Cluster{dataDir: dataDir, binDir: binDir, owner: own, log: log}
	return c.stopLeftover(ctx, pid)
}
