//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

// becomeSubreaper does nothing: only Linux has child subreapers.
func becomeSubreaper() {}

// waitProcessGone polls until pid has exited and returns the time since
// since; -1 when it still runs after timeout.
func waitProcessGone(pid int, timeout time.Duration, since time.Time) time.Duration {
	deadline := time.Now().Add(timeout)
	for !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		if time.Now().After(deadline) {
			return -1
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(since)
}
