// Command soak checks issue 15's promise, every message once, against the
// real service under SIGKILLs:
//
//	go run ./cmd/soak            # the full soak: 3 replicas, 50 kills, the traffic below
//	go run ./cmd/soak -short     # CI's (with -replicas 3): a tenth of it, 5 kills, 10-s leases
//
// It builds indigo, starts one ephemeral PostgreSQL (storage/pglocal),
// migrates it once with `indigo migrate`, seeds sellers (Telegram and
// WeChat) with a store each, and runs -replicas `indigo serve` children on
// that database against a fake Telegram (tgfake, rate limits on, a forum
// staff group), a fake WeChat (wxfake, the followers' message windows on)
// and a fake WB (wbfake) in this process. A round-robin proxy here
// forwards WeChat's callbacks, and with more than one replica Telegram's
// webhook, to the live replicas, as a load balancer would; each replica
// reaches the fakes' APIs through a front of its own, which tells whether
// a kill cut a send.
//
// The traffic: every seller first sends /help (which also lets the bot
// write to them); then, while random replicas are SIGKILLed and restarted
// -kills times: -pushes notification rows for Telegram sellers and
// -wechat-pushes for WeChat ones (each carrying a unique marker), -messages
// /help from Telegram sellers and -wechat-messages from WeChat ones, and
// -relays messages to support from the first -support-sellers, each
// answered by a staff member in the seller's topic once its relay shows
// up in the staff group. At the end it waits until the outbox, the relay
// queue and the WeChat holds are empty and everything came (asking
// WeChat followers with something held for it, as they would, by "0"),
// or -drain passes, and prints for each kind what was lost and what came
// twice, Telegram's 429s, and the kills: all of them and those that landed
// inside a send. It exits 1 when anything was lost, any 429 was answered,
// or there were more doubles than kills inside a send: only a kill
// between a platform taking a message and the row being marked may send
// it again.
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

	supportSellers int     // Telegram sellers who write to support
	relays         int     // their messages to support, each answered by staff
	relayRate      float64 // messages to support per second

	wxSellers     int
	wxPushes      int
	wxMessages    int
	wxPushRate    float64
	wxMessageRate float64

	drain   time.Duration // longest wait for the outbox and the replies after the traffic
	lease   time.Duration // the replicas' OUTBOX_LEASE
	healthz time.Duration
	keep    bool
}

