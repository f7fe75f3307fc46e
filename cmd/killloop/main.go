// Command killloop checks that `indigo serve` on its embedded PostgreSQL
// comes back after a SIGKILL with nothing lost, as a supervisor restarting it
// after the OOM killer would need:
//
//	go run ./cmd/killloop -cycles 50
//
// It builds indigo, then in every cycle starts `indigo serve` on one fresh
// INDIGO_DATA_DIR (kept across cycles) and a free HTTP_ADDR, fails unless
// /healthz answers within -healthz-timeout of the start, checks that every
// row written before the earlier kills is there, writes one more and kills
// the service with SIGKILL. The rows go into a table of its own in the
// service's database, through the port the service logs in its
// "postgres started" line, as the superuser the embedded cluster trusts.
// A last start checks the last row and stops the service with SIGTERM.
//
// It prints each cycle's time to /healthz, how long the killed service's
// postmaster took to exit on its own (its parent-death signal), and how many
// starts found it still running and stopped it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/indigo-warehouse/indigo/cmd/internal/indigoproc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "killloop:", err)
		os.Exit(1)
	}
}

type options struct {
	cycles        int
	healthTimeout time.Duration
	keep          bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("killloop", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.cycles, "cycles", 50, "how many times to start and SIGKILL indigo serve")
	fs.DurationVar(&o.healthTimeout, "healthz-timeout", 10*time.Second, "longest wait from a start to /healthz answering")
	fs.BoolVar(&o.keep, "keep", false, "keep the data dir and the binary for inspection")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.cycles < 1 {
		return fmt.Errorf("-cycles %d: want at least 1", o.cycles)
	}
	// Orphaned postmasters come to this process instead of init, so their
	// exit can be seen and reaped (some containers' init never reaps).
	becomeSubreaper()

	tmp, bin, done, err := indigoproc.Workspace(ctx, "indigo-killloop-", o.keep, out)
	defer done()
	if err != nil {
		return err
	}
	l := &loop{opts: o, bin: bin, dataDir: filepath.Join(tmp, "data"), out: out}
	err = l.run(ctx)
	l.waitPostmasters()
	return err
}

// loop is one run of the kill loop: its settings and what it measured.
type loop struct {
	opts    options
	bin     string
	dataDir string
	out     io.Writer

	healthz   []time.Duration // per cycle, start to /healthz answering
	pmExit    []time.Duration // per kill, SIGKILL to the postmaster's own exit
	leftovers int             // starts that found the last postmaster still running
	exits     []chan time.Duration
}

func (l *loop) run(ctx context.Context) error {
	for cycle := 1; cycle <= l.opts.cycles; cycle++ {
		if err := l.cycle(ctx, cycle); err != nil {
			return fmt.Errorf("cycle %d: %w", cycle, err)
		}
	}
	if err := l.final(ctx); err != nil {
		return fmt.Errorf("final start: %w", err)
	}
	return l.summary()
}

// cycle starts indigo, checks the rows of the earlier cycles, writes this
// cycle's and kills indigo.
func (l *loop) cycle(ctx context.Context, n int) error {
	svc, err := l.start(ctx)
	if err != nil {
		return err
	}
	defer svc.kill() // on the error paths; a no-op after the kill below
	if err := checkRows(ctx, svc.dbURL(), n-1); err != nil {
		return err
	}
	if err := writeRow(ctx, svc.dbURL(), n); err != nil {
		return err
	}
	killed := time.Now()
	svc.kill()
	l.watchExit(svc.postmaster, killed)
	fmt.Fprintf(l.out, "cycle %d/%d: /healthz after %v, %d rows kept, killed\n",
		n, l.opts.cycles, svc.healthz.Round(time.Millisecond), n-1)
	return nil
}

// final starts indigo once more, checks every row and stops it cleanly.
func (l *loop) final(ctx context.Context) error {
	svc, err := l.start(ctx)
	if err != nil {
		return err
	}
	defer svc.kill()
	if err := checkRows(ctx, svc.dbURL(), l.opts.cycles); err != nil {
		return err
	}
	if err := svc.terminate(); err != nil {
		return err
	}
	fmt.Fprintf(l.out, "final start: /healthz after %v, all %d rows kept, stopped with SIGTERM\n",
		svc.healthz.Round(time.Millisecond), l.opts.cycles)
	return nil
}

// start runs indigo serve and records what its start took.
func (l *loop) start(ctx context.Context) (*service, error) {
	svc, err := startService(ctx, l.bin, l.dataDir, l.opts.healthTimeout)
	if err != nil {
		return nil, err
	}
	l.healthz = append(l.healthz, svc.healthz)
	if svc.stoppedLeftover {
		l.leftovers++
	}
	return svc, nil
}

// watchExit measures, in the background, how long the killed service's
// postmaster takes to exit; the next start does not wait for it.
func (l *loop) watchExit(pid int, killed time.Time) {
	ch := make(chan time.Duration, 1)
	l.exits = append(l.exits, ch)
	go func() { ch <- waitProcessGone(pid, 30*time.Second, killed) }()
}

// waitPostmasters collects the exit times, so that nothing still runs in
// the data dir when it is removed.
func (l *loop) waitPostmasters() {
	for _, ch := range l.exits {
		l.pmExit = append(l.pmExit, <-ch)
	}
	l.exits = nil
}

// summary prints what was measured. A postmaster that outlived its killed
// service for long is a failure: the next start would cope, but the server
// is meant to follow the service.
func (l *loop) summary() error {
	l.waitPostmasters()
	fmt.Fprintf(l.out, "\n%d kills, %d starts\n", l.opts.cycles, len(l.healthz))
	fmt.Fprintf(l.out, "time to /healthz:              %s\n", stats(l.healthz))
	fmt.Fprintf(l.out, "postmaster exit after SIGKILL: %s\n", stats(l.pmExit))
	fmt.Fprintf(l.out, "starts that stopped a leftover postmaster: %d\n", l.leftovers)
	if slices.ContainsFunc(l.pmExit, func(d time.Duration) bool { return d < 0 }) {
		return errors.New("a postmaster outlived its killed service by 30 s")
	}
	return nil
}

// stats formats p50, p90 and max; a negative duration is a postmaster that
// never exited by itself, counted apart.
func stats(ds []time.Duration) string {
	var ok []time.Duration
	for _, d := range ds {
		if d >= 0 {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return fmt.Sprintf("none of %d", len(ds))
	}
	slices.Sort(ok)
	q := func(p float64) time.Duration { return ok[int(p*float64(len(ok)-1))].Round(time.Millisecond) }
	s := fmt.Sprintf("p50 %v  p90 %v  max %v", q(0.5), q(0.9), ok[len(ok)-1].Round(time.Millisecond))
	if n := len(ds) - len(ok); n > 0 {
		s += fmt.Sprintf("  (%d did not exit)", n)
	}
	return s
}
