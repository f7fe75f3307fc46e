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

// The kinds of messages the soak counts, in the report's order.
const (
	kindPush        = "Telegram pushes"
	kindHelp        = "Telegram /help replies"
	kindSupportSent = "support confirmations"
	kindRelay       = "staff relays"
	kindAnswer      = "staff replies"
	kindWxPush      = "WeChat pushes"
	kindWxHelp      = "WeChat /help replies"
)

var kinds = []string{kindPush, kindHelp, kindSupportSent, kindRelay, kindAnswer, kindWxPush, kindWxHelp}

const (
	// helpPrefix starts the English /help reply (locales: flow.help) and
	// sentPrefix the confirmation of a message to support (flow.support.sent).
	helpPrefix = "Here's what I can do:"
	sentPrefix = "Your message has been sent to Support."
)

var (
	pushRE   = regexp.MustCompile(`soak-push-\d{5}`)
	wxPushRE = regexp.MustCompile(`soak-wxpush-\d{5}`)
	relayRE  = regexp.MustCompile(`soak-relay-\d{5}`)
	answerRE = regexp.MustCompile(`soak-answer-\d{5}`)
)

// counts is one kind: how often each key (a marker, or a chat) was
// expected and how often it came.
type counts struct{ want, got map[string]int }

func (c counts) lost() (n int) {
	for k, w := range c.want {
		n += max(w-c.got[k], 0)
	}
	return n
}

func (c counts) doubles() (n int) {
	for k, g := range c.got {
		n += max(g-c.want[k], 0)
	}
	return n
}

func (c counts) expected() (n int) {
	for _, w := range c.want {
		n += w
	}
	return n
}

// short lists the keys short of what was expected, as "key (got of want)".
func (c counts) short() []string {
	var out []string
	for k, w := range c.want {
		if c.got[k] < w {
			out = append(out, fmt.Sprintf("%s (%d of %d)", k, c.got[k], w))
		}
	}
	slices.Sort(out)
	return out
}

// tally is what the chats and the queues hold at one moment.
type tally struct {
	by      map[string]counts
	others  []string
	pending int // notifications not yet sent
	failed  int // notifications given up on
	relays  int // relays not yet posted
	held    int // WeChat pushes held for their follower
	// unanswered are the relays staff have not answered yet (they answer
	// each once it shows, at a person's pace).
	unanswered int
	err        error
}

func (t tally) kind(k string) counts { return t.by[k] }

func (t tally) lost() (n int) {
	for _, c := range t.by {
		n += c.lost()
	}
	return n
}

func (t tally) doubles() (n int) {
	for _, c := range t.by {
		n += c.doubles()
	}
	return n
}

// queued is what the service still has to send, and staff to answer.
func (t tally) queued() int { return t.pending + t.relays + t.held + t.unanswered }

func (t tally) queues() string {
	return fmt.Sprintf("outbox rows unsent %d, relays unposted %d, WeChat pushes held %d, relays unanswered %d",
		t.pending, t.relays, t.held, t.unanswered)
}

