package wechat_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

func push(text string) []conversations.Reply { return []conversations.Reply{{Text: text}} }

// TestTokenShared: replicas share one access token through the database.
// When WeChat refuses it (40001: someone fetched a newer one; 42001: it
// expired), the replicas that hit it fetch one new token between them and
// the calls go through.
func TestTokenShared(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	replicas := []*wechat.Bot{h.bot, h.newBot()}
	h.seller("oTok", domain.LangEnglish)
	u := h.user("oTok", "en")
	u.Send("hello")
	u.Expect(head(u.L.T("flow.support.off")))
	ctx := h.ctx()
	// The second replica finds the token the first one fetched.
	if err := replicas[1].Send(ctx, "oTok", push("warm-up")); err != nil {
		t.Fatal(err)
	}
	u.Expect("warm-up")
	if n := h.acct.TokenFetches(); n != 1 {
		t.Fatalf("%d token fetches, want 1", n)
	}

	for _, tt := range []struct {
		name  string
		spoil func()
	}{
		{"Revoked40001", h.acct.RevokeTokens},
		{"Expired42001", h.acct.ExpireTokens},
	} {
		u.Send("hello") // a fresh window for the pushes
		u.Expect(head(u.L.T("flow.support.off")))
		before := h.acct.TokenFetches()
		tt.spoil()
		var wg sync.WaitGroup
		for i, bot := range replicas {
			wg.Go(func() {
				if err := bot.Send(ctx, "oTok", push(tt.name+" from replica "+string(rune('A'+i)))); err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
			})
		}
		wg.Wait()
		start := u.after // the two come in either order
		u.Expect(tt.name + " from replica A")
		u.after = start
		u.Expect(tt.name + " from replica B")
		if n := h.acct.TokenFetches() - before; n != 1 {
			t.Errorf("%s: %d token fetches for two replicas, want 1", tt.name, n)
		}
	}
}

// TestSecretsStayOutOfLogs: silenceper's errors quote the URL with the
// secret or the token in it; what the bot logs and returns is scrubbed.
// (Every harness also checks its logs for the account's secrets.)
func TestSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{encrypted: true})
	h.seller("oLeak", domain.LangChinese)
	u := h.user("oLeak", "zh")
	ctx := context.Background()

	// WeChat refuses the token and a proxy fails the fetch of a new one:
	// the reply cannot go and is kept.
	waitFor(t, func() bool { return strings.Contains(h.logs.String(), "account menu published") })
	h.acct.RevokeTokens()
	h.acct.FailNextStatus("/cgi-bin/token", 502)
	u.Send("你好")
	waitFor(t, func() bool { return h.kept("oLeak") == 1 && h.claimed("oLeak") == 0 })

	// A proxy error on the send itself, after a good token.
	u.Send("/help")
	u.Expect(head(u.L.T("flow.help")))
	// The kept reply is deleted once it went.
	waitFor(t, func() bool { return h.kept("oLeak") == 0 })
	h.acct.FailNextStatus("/cgi-bin/message/custom/send", 502)
	err := h.bot.Send(ctx, "oLeak", push("will not go"))
	if err == nil {
		t.Fatal("a failed send reported success")
	}
	for _, secret := range append([]string{h.acct.AppSecret, h.acct.AESKey}, h.acct.Tokens()...) {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error carries a secret: %v", err)
		}
	}
	if !strings.Contains(h.logs.String(), "<redacted>") {
		t.Errorf("the failed fetch was not logged, scrubbed:\n%s", h.logs.String())
	}
}
