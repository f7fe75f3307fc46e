package pglocal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrInUse is wrapped in Start's error when another live process (or another
// Cluster in this one) runs the data dir: two services on one database is a
// real mistake, unlike a postgres left behind by a dead one.
var ErrInUse = errors.New("data dir in use")

// lockName is the file in the data dir whose flock(2) marks the process that
// runs the cluster. The kernel drops a flock when its holder dies, however it
// dies, so "the lock is free" means "the owner is gone" with no pid or start
// time to compare, both of which a restarted container reuses. The file stays;
// only the lock on it comes and goes.
const lockName = "indigo.lock"

// dirLock is a held data-dir lock. It keeps the *os.File reachable: a
// collected file is closed by its finalizer, which would drop the lock.
type dirLock struct {
	f *os.File
}

// lockDataDir takes dir's lock, creating the file on first use; existed says
// whether it was there before, that is whether this launcher has run the
// cluster before. The file then records this process, for the message another
// one gets, and whether the cluster is ephemeral, for RemoveAbandoned. Go opens
// files close-on-exec, so postgres never inherits the lock and cannot keep it
// after its owner dies.
func lockDataDir(dir string, ephemeral bool, own owner) (l *dirLock, existed bool, err error) {
	path := filepath.Join(dir, lockName)
	_, statErr := os.Stat(path)
	existed = statErr == nil
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("open lock file: %w", err)
	}
	if err := flockNB(f); err != nil {
		holder := readLockInfo(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, fmt.Errorf("%w: data dir %s is run by live process %s: stop it first", ErrInUse, dir, holder.pid)
		}
		return nil, false, fmt.Errorf("lock data dir: %w", err)
	}
	if own.cred != nil && !existed {
		// Owned like the rest of the dir, so a later unprivileged run can open it.
		_ = f.Chown(int(own.cred.Uid), int(own.cred.Gid))
	}
	if err := writeLockInfo(f, ephemeral); err != nil {
		f.Close()
		return nil, false, err
	}
	return &dirLock{f: f}, existed, nil
}

// release drops the lock; nil-safe so that error paths can call it freely.
func (l *dirLock) release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// tryLockExisting takes the lock of a dir that already has a lock file,
// never creating one: a dir without it was not started by this launcher and
// is not ours to touch. held reports a live owner.
func tryLockExisting(dir string) (l *dirLock, info lockInfo, held bool, err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, lockInfo{}, false, nil
	}
	if err != nil {
		return nil, lockInfo{}, false, fmt.Errorf("open lock file: %w", err)
	}
	info = readLockInfo(f)
	if err := flockNB(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, info, true, nil
		}
		return nil, info, false, fmt.Errorf("lock data dir %s: %w", dir, err)
	}
	return &dirLock{f: f}, info, false, nil
}

func flockNB(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// lockInfo is what the lock file says about the process that took it last.
type lockInfo struct {
	pid       string // "unknown" when unreadable
	ephemeral bool
}

// The file's two lines: the owner's pid, then "ephemeral" or "durable".
func writeLockInfo(f *os.File, ephemeral bool) error {
	kind := "durable"
	if ephemeral {
		kind = "ephemeral"
	}
	body := strconv.Itoa(os.Getpid()) + "\n" + kind + "\n"
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if _, err := f.WriteAt([]byte(body), 0); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	return nil
}

func readLockInfo(f *os.File) lockInfo {
	b := make([]byte, 64)
	n, _ := f.ReadAt(b, 0)
	lines := strings.Split(string(b[:n]), "\n")
	info := lockInfo{pid: "unknown"}
	if _, err := strconv.Atoi(lines[0]); err == nil {
		info.pid = lines[0]
	}
	info.ephemeral = len(lines) > 1 && lines[1] == "ephemeral"
	return info
}
