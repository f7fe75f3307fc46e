package pglocal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// serverUser is the account initdb, pg_ctl and postgres run as when Indigo
// runs as root, because all three refuse to run as root.
const serverUser = "postgres"

// owner is the account the server binaries run as; nil cred means "as this
// process".
type owner struct {
	cred *syscall.Credential
	gids map[uint32]bool // cred's primary and supplementary groups
}

// lookupOwner returns the unprivileged account to run the server as when
// this process is root, and the zero owner otherwise.
func lookupOwner() (owner, error) {
	if os.Geteuid() != 0 {
		return owner{}, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return owner{}, fmt.Errorf("running as root: create an unprivileged %q user (apt-get install -y postgresql does) or run as a normal user: %w", serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return owner{}, fmt.Errorf("parse ids of user %q: %w", serverUser, err)
	}
	if uid == 0 {
		return owner{}, fmt.Errorf("running as root: user %q is uid 0, postgres needs an unprivileged account", serverUser)
	}
	o := owner{
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)},
		gids: map[uint32]bool{uint32(gid): true},
	}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.ParseUint(id, 10, 32); err == nil {
				o.gids[uint32(n)] = true
				o.cred.Groups = append(o.cred.Groups, uint32(n))
			}
		}
	}
	return o, nil
}

// prepareDataDir creates dir (mode 0700, as initdb wants) and, when the
// server runs as another account, hands dir over to it and makes sure it can
// reach dir at all.
func (o owner) prepareDataDir(dir string) error {
	created := missingDirs(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if o.cred == nil {
		return nil
	}
	// Parents this launcher created are its own business, so it opens them
	// for traversal; parents that existed before are left alone and checked.
	for _, d := range created {
		if d == dir {
			continue
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("open data dir parent %s: %w", d, err)
		}
	}
	if err := o.checkReachable(dir); err != nil {
		return err
	}
	return o.chownTree(dir)
}

// missingDirs lists dir and those of its parents that do not exist yet.
func missingDirs(dir string) []string {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			return missing
		}
	}
}

// checkReachable fails when a parent of dir is not searchable by the server
// account: t.TempDir()'s 0700 root-owned directories and /root are typical.
func (o owner) checkReachable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// prepareDataDir will create it searchable; placeDataDir asks
			// before that.
		case err != nil:
			return fmt.Errorf("check data dir parent: %w", err)
		case !o.canSearch(fi):
			return fmt.Errorf("running as root, postgres runs as user %q (uid %d), which cannot reach data dir %s: "+
				"parent %s is not searchable; choose a data dir whose parents are, or chmod o+x %s",
				serverUser, o.cred.Uid, dir, d, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (o owner) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // cannot tell; let the server report it
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == o.cred.Uid:
		return perm&0o100 != 0
	case o.gids[st.Gid]:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// chownTree gives dir and everything in it to the server account. It walks
// only when dir's owner differs, so a reused cluster costs one stat.
func (o owner) chownTree(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("stat data dir: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == o.cred.Uid {
		return nil
	}
	uid, gid := int(o.cred.Uid), int(o.cred.Gid)
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("give data dir to user %q: %w", serverUser, err)
	}
	return nil
}

// sysProcAttr makes a command run as the server account.
func (o owner) sysProcAttr() *syscall.SysProcAttr {
	if o.cred == nil {
		return nil
	}
	return &syscall.SysProcAttr{Credential: o.cred}
}
