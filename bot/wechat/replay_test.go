package wechat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
)

// replay_test.go: a signed request is accepted once, and in safe mode only
// encrypted; whatever is refused gets 403 and changes nothing.

// TestSafeModeRefusesPlaintext: with an AES key, a callback without
// encrypt_type=aes (a captured URL posted with a plaintext body of the
// attacker's choosing, or the flag dropped) gets 403 and changes nothing;
// the same callback as WeChat sent it is handled.
func TestSafeModeRefusesPlaintext(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{encrypted: true})
	u := h.user("oDowngrade", "zh")
	before := h.settled()
	for _, tt := range []struct {
		name  string
		alter func(c *wxfake.Callback)
	}{
		{"PlaintextBody", func(c *wxfake.Callback) {
			c.Query.Del("encrypt_type")
			c.Query.Del("msg_signature")
			c.Body = []byte(c.XML)
		}},
		{"PlaintextBodyKeepingMsgSignature", func(c *wxfake.Callback) {
			c.Query.Del("encrypt_type")
			c.Body = []byte(c.XML)
		}},
		{"FlagDropped", func(c *wxfake.Callback) { c.Query.Del("encrypt_type") }},
		{"OtherEncryptType", func(c *wxfake.Callback) { c.Query.Set("encrypt_type", "raw") }},
		{"EncryptedNoMsgSignature", func(c *wxfake.Callback) { c.Query.Del("msg_signature") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := u.TextCallback("/start")
			tt.alter(c)
			h.refused(c)
		})
	}
	h.unchanged(before)
	u.quiet()

	u.Follow()
	u.Expect(head(u.L.T("flow.onboarding.language")))
}

// TestReplayedSignature: once a callback was accepted, its signed
// (timestamp, nonce) carries nothing else: another follower's message or
// another message of the same follower under it gets 403 and changes
// nothing, in safe mode even when signed as WeChat signs. The very same
// callback again (WeChat's retry) is answered "success" and not handled
// again.
func TestReplayedSignature(t *testing.T) {
	t.Parallel()
	for _, encrypted := range []bool{false, true} {
		t.Run(map[bool]string{false: "Plaintext", true: "Encrypted"}[encrypted], func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{encrypted: encrypted})
			victim, attacker := h.user("oVictim", "zh"), h.user("oAttacker", "zh")
			first := victim.TextCallback("/start")
			victim.mark()
			victim.acked(victim.Act(first))
			victim.Expect(head(victim.L.T("flow.onboarding.language")))
			before := h.settled()

			cases := []struct {
				name  string
				forge func() *wxfake.Callback
			}{
				{"AnotherFollower", func() *wxfake.Callback { return underPair(attacker.TextCallback("/start"), first) }},
				{"AnotherMessage", func() *wxfake.Callback { return underPair(victim.TextCallback("/help"), first) }},
			}
			if encrypted {
				cases = append(cases, struct {
					name  string
					forge func() *wxfake.Callback
				}{"SignedAsWeChatSigns", func() *wxfake.Callback {
					// msg_signature is right for this body: only the pair's
					// one use refuses it.
					c := attacker.TextCallback("/start")
					c.Timestamp, c.Nonce = first.Timestamp, first.Nonce
					c.SealFor(h.acct.AppID)
					return c
				}})
			}
			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) { h.refused(tt.forge()) })
			}
			if code := h.verifyURL(h.url, first.Query, "echo"); code != http.StatusForbidden {
				t.Errorf("URL check under a used pair: %d, want 403", code)
			}
			h.unchanged(before)
			attacker.quiet()
			victim.quiet()

			t.Run("SameAgain", func(t *testing.T) {
				victim.acked(h.acct.Post(first))
				h.unchanged(before)
				victim.quiet()
			})
		})
	}
}

// TestReplayOnAnotherReplica: the pair one replica accepted is refused by
// another on the same database; WeChat's retry reaching the other one is
// answered "success" and handled once.
func TestReplayOnAnotherReplica(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	second := httptest.NewServer(routes(h.newBot().Handler(h.engine)))
	t.Cleanup(second.Close)
	victim, attacker := h.user("oVictim2", "zh"), h.user("oAttacker2", "zh")
	first := victim.TextCallback("/start")
	victim.mark()
	victim.acked(victim.Act(first))
	victim.Expect(head(victim.L.T("flow.onboarding.language")))
	before := h.settled()

	h.acct.SetCallbackURL(second.URL + "/wechat")
	h.refused(underPair(attacker.TextCallback("/start"), first))
	if code := h.verifyURL(second.URL+"/wechat", first.Query, "echo"); code != http.StatusForbidden {
		t.Errorf("URL check under a used pair on the second replica: %d, want 403", code)
	}
	victim.acked(h.acct.Post(first))
	h.unchanged(before)
	attacker.quiet()
	victim.quiet()

	// The second replica works: a new callback is handled there.
	attacker.Send("/start")
	attacker.Expect(head(attacker.L.T("flow.onboarding.language")))
}

