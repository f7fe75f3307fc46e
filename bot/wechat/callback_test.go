package wechat_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
)

// TestURLVerification: saving the server URL in the MP backend sends a
// signed GET whose echostr must come back; an unsigned one gets 403.
func TestURLVerification(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ok, err := h.acct.VerifyURL(h.ctx())
	if err != nil || !ok {
		t.Fatalf("URL verification: %v, %v", ok, err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for _, tt := range []struct {
		name  string
		query url.Values
		want  int
	}{
		{"Unsigned", url.Values{"timestamp": {ts}, "nonce": {"1"}, "echostr": {"x"}}, http.StatusForbidden},
		{"BadSignature", url.Values{"signature": {strings.Repeat("a", 40)}, "timestamp": {ts}, "nonce": {"1"}, "echostr": {"x"}}, http.StatusForbidden},
		{"NoEchostr", url.Values{"signature": {wxfake.Signature(h.acct.Token, ts, "1")}, "timestamp": {ts}, "nonce": {"1"}}, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(h.url + "?" + tt.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

// TestForgedCallbacks: a callback not signed with the account's token,
// signed long ago (a replay) or ahead, or with a forged msg_signature in
// safe mode, gets 403 and changes nothing.
func TestForgedCallbacks(t *testing.T) {
	t.Parallel()
	other := fake.NewAccount(wxfake.AccountOptions{Encrypted: true})
	for _, encrypted := range []bool{false, true} {
		t.Run(map[bool]string{false: "Plaintext", true: "Encrypted"}[encrypted], func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{encrypted: encrypted})
			u := h.user("oForger", "zh")
			cases := []struct {
				name  string
				alter func(c *wxfake.Callback)
			}{
				{"Unsigned", func(c *wxfake.Callback) { c.Query.Del("signature") }},
				{"WrongSignature", func(c *wxfake.Callback) { c.Query.Set("signature", strings.Repeat("0", 40)) }},
				{"AnotherAccountsToken", func(c *wxfake.Callback) {
					c.Query.Set("signature", wxfake.Signature(other.Token, c.Query.Get("timestamp"), c.Query.Get("nonce")))
				}},
				{"NoTimestamp", func(c *wxfake.Callback) { c.Query.Del("timestamp") }},
				{"Replayed", func(c *wxfake.Callback) { c.Resign(time.Now().Add(-10 * time.Minute)) }},
				{"FromTheFuture", func(c *wxfake.Callback) { c.Resign(time.Now().Add(10 * time.Minute)) }},
			}
			if encrypted {
				cases = append(cases, struct {
					name  string
					alter func(c *wxfake.Callback)
				}{"ForgedMsgSignature", func(c *wxfake.Callback) { c.Query.Set("msg_signature", strings.Repeat("f", 40)) }})
			}
			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) {
					c := u.TextCallback("/start")
					tt.alter(c)
					if r := h.acct.Post(c); r.Status != http.StatusForbidden {
						t.Errorf("answered %d %q after %d tries, want 403", r.Status, r.Body, r.Tries)
					}
				})
			}
			var callbacks, sessions int
			ctx := context.Background()
			if err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM wechat_callbacks`).Scan(&callbacks); err != nil {
				t.Fatal(err)
			}
			if err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM chat_sessions`).Scan(&sessions); err != nil {
				t.Fatal(err)
			}
			if callbacks != 0 || sessions != 0 {
				t.Errorf("forged callbacks left %d callbacks and %d sessions", callbacks, sessions)
			}
			u.quiet()
		})
	}
}

// TestEncrypted: in safe mode the callbacks carry only ciphertext; the bot
// decrypts them and answers "success", never an encrypted empty reply.
func TestEncrypted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{encrypted: true})
	u := h.user("oSafe", "zh")
	c := u.TextCallback("/start")
	if c.Query.Get("encrypt_type") != "aes" || strings.Contains(string(c.Body), "/start") {
		t.Fatalf("the fake did not encrypt: %s", c.Body)
	}
	u.Follow()
	u.Expect(head(u.L.T("flow.onboarding.language")))
	u.Choose(u.L.T("language.zh"))
	u.Expect(head(u.L.T("flow.onboarding.terms")))
}

// TestRetriesHandledOnce: WeChat posts a callback again when an answer is
// late or lost; the copies, one after another or at once, are answered
// "success" and handled once.
func TestRetriesHandledOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user("oRetry", "en")
	seller := h.seller("oRetry", "en")
	u.Send("/cancel")
	u.Expect(u.L.T("flow.cancel.nothing"))

	help := u.TextCallback("/help")
	follow := u.EventCallback("subscribe", "")
	u.mark()
	var wg sync.WaitGroup
	for range 3 {
		for _, c := range []*wxfake.Callback{help, follow} {
			wg.Go(func() { u.acked(h.acct.Post(c)) })
		}
	}
	wg.Wait()
	for _, c := range []*wxfake.Callback{help, follow} {
		u.acked(h.acct.Post(c))
	}
	// The two answers may come in either order.
	start := u.after
	u.Expect(u.L.T("flow.start.welcome_back", map[string]any{"Name": seller.Name}))
	u.after = start
	u.ExpectMsg("the help alone", func(m wxfake.Message) bool { return m.Text == u.L.T("flow.help") })
	u.quiet()
	var helps int
	for _, m := range h.acct.Sent(u.OpenID) {
		helps += strings.Count(m.Text, head(u.L.T("flow.help")))
	}
	// Once for /help, once after the welcome back of the follow.
	if helps != 2 {
		t.Errorf("the help went %d times, want 2:\n%s", helps, dump(h.acct.Sent(u.OpenID)))
	}
	var callbacks int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM wechat_callbacks`).Scan(&callbacks); err != nil {
		t.Fatal(err)
	}
	if callbacks != 3 {
		t.Errorf("%d callbacks stored, want 3", callbacks)
	}
}

// TestOversizedCallback: a body past the limit is refused before parsing.
func TestOversizedCallback(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user("oBig", "zh")
	c := u.TextCallback(strings.Repeat("长", 40000))
	if r := h.acct.Post(c); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("answered %d", r.Status)
	}
}

// TestOrphanedCallback: a callback stored by a replica that stopped before
// handling it is taken up by the sweep of another.
func TestOrphanedCallback(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user("oOrphan", "en")
	h.seller("oOrphan", "en")
	u.Send("/cancel")
	u.Expect(u.L.T("flow.cancel.nothing"))
	c := u.TextCallback("/help")
	if _, err := h.store.ReceiveCallback(context.Background(), "msg:orphan", "oOrphan", []byte(c.XML)); err != nil {
		t.Fatal(err)
	}
	u.Expect(head(u.L.T("flow.help")))
}
