package pglocal

import "syscall"

// parentDeathSignal is what the kernel sends postgres when the thread that
// started it ends (see spawn): SIGINT is postgres's fast shutdown, which
// disconnects the dead service's sessions and writes a checkpoint, so the
// next start finds a clean cluster. Tests set it to 0 to leave a postmaster
// behind on purpose.
var parentDeathSignal = syscall.SIGINT

// serverProcAttr runs postgres as the server account, in a process group of
// its own so that a terminal's Ctrl+C reaches only the service, which then
// stops postgres after its own shutdown, and with the parent-death signal.
// Go sets the signal after switching credentials, and the kernel clears it
// only on a change of credentials or a set-uid exec, neither of which follows,
// so it holds for a postgres run as the "postgres" user too.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: parentDeathSignal}
}
