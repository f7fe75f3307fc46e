package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// silenceper reaches WeChat through a process-wide URL rewrite, so this
// test binary has one fake WeChat (wxfake.Shared); each test takes an
// account of its own on it.
func weChatFake() *wxfake.Server { return wxfake.Shared() }

// TestWeChatEndToEnd: with the WeChat settings, the service answers the
// URL check on /wechat, publishes the account menu, greets a new follower
// in Chinese through numbered choices (encrypted callbacks, replies as
// customer-service messages) and refuses a forged callback.
func TestWeChatEndToEnd(t *testing.T) {
	wx := weChatFake()
	acct := wx.NewAccount(wxfake.AccountOptions{Encrypted: true})
	wbf := wbfake.New()
	t.Cleanup(wbf.Close)
	m := MustRunMain(t, map[string]string{
		"DATABASE_URL":        pgtest.NewURL(t),
		"WB_API_BASE_URL":     wbf.URL,
		"WECHAT_APP_ID":       acct.AppID,
		"WECHAT_APP_SECRET":   acct.AppSecret,
		"WECHAT_TOKEN":        acct.Token,
		"WECHAT_AES_KEY":      acct.AESKey,
		"WECHAT_API_BASE_URL": wx.URL(),
	})
	if m.Deliverer.Senders[domain.ChannelWeChat] == nil {
		t.Fatal("no WeChat sender for the outbox")
	}
	acct.SetCallbackURL(m.URL() + "/wechat")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ok, err := acct.VerifyURL(ctx); err != nil || !ok {
		t.Fatalf("URL verification: %v, %v", ok, err)
	}

	zh := locales.MustNew().For("zh")
	u := acct.User("oE2E")
	if r := u.Subscribe(); r.Status != http.StatusOK || r.Body != "success" {
		t.Fatalf("follow answered %d %q", r.Status, r.Body)
	}
	greeting, err := acct.WaitForMessage(ctx, "oE2E", 0, func(m wxfake.Message) bool {
		return strings.Contains(m.Text, strings.Split(zh.T("flow.onboarding.language"), "\n")[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	num := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(zh.T("language.zh")) + `$`).FindStringSubmatch(greeting.Text)
	if num == nil {
		t.Fatalf("no numbered choice of Chinese in:\n%s", greeting.Text)
	}
	u.SendText(num[1])
	if _, err := acct.WaitForMessage(ctx, "oE2E", greeting.Seq, func(m wxfake.Message) bool {
		return strings.Contains(m.Text, strings.Split(zh.T("flow.onboarding.terms"), "\n")[0])
	}); err != nil {
		t.Fatal(err)
	}

	forged := u.TextCallback("/start")
	forged.Query.Set("signature", strings.Repeat("0", 40))
	if r := acct.Post(forged); r.Status != http.StatusForbidden {
		t.Errorf("a forged callback answered %d", r.Status)
	}

	for deadline := time.Now().Add(10 * time.Second); len(acct.Menu()) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the account menu was not published")
		}
	}
}