func (t tally) missing() string {
	var parts []string
	for _, k := range kinds {
		if n := t.by[k].lost(); n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func chatKey(userID int64) string { return strconv.FormatInt(userID, 10) }

// tally reads every chat at the fakes and the queues' counts.
func (e *env) tally(ctx context.Context) tally {
	t := tally{by: map[string]counts{}}
	e.mu.Lock()
	for _, k := range kinds {
		want := make(map[string]int, len(e.want[k]))
		for key, n := range e.want[k] {
			want[key] = n
		}
		t.by[k] = counts{want: want, got: map[string]int{}}
	}
	answerTo := make(map[string]int64, len(e.answerTo))
	for a, u := range e.answerTo {
		answerTo[a] = u
	}
	t.unanswered = len(e.want[kindRelay]) - len(e.want[kindAnswer])
	e.mu.Unlock()
	e.tallyTelegram(&t, answerTo)
	e.tallyWeChat(&t)
	const q = `SELECT
		(SELECT count(*) FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL),
		(SELECT count(*) FROM notifications WHERE failed_at IS NOT NULL),
		(SELECT count(*) FROM support_relays WHERE relayed_at IS NULL),
		(SELECT count(*) FROM wechat_held_pushes)`
	if err := e.db.Pool.QueryRow(ctx, q).Scan(&t.pending, &t.failed, &t.relays, &t.held); err != nil {
		t.err = fmt.Errorf("count the queues: %w", err)
	}
	return t
}

func (e *env) tallyTelegram(t *tally, answerTo map[string]int64) {
	for _, s := range e.sellers {
		chat := chatKey(s.userID)
		for _, m := range e.tg.Sent(s.userID) {
			switch {
			case pushRE.MatchString(m.Text):
				t.by[kindPush].got[pushRE.FindString(m.Text)]++
			case answerRE.MatchString(m.Text):
				a := answerRE.FindString(m.Text)
				t.by[kindAnswer].got[a]++
				if answerTo[a] != s.userID {
					t.others = append(t.others, fmt.Sprintf("chat %d: %s, meant for %d", s.userID, a, answerTo[a]))
				}
			case strings.HasPrefix(m.Text, helpPrefix):
				t.by[kindHelp].got[chat]++
			case strings.HasPrefix(m.Text, sentPrefix):
				t.by[kindSupportSent].got[chat]++
			default:
				t.others = append(t.others, fmt.Sprintf("chat %d: %.60q", s.userID, m.Text))
			}
		}
	}
	// A merged post carries several relays.
	for _, m := range e.tg.Sent(staffGroupID) {
		for _, r := range relayRE.FindAllString(m.Text+"\n"+m.Caption, -1) {
			t.by[kindRelay].got[r]++
		}
	}
}

// tallyWeChat counts what each follower got; WeChat merges texts into as
// few messages as fit, so one message may carry several.
func (e *env) tallyWeChat(t *tally) {
	for _, s := range e.wxUsers {
		for _, m := range e.wxAcct.Sent(s.openID) {
			for _, p := range wxPushRE.FindAllString(m.Text, -1) {
				t.by[kindWxPush].got[p]++
			}
			t.by[kindWxHelp].got[s.openID] += strings.Count(m.Text, helpPrefix)
		}
	}
}

// report prints the soak's numbers and fails on a broken promise.
func (e *env) report(ctx context.Context, out io.Writer, elapsed time.Duration) error {
	t := e.tally(ctx)
	if t.err != nil {
		return t.err
	}
	lost, doubles, n429 := t.lost(), t.doubles(), e.tg.Count429()
	fmt.Fprintf(out, "\nwarm-up (first /help of %d + %d sellers, no kills): %v\n", len(e.sellers), len(e.wxUsers), e.warmUpTook.Round(time.Millisecond))
	fmt.Fprintf(out, "traffic: %v; drain after it: %v%s\n", e.trafficEnd.Sub(e.trafficStart).Round(time.Millisecond),
		time.Since(e.trafficEnd).Round(time.Millisecond), map[bool]string{true: " (gave up at -drain)"}[e.drainTimedOut])
	fmt.Fprintf(out, "\n%-24s %8s %6s %8s\n", "", "expected", "lost", "doubles")
	for _, k := range kinds {
		c := t.by[k]
		fmt.Fprintf(out, "%-24s %8d %6d %8d\n", k, c.expected(), c.lost(), c.doubles())
		if short := c.short(); len(short) > 0 {
			fmt.Fprintf(out, "    short: %s\n", firstFew(short))
		}
	}
	fmt.Fprintf(out, "\nlost:    %d\n", lost)
	fmt.Fprintf(out, "doubles: %d\n", doubles)
	fmt.Fprintf(out, "429s:    %d\n", n429)
	for _, r := range e.tg.Refusals() {
		fmt.Fprintf(out, "    %s to %s at %s, retry after %d s\n", r.Method, r.ChatID, r.At.Format("15:04:05.000"), r.RetryAfter)
	}
	fmt.Fprintf(out, "kills:   %d, %d of them inside a send (kill to /healthz again: %s)\n", e.killed, e.cutSends, stats(e.restarts))
	fmt.Fprintf(out, "left:    %s; notifications given up %d\n", t.queues(), t.failed)
	fmt.Fprintf(out, "proxy:   %d × 502 (no replica up, or one died during the request), %d given up by the platform while a replica handled them\n",
		e.proxy.errors.Load(), e.proxy.gaveUp.Load())
	e.proxy.mu.Lock()
	if len(e.proxy.slow) > 0 {
		fmt.Fprintf(out, "    given up: %s\n", firstFew(e.proxy.slow))
	}
	e.proxy.mu.Unlock()
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
	if doubles > e.cutSends {
		broken = append(broken, fmt.Sprintf("%d doubles for %d kills inside a send", doubles, e.cutSends))
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
