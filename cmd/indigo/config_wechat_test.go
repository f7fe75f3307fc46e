package main

import (
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations"
)

// TestWeChatTemplateConfig: a template per kind from its variable, the
// rate with its default and floor, and each bad value named.
func TestWeChatTemplateConfig(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{
		"WECHAT_TEMPLATE_PICKUP_CODE": "tplP thing1=title character_string2=return number3=days_left",
		"WECHAT_TEMPLATE_DECISION":    "tplD thing1=title time2=deadline",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.WeChatTemplates) != 2 || c.WeChatTemplates[conversations.NoticePickupCode].ID != "tplP" ||
		len(c.WeChatTemplates[conversations.NoticePickupCode].Fields) != 3 || c.WeChatTemplateEvery != 24*time.Hour {
		t.Fatalf("templates = %+v every %v", c.WeChatTemplates, c.WeChatTemplateEvery)
	}
	for _, tt := range []struct{ env, value, want string }{
		{"WECHAT_TEMPLATE_TOKEN", "tplT thing1=deadline", "WECHAT_TEMPLATE_TOKEN: \"deadline\""},
		{"WECHAT_TEMPLATE_STATEMENT", "tplS first=title", "WECHAT_TEMPLATE_STATEMENT: \"first\""},
		{"WECHAT_TEMPLATE_RESALE_SOLD", "tplR", "WECHAT_TEMPLATE_RESALE_SOLD: want the template id"},
		{"WECHAT_TEMPLATE_EVERY", "10s", "WECHAT_TEMPLATE_EVERY: want a duration of at least 1m0s"},
	} {
		_, err := LoadConfig(envOf(map[string]string{tt.env: tt.value}))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%q: err = %v, want it to mention %q", tt.env, tt.value, err, tt.want)
		}
	}
}

// TestDemoTemplates: the demo's account names a valid template for every
// kind of notice, registered on the fake with the keys it fills.
func TestDemoTemplates(t *testing.T) {
	srv := wxfake.New()
	defer srv.Close()
	acct := srv.NewAccount(wxfake.AccountOptions{})
	settings := map[string]string{}
	addDemoTemplates(acct, settings)
	c, err := LoadConfig(envOf(settings))
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range conversations.AllNoticeKinds() {
		if _, ok := c.WeChatTemplates[kind]; !ok {
			t.Errorf("the demo has no template for %s", kind)
		}
	}
}
