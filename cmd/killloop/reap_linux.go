package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// becomeSubreaper makes orphans of indigo (its postmaster, once indigo is
// killed) this process's children rather than init's, so that their exit is
// seen and they are reaped: the init of some containers never reaps.
func becomeSubreaper() {
	const prSetChildSubreaper = 36
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}

// waitProcessGone polls until pid has exited, reaping it when it is our
// child, and returns the time since since; -1 when it still runs after
// timeout.
func waitProcessGone(pid int, timeout time.Duration, since time.Time) time.Duration {
	deadline := time.Now().Add(timeout)
	for {
		_, _ = syscall.Wait4(pid, nil, syscall.WNOHANG, nil)
		if gone(pid) {
			return time.Since(since)
		}
		if time.Now().After(deadline) {
			return -1
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gone reports whether pid has exited; a zombie has.
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X'
}
