package pglocal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pidFile is the lock file a running postmaster keeps in its data dir.
const pidFile = "postmaster.pid"

type pidState int

const (
	pidUnknown pidState = iota // cannot tell; postgres decides
	pidGone                    // no such process; postgres removes the file itself
	pidOther                   // the pid was reused by an unrelated process
	pidLive                    // a postmaster is serving this data dir
)

// checkPIDFile refuses to start over a live postmaster and removes a lock
// file left by a crash whose pid now belongs to another process. Postgres
// already ignores a lock file whose pid is gone, but it refuses one whose
// pid was reused, which after a container restart is likely: pids restart
// from 1 there.
func checkPIDFile(dataDir string) error {
	path := filepath.Join(dataDir, pidFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", pidFile, err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return removeStale(path) // a torn write from a crash; postgres would refuse it
	}
	switch postmasterState(pid, dataDir) {
	case pidLive:
		return fmt.Errorf("data dir %s is in use by a running postgres (pid %d): stop it first", dataDir, pid)
	case pidOther:
		return removeStale(path)
	}
	return nil
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
