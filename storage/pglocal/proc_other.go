//go:build !linux

package pglocal

import "syscall"

// serverProcAttr runs postgres as the server account in a process group of
// its own. Only Linux has a parent-death signal; elsewhere a postgres whose
// service was killed keeps running until the next start stops it.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}
