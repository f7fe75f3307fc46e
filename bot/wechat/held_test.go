package wechat_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// claimed counts the follower's held pushes under a claim.
func (h *harness) claimed(openID string) int {
	h.t.Helper()
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM wechat_held_pushes
		WHERE openid = $1 AND claim_token IS NOT NULL`, openID).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// times counts the messages to the follower that contain s.
func (h *harness) times(openID, s string) int {
	n := 0
	for _, m := range h.acct.Sent(openID) {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// TestHeldSendFailsMidway: three held pushes, each a message of its own,
// go with the answer; WeChat fails the third message. The push that went
// is gone, the two that did not stay held, and the next message brings
// those two, newest first, and nothing twice.
func TestHeldSendFailsMidway(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oMid", domain.LangEnglish)
	u := h.user("oMid", "en")
	l := u.L
	// Too long to share a message with another push or the header.
	names := []string{"P1" + strings.Repeat("x", 1600), "P2" + strings.Repeat("y", 1600), "P3" + strings.Repeat("z", 1600)}
	for _, name := range names {
		h.tokenExpiring(seller, name)
		h.deliver()
	}
	if h.held("oMid") != 3 {
		t.Fatalf("held %d", h.held("oMid"))
	}

	h.acct.FailAfter("/cgi-bin/message/custom/send", 2, -1)
	u.Send("hello")
	u.Expect(l.T("msg.wechat.held_header"))
	u.Expect(names[2][:20])
	waitFor(t, func() bool { return h.held("oMid") == 2 && h.claimed("oMid") == 0 })

	u.Send("0")
	u.Expect(l.T("msg.wechat.held_header"))
	u.Expect(names[1][:20])
	u.Expect(names[0][:20])
	waitFor(t, func() bool { return h.held("oMid") == 0 })
	for _, name := range names {
		if n := h.times("oMid", name[:20]); n != 1 {
			t.Errorf("%s… sent %d times", name[:4], n)
		}
	}
}

// TestHeldClaimLapses: a replica claimed the held pushes and died before
// sending them. While its lease lasts the next answer leaves them alone;
// after it they come, once, and the dead claim can mark nothing.
func TestHeldClaimLapses(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	h := newHarness(t, harnessOptions{now: now})
	seller := h.seller("oLapse", domain.LangChinese)
	u := h.user("oLapse", "zh")
	l := u.L
	for _, store := range []string{"甲店", "乙店"} {
		h.tokenExpiring(seller, store)
		h.deliver()
	}
	dead, ids, _, err := h.store.ClaimPushes(context.Background(), "oLapse", now(), now().Add(time.Minute))
	if err != nil || len(ids) != 2 {
		t.Fatalf("claim = %v, %v", ids, err)
	}

	u.Send("你好")
	u.Expect(head(l.T("flow.support.off")))
	u.quiet()
	if h.held("oLapse") != 2 {
		t.Fatalf("held %d", h.held("oLapse"))
	}

	skew.Store(int64(2 * time.Minute)) // past the dead claim's lease, within the signatures' window
	u.Send("0")
	m := u.Expect(l.T("msg.wechat.held_header"))
	if older, newer := strings.Index(m.Text, "甲店"), strings.Index(m.Text, "乙店"); older < 0 || newer < 0 || newer > older {
		t.Errorf("want both pushes, newest first:\n%s", m.Text)
	}
	waitFor(t, func() bool { return h.held("oLapse") == 0 })
	if ok, err := h.store.SettlePushes(context.Background(), dead, ids, nil); err != nil || ok {
		t.Errorf("the dead claim settled: %v, %v", ok, err)
	}
	for _, store := range []string{"甲店", "乙店"} {
		if n := h.times("oLapse", store); n != 1 {
			t.Errorf("%s sent %d times", store, n)
		}
	}
	u.quiet()
}

// TestReplyKeptUntilSent: the answer to a message is kept with the turn
// that made it, so when it cannot go after the commit (WeChat fails, or
// the replica dies) it is not lost: another answer, here the sweep's,
// sends it, once, and then forgets it. A push meanwhile does not wait
// behind it.
func TestReplyKeptUntilSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.seller("oKept", domain.LangEnglish)
	u := h.user("oKept", "en")
	h.acct.FailNextStatus("/cgi-bin/message/custom/send", 502)
	u.Send("/help")
	u.Expect(head(u.L.T("flow.help")))
	waitFor(t, func() bool { return h.kept("oKept") == 0 })
	if n := h.times("oKept", head(u.L.T("flow.help"))); n != 1 {
		t.Errorf("the help went %d times", n)
	}
	if h.held("oKept") != 0 {
		t.Errorf("the reply was counted as a held push")
	}
	u.quiet()
}