// shortDefaults are -short's sizes: a tenth of the traffic, or so. One
// replica unless -replicas says otherwise. A 10-s outbox lease: what a
// kill leaves claimed would wait two minutes otherwise.
var shortDefaults = map[string]string{
	"replicas": "1", "sellers": "60", "pushes": "200", "messages": "60", "kills": "5",
	"kill-gap": "1s", "outbox-lease": "10s",
	"support-sellers": "5", "relays": "30", "wechat-sellers": "15", "wechat-pushes": "30", "wechat-messages": "20",
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.replicas, "replicas", 3, "indigo serve processes on the one database")
	fs.IntVar(&o.sellers, "sellers", 400, "sellers, one Telegram chat each")
	fs.IntVar(&o.pushes, "pushes", 2000, "notification rows inserted during the kills (at most 5 per seller)")
	fs.IntVar(&o.messages, "messages", 500, "/help messages needing a reply, sent during the kills (besides each seller's first)")
	fs.IntVar(&o.supportSellers, "support-sellers", 10, "Telegram sellers (the first ones) who write to support")
	fs.IntVar(&o.relays, "relays", 300, "messages to support during the kills, each relayed to the staff group and answered there by staff")
	fs.Float64Var(&o.relayRate, "relay-rate", 3, "messages to support sent per second")
	fs.IntVar(&o.wxSellers, "wechat-sellers", 100, "sellers on WeChat, one follower each")
	fs.IntVar(&o.wxPushes, "wechat-pushes", 200, "notification rows for WeChat sellers inserted during the kills (at most 5 per seller)")
	fs.IntVar(&o.wxMessages, "wechat-messages", 200, "/help messages from WeChat sellers during the kills (besides each one's first)")
	fs.Float64Var(&o.wxPushRate, "wechat-push-rate", 2, "WeChat pushes inserted per second")
	fs.Float64Var(&o.wxMessageRate, "wechat-message-rate", 2, "WeChat /help messages sent per second")
	fs.IntVar(&o.kills, "kills", 50, "SIGKILLs of random replicas, each restarted at once")
	fs.DurationVar(&o.killGap, "kill-gap", 2600*time.Millisecond, "mean pause between two kills (uniform in 0..2×)")
	// All of it, with the replies, support confirmations and staff answers
	// below, stays a little under Telegram's 30 a second: the soak counts
	// what kills lose or double; the pacer at its ceiling is the
	// benchmark's (bot/telegram BenchmarkSharedBudget).
	fs.Float64Var(&o.pushRate, "push-rate", 15, "pushes inserted per second")
	fs.Float64Var(&o.messageRate, "message-rate", 5, "/help messages sent per second")
	fs.DurationVar(&o.drain, "drain", 5*time.Minute, "longest wait after the traffic for the outbox to empty and the replies to arrive")
	fs.DurationVar(&o.lease, "outbox-lease", 2*time.Minute, "the replicas' OUTBOX_LEASE: how long a killed replica's outbox rows wait for another")
	fs.DurationVar(&o.healthz, "healthz-timeout", 30*time.Second, "longest wait from a replica's start to /healthz answering")
	fs.BoolVar(&o.keep, "keep", false, "keep the work dir (replica logs, the binary) for inspection")
	short := fs.Bool("short", false, "CI's short soak: 1 replica, a tenth of the traffic, 5 kills, a 10-s outbox lease (flags given too still win)")
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
	return o, o.check()
}

func (o options) check() error {
	switch {
	case o.replicas < 1 || o.sellers < 1 || min(o.kills, o.pushes, o.messages, o.relays, o.wxSellers, o.wxPushes, o.wxMessages) < 0:
		return errors.New("-replicas and -sellers must be at least 1, the other sizes at least 0")
	case o.pushes > digestAbove*o.sellers || o.wxPushes > digestAbove*o.wxSellers:
		return fmt.Errorf("-pushes %d, -wechat-pushes %d: at most %d per seller, or a pass turns them into a digest without markers",
			o.pushes, o.wxPushes, digestAbove)
	case o.relays > 0 && (o.supportSellers < 1 || o.supportSellers > o.sellers):
		return fmt.Errorf("-support-sellers %d: between 1 and -sellers %d when there are relays", o.supportSellers, o.sellers)
	case (o.wxPushes > 0 || o.wxMessages > 0) && o.wxSellers < 1:
		return errors.New("WeChat traffic needs -wechat-sellers")
	case min(o.pushRate, o.messageRate, o.relayRate, o.wxPushRate, o.wxMessageRate) <= 0:
		return errors.New("the rates must be positive")
	case o.drain <= o.lease:
		return fmt.Errorf("-drain %v must outlast -outbox-lease %v: a killed replica's rows wait that long", o.drain, o.lease)
	}
	return nil
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
	fmt.Fprintf(out, "soak: %d replicas, %d kills, %d cores\n", o.replicas, o.kills, runtime.NumCPU())
	fmt.Fprintf(out, "soak: Telegram: %d sellers, %d pushes, %d /help + %d first; %d support messages from %d of them, each answered by staff\n",
		o.sellers, o.pushes, o.messages, o.sellers, o.relays, o.supportSellers)
	fmt.Fprintf(out, "soak: WeChat: %d sellers, %d pushes, %d /help + %d first\n", o.wxSellers, o.wxPushes, o.wxMessages, o.wxSellers)

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
