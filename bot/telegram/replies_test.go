package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

// TestReplyAtLeastOnce: a reply whose send fails after the turn committed
// is not lost: the update comes again (a retry, or the next process after
// a crash) and brings back the unsent reply, which arrives exactly once.
func TestReplyAtLeastOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		crash bool // the process dies after the failed send, before a retry
	}{{"Retry", false}, {"Crash", true}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(6301, "en")
			h.tg.FailNext("sendMessage", 502, "Bad Gateway")
			before := h.tg.Requests("sendMessage")
			u.Send("/help")
			if tt.crash {
				waitFor(t, func() bool { return h.tg.Requests("sendMessage") > before })
				h.restart()
			}
			help := head(u.L.T("flow.help"))
			u.Expect(help)
			if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
				t.Fatal(err)
			}
			if n := countPrefix(h.tg.Sent(u.ID), help); n != 1 {
				t.Fatalf("the reply arrived %d times:\n%s", n, dump(h.tg.Messages(u.ID)))
			}
		})
	}
}

func countPrefix(msgs []tgfake.Message, prefix string) int {
	n := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Text, prefix) {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or the wait limit passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition never held")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
