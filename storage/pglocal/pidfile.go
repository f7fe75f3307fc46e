package pglocal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pidFile is the lock file a running postmaster keeps in its data dir.
const pidFile = "postmaster.pid"

type pidState int

const (
	pidUnknown pidState = iota // cannot tell; postgres decides
	pidGone                    // no such process; postgres removes the file itself
	pidZombie                  // a postmaster that exited unreaped; postgres would take it for live
	pidOther                   // the pid was reused by an unrelated process
	pidLive                    // a postmaster is serving this data dir
)

// checkPIDFile returns the pid of a live postmaster serving dataDir, and 0
// when there is none. It removes a lock file left by a crash whose pid now
// belongs to another process: postgres already ignores a lock file whose pid
// is gone, but it refuses one whose pid was reused, which after a container
// restart is likely, as pids restart from 1 there, and one whose postmaster
// is a zombie, which it would take for a live server.
func checkPIDFile(ctx context.Context, dataDir string) (int, error) {
	path := filepath.Join(dataDir, pidFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", pidFile, err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, removeStale(path) // a torn write from a crash; postgres would refuse it
	}
	switch postmasterState(pid, dataDir) {
	case pidLive:
		return pid, nil
	case pidOther:
		return 0, removeStale(path)
	case pidZombie:
		return 0, clearDeadPIDFile(ctx, dataDir)
	}
	return 0, nil
}

// clearDeadPIDFile removes the lock file of a postmaster that is dead but
// was never reaped, once none of its backends runs any more. Postgres would
// check that itself through the shared memory key in the file; here it is a
// look for processes whose working directory is the data dir, as every
// process of a cluster's has.
func clearDeadPIDFile(ctx context.Context, dataDir string) error {
	ctx, cancel := context.WithTimeout(ctx, escalateAfter)
	defer cancel()
	tick := time.NewTicker(leftoverPoll)
	defer tick.Stop()
	for {
		pids := processesIn(dataDir)
		if len(pids) == 0 {
			return removeStale(filepath.Join(dataDir, pidFile))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres processes %v of a dead postmaster still run in %s", pids, dataDir)
		case <-tick.C:
		}
	}
}

// processesIn lists the live processes whose working directory is dir.
// Zombies have none, so they are not listed.
func processesIn(dir string) []int {
	want, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if fi, err := os.Stat(filepath.Join("/proc", e.Name(), "cwd")); err == nil && os.SameFile(fi, want) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func removeStale(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", pidFile, err)
	}
	return nil
}

// postmasterState tells from /proc whether pid is a postmaster serving
// dataDir: a postmaster's working directory is its data dir. Without /proc
// (not Linux) it answers pidUnknown and leaves the decision to postgres.
func postmasterState(pid int, dataDir string) pidState {
	if _, err := os.Stat("/proc/self"); err != nil {
		return pidUnknown
	}
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	comm, err := os.ReadFile(filepath.Join(proc, "comm"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pidGone
	case err != nil:
		return pidUnknown
	case strings.TrimSpace(string(comm)) != "postgres":
		return pidOther
	case processGone(pid):
		return pidZombie
	}
	cwd, err := os.Readlink(filepath.Join(proc, "cwd"))
	if err != nil {
		return pidUnknown
	}
	if sameDir(cwd, dataDir) {
		return pidLive
	}
	return pidOther
}

func sameDir(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
