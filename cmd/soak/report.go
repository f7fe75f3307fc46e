package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// helpPrefix starts the English /help reply (locales: flow.help).
const helpPrefix = "Here's what I can do:"

var markerRE = regexp.MustCompile(`soak-push-\d{5}`)

// tally is what the chats and the outbox hold at one moment.
type tally struct {
	pushes      map[string]int // marker → times received
	wantPushes  int
	helpChats   int // chats with at least one /help answer
	lostReplies int // answers missing, summed over the chats
	lostChats   []string
	dupReplies  int // answers beyond the messages, summed over the chats
	others      []string
	pending     int // notifications not yet sent
	failed      int // notifications given up on
	err         error
}

func (t tally) lostPushes() (n int) {
	for i := range t.wantPushes {
		if t.pushes[pushMarker(i)] == 0 {
			n++
		}
	}
	return n
}

func (t tally) dupPushes() (n int) {
	for _, c := range t.pushes {
		n += max(c-1, 0)
	}
	return n
}

// tally reads every seller's chat at tgfake and the outbox's counts.
func (e *env) tally(ctx context.Context) tally {
	t := tally{pushes: map[string]int{}}
	e.mu.Lock()
	expected := make(map[int64]int, len(e.expected))
	for k, v := range e.expected {
		expected[k] = v
	}
	e.mu.Unlock()
	if !e.trafficStart.IsZero() {
		t.wantPushes = e.opts.pushes
	}
	for _, s := range e.sellers {
		answers := 0
		for _, m := range e.tg.Sent(s.userID) {
			switch {
			case markerRE.MatchString(m.Text):
				t.pushes[markerRE.FindString(m.Text)]++
			case strings.HasPrefix(m.Text, helpPrefix):
				answers++
			default:
				t.others = append(t.others, fmt.Sprintf("chat %d: %.60q", s.userID, m.Text))
			}
		}
		if answers > 0 {
			t.helpChats++
		}
		if miss := expected[s.userID] - answers; miss > 0 {
			t.lostReplies += miss
			t.lostChats = append(t.lostChats, fmt.Sprintf("%d (%d of %d)", s.userID, answers, expected[s.userID]))
		}
		t.dupReplies += max(answers-expected[s.userID], 0)
	}
	const q = `SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL),
		count(*) FILTER (WHERE failed_at IS NOT NULL) FROM notifications`
	if err := e.db.Pool.QueryRow(ctx, q).Scan(&t.pending, &t.failed); err != nil {
		t.err = fmt.Errorf("count the outbox: %w", err)
	}
	return t
}

// report prints the soak's numbers and fails on a broken promise.
func (e *env) report(ctx context.Context, out io.Writer, elapsed time.Duration) error {
	t := e.tally(ctx)
	if t.err != nil {
		return t.err
	}
	wantReplies := 0
	for _, n := range e.expected {
		wantReplies += n
	}
	lostPushes := t.lostPushes()
	lost := lostPushes + t.lostReplies + t.pending + t.failed
	doubles := t.dupPushes() + t.dupReplies
	n429 := e.tg.Count429()

	fmt.Fprintf(out, "\nwarm-up (first /help of %d sellers, no kills): %v\n", len(e.sellers), e.warmUpTook.Round(time.Millisecond))
	fmt.Fprintf(out, "traffic: %v; drain after it: %v%s\n", e.trafficEnd.Sub(e.trafficStart).Round(time.Millisecond),
		time.Since(e.trafficEnd).Round(time.Millisecond), map[bool]string{true: " (gave up at -drain)"}[e.drainTimedOut])
	fmt.Fprintf(out, "lost:    %d (pushes %d of %d, replies %d of %d, outbox rows unsent %d, failed %d)\n",
		lost, lostPushes, e.opts.pushes, t.lostReplies, wantReplies, t.pending, t.failed)
	if len(t.lostChats) > 0 {
		fmt.Fprintf(out, "         chats short of replies (got of sent): %s\n", firstFew(t.lostChats))
	}
	if lostPushes > 0 {
		var missing []string
		for i := range e.opts.pushes {
			if t.pushes[pushMarker(i)] == 0 {
				missing = append(missing, pushMarker(i))
			}
		}
		fmt.Fprintf(out, "         pushes missing: %s\n", firstFew(missing))
	}
	fmt.Fprintf(out, "doubles: %d (pushes %d, replies %d)\n", doubles, t.dupPushes(), t.dupReplies)
	fmt.Fprintf(out, "429s:    %d\n", n429)
	fmt.Fprintf(out, "kills:   %d (kill to /healthz again: %s)\n", e.killed, stats(e.restarts))
	if e.proxy != nil {
		fmt.Fprintf(out, "proxy:   %d × 502 (no replica up, or one died during the request)\n", e.proxy.errors.Load())
	}
	if len(t.others) > 0 {
		fmt.Fprintf(out, "other bot messages: %d, e.g. %s\n", len(t.others), firstFew(t.others))
	}
	fmt.Fprintf(out, "elapsed: %v\n", elapsed.Round(time.Millisecond))

	var broken []string
	if lost > 0 {
		broken = append(broken, strconv.Itoa(lost)+" lost")
	}
	if n429 > 0 {
		broken = append(broken, strconv.Itoa(n429)+" × 429")
	}
	if doubles > e.killed {
		broken = append(broken, fmt.Sprintf("%d doubles for %d kills", doubles, e.killed))
	}
	if len(broken) > 0 {
		return errFailed(strings.Join(broken, ", "))
	}
	fmt.Fprintln(out, "PASS")
	return nil
}

func firstFew(s []string) string {
	const few = 10
	if len(s) > few {
		return strings.Join(s[:few], ", ") + fmt.Sprintf(", … (%d in all)", len(s))
	}
	return strings.Join(s, ", ")
}

// stats formats p50, p90 and max.
func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	q := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))].Round(time.Millisecond) }
	return fmt.Sprintf("p50 %v  p90 %v  max %v", q(0.5), q(0.9), ds[len(ds)-1].Round(time.Millisecond))
}