// TestWrongAppID: a ciphertext sealed for another account, signed with our
// token and key, gets 403 and changes nothing.
func TestWrongAppID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{encrypted: true})
	u := h.user("oElsewhere", "zh")
	before := h.settled()
	c := u.TextCallback("/start")
	c.SealFor("wxSomeOtherAccount")
	h.refused(c)
	h.unchanged(before)
	u.quiet()
}

// TestURLCheckPairSignsNothingElse: the pair of a URL check (GET, echostr)
// cannot sign a callback; the same check again is echoed.
func TestURLCheckPairSignsNothingElse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user("oCheck", "zh")
	c := u.TextCallback("/start")
	if code := h.verifyURL(h.url, c.Query, "echo-1"); code != http.StatusOK {
		t.Fatalf("URL check: %d", code)
	}
	if code := h.verifyURL(h.url, c.Query, "echo-1"); code != http.StatusOK {
		t.Fatalf("the same URL check again: %d", code)
	}
	if code := h.verifyURL(h.url, c.Query, "echo-2"); code != http.StatusForbidden {
		t.Fatalf("another echostr under the pair: %d, want 403", code)
	}
	before := h.settled()
	h.refused(c)
	h.unchanged(before)
	u.quiet()
}

// TestNonceOutlivesItsWindow: on the bots' clock, a used pair stays
// refused while its timestamp is in the window, the window refuses it
// after, and only then does the sweep forget it.
func TestNonceOutlivesItsWindow(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	h := newHarness(t, harnessOptions{now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	victim, attacker := h.user("oClock", "zh"), h.user("oClock2", "zh")
	first := victim.TextCallback("/start")
	victim.acked(victim.Act(first))
	victim.Expect(head(victim.L.T("flow.onboarding.language")))

	for _, tt := range []struct {
		name string
		skew time.Duration
	}{
		{"InTheWindow", 4*time.Minute + 50*time.Second},
		{"PastTheWindow", 5*time.Minute + 10*time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			skew.Store(int64(tt.skew))
			if tt.skew < 5*time.Minute && h.count("wechat_nonces") == 0 {
				t.Fatal("the pair was forgotten inside its window")
			}
			h.refused(underPair(attacker.TextCallback("/start"), first))
		})
	}
	waitFor(t, func() bool { return h.count("wechat_nonces") == 0 })
	h.refused(underPair(attacker.TextCallback("/start"), first))
	attacker.quiet()
	if h.count("wechat_callbacks") != 1 {
		t.Errorf("%d callbacks stored, want the first alone", h.count("wechat_callbacks"))
	}
}

// underPair is c posted with the signed query of first: a captured URL
// with another body.
func underPair(c, first *wxfake.Callback) *wxfake.Callback {
	forged := *c
	forged.Query = url.Values{}
	for k, v := range first.Query {
		forged.Query[k] = append([]string(nil), v...)
	}
	return &forged
}

// refused posts a callback and insists on 403.
func (h *harness) refused(c *wxfake.Callback) {
	h.t.Helper()
	if r := h.acct.Post(c); r.Status != http.StatusForbidden {
		h.t.Errorf("answered %d %q, want 403", r.Status, r.Body)
	}
}

// verifyURL makes the MP backend's URL check with the signed query q.
func (h *harness) verifyURL(target string, q url.Values, echo string) int {
	h.t.Helper()
	check := url.Values{"echostr": {echo}}
	for _, k := range []string{"signature", "timestamp", "nonce"} {
		check.Set(k, q.Get(k))
	}
	resp, err := http.Get(target + "?" + check.Encode())
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// snapshot is every row a callback can add or change, as text.
func (h *harness) snapshot() string {
	h.t.Helper()
	var b strings.Builder
	for _, table := range []string{"wechat_callbacks", "wechat_nonces", "wechat_followers", "chat_sessions"} {
		var rows string
		if err := h.db.Pool.QueryRow(context.Background(),
			`SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM `+table+` t`,
		).Scan(&rows); err != nil {
			h.t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", table, rows)
	}
	return b.String()
}

// settled is the snapshot once the callbacks accepted so far are done
// with: the same twice, a moment apart.
func (h *harness) settled() string {
	h.t.Helper()
	last := h.snapshot()
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); {
		time.Sleep(150 * time.Millisecond)
		now := h.snapshot()
		if now == last {
			return now
		}
		last = now
	}
	h.t.Fatal("the database never settled")
	return ""
}

// unchanged insists that nothing changed since before.
func (h *harness) unchanged(before string) {
	h.t.Helper()
	if after := h.settled(); after != before {
		h.t.Errorf("refused callbacks changed the database:\nbefore\n%s\nafter\n%s", before, after)
	}
}

func (h *harness) count(table string) int {
	h.t.Helper()
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}
