// Command soak checks issue 15's promise, every message once, against the
// real service under SIGKILLs:
//
//	go run ./cmd/soak                 # the full soak: 3 replicas, 2,000 pushes, 500 messages, 50 kills
//	go run ./cmd/soak -short          # CI's: 1 replica, 200 pushes, 60 messages, 5 kills, 10-s outbox lease
//
// It builds indigo, starts one ephemeral PostgreSQL (storage/pglocal),
// migrates it once with `indigo migrate`, seeds sellers with a Telegram
// identity and a store each, and runs -replicas `indigo serve` children on
// that database against a fake Telegram (tgfake, rate limits on) and a fake
// WB (wbfake) in this process. With more than one replica, Telegram's one
// update consumer is a webhook: a round-robin proxy here forwards it to the
// live replicas, as a load balancer would.
//
// The traffic: every seller first sends /help (which also lets the bot
// write to them); then, while random replicas are SIGKILLed and restarted
// -kills times, -pushes notification rows are inserted (each carrying a
// unique marker in its text) and -messages more /help are sent. At the end
// it waits until the outbox is empty and every reply came, or -drain
// passes, and prints what was lost, what came twice, Telegram's 429s and
// the kills. It exits 1 when anything was lost, any 429 was answered, or
// there were more doubles than kills: only a kill between Telegram taking a
// message and the row being marked may send it again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/indigo-warehouse/indigo/cmd/internal/indigoproc"
)

// digestAbove is the deliverer's DigestAbove (cmd/indigo/chat.go): more of
// one seller's pushes due in one pass become a digest, which carries no
// marker, so the soak never gives a seller more than that many.
const digestAbove = 5

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	var failed errFailed
	switch {
	case errors.As(err, &failed):
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
}

// errFailed is a soak that ran to the end and found a broken promise, as
// opposed to one that could not run.
type errFailed string

func (e errFailed) Error() string { return string(e) }

type options struct {
	replicas    int
	sellers     int
	pushes      int
	messages    int
	kills       int
	killGap     time.Duration // mean pause between kills
	pushRate    float64       // notification rows inserted per second
	messageRate float64       // /help messages sent per second
	drain       time.Duration // longest wait for the outbox and the replies after the traffic
	lease       time.Duration // the replicas' OUTBOX_LEASE
	healthz     time.Duration
	keep        bool
}

// shortDefaults are -short's sizes. One replica: with several, each paces
// Telegram on its own and together they draw 429s until the send budget is
// shared. A 10-s outbox lease: what a kill leaves claimed would wait two
// minutes otherwise.
var shortDefaults = map[string]string{
	"replicas": "1", "sellers": "60", "pushes": "200", "messages": "60", "kills": "5",
	"kill-gap": "1s", "outbox-lease": "10s",
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	var o options
	short := fs.Bool("short", false, "CI's short soak: 1 replica, 60 sellers, 200 pushes, 60 messages, 5 kills, a 10-s outbox lease (flags given too still win)")
	fs.IntVar(&o.replicas, "replicas", 3, "indigo serve processes on the one database")
	fs.IntVar(&o.sellers, "sellers", 400, "sellers, one Telegram chat each")
	fs.IntVar(&o.pushes, "pushes", 2000, "notification rows inserted during the kills (at most 5 per seller)")
	fs.IntVar(&o.messages, "messages", 500, "/help messages needing a reply, sent during the kills (besides each seller's first)")
	fs.IntVar(&o.kills, "kills", 50, "SIGKILLs of random replicas, each restarted at once")
	fs.DurationVar(&o.killGap, "kill-gap", 2*time.Second, "mean pause between two kills (uniform in 0..2×)")
	fs.Float64Var(&o.pushRate, "push-rate", 20, "pushes inserted per second")
	fs.Float64Var(&o.messageRate, "message-rate", 5, "/help messages sent per second")
	fs.DurationVar(&o.drain, "drain", 5*time.Minute, "longest wait after the traffic for the outbox to empty and the replies to arrive")
	fs.DurationVar(&o.lease, "outbox-lease", 2*time.Minute, "the replicas' OUTBOX_LEASE: how long a killed replica's outbox rows wait for another")
	fs.DurationVar(&o.healthz, "healthz-timeout", 30*time.Second, "longest wait from a replica's start to /healthz answering")
	fs.BoolVar(&o.keep, "keep", false, "keep the work dir (replica logs, the binary) for inspection")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range shortDefaults {
			if !set[name] {
				_ = fs.Set(name, v) // the values are the flags' own kinds
			}
		}
	}
	switch {
	case o.replicas < 1 || o.sellers < 1 || o.kills < 0 || o.pushes < 0 || o.messages < 0:
		return o, errors.New("-replicas and -sellers must be at least 1, the other sizes at least 0")
	case o.pushes > digestAbove*o.sellers:
		return o, fmt.Errorf("-pushes %d: at most %d per seller (%d), or a pass turns them into a digest without markers",
			o.pushes, digestAbove, digestAbove*o.sellers)
	case o.pushRate <= 0 || o.messageRate <= 0:
		return o, errors.New("-push-rate and -message-rate must be positive")
	case o.drain <= o.lease:
		return o, fmt.Errorf("-drain %v must outlast -outbox-lease %v: a killed replica's rows wait that long", o.drain, o.lease)
	}
	return o, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	tmp, bin, done, err := indigoproc.Workspace(ctx, "indigo-soak-", o.keep, out)
	defer done()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "soak: %d replicas, %d sellers, %d pushes, %d messages + %d first /help, %d kills, %d cores\n",
		o.replicas, o.sellers, o.pushes, o.messages, o.sellers, o.kills, runtime.NumCPU())

	env, err := startEnv(ctx, o, tmp, bin, out)
	if err != nil {
		return err
	}
	defer env.close()
	started := time.Now()
	if err := env.soak(ctx); err != nil {
		return err
	}
	return env.report(ctx, out, time.Since(started))
}
