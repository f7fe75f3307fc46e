package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/indigo-warehouse/indigo/cmd/internal/indigoproc"
)

const stopTimeout = 70 * time.Second // indigo's HTTP shutdown and its outbox pass

// replica is one `indigo serve` slot: started, killed and started again.
// Its log goes, across its lives, to logPath.
type replica struct {
	n       int
	bin     string
	env     []string
	logPath string

	p *indigoproc.Process // the current life; nil before the first start
}

// start runs indigo serve on a free loopback port and waits until /healthz
// answers, at most timeout after the start. It returns the HTTP address.
func (r *replica) start(ctx context.Context, dataDir string, timeout time.Duration) (string, error) {
	logFile, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", fmt.Errorf("open log: %w", err)
	}
	p, err := indigoproc.Start(ctx, indigoproc.Options{Bin: r.bin, Env: r.env, DataDir: dataDir, Timeout: timeout, Log: logFile})
	if err != nil {
		logFile.Close()
		return "", err
	}
	go func() { <-p.Exited(); logFile.Close() }()
	r.p = p
	return p.Addr, nil
}

func (r *replica) running() bool { return r.p != nil && r.p.Running() }

// kill SIGKILLs indigo and waits until it is reaped.
func (r *replica) kill() {
	if r.running() {
		r.p.Kill()
	}
}

// terminate stops indigo as a supervisor would at the end, killing it if
// it does not stop in time.
func (r *replica) terminate() error {
	if !r.running() {
		return nil
	}
	_, err := r.p.Terminate(stopTimeout)
	return err
}
