package main

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const goodKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // base64 of 32 bytes

func TestLoadConfig(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := LoadConfig(envOf(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.HTTPAddr != ":8080" || c.DataDir != "./.indigo" || c.PublicURL != "http://localhost:8080" || c.SecretKey != nil ||
			c.OutboxLease != 2*time.Minute {
			t.Fatalf("defaults = %+v", c)
		}
		if c.TelegramEnabled() || c.WeChatEnabled() {
			t.Fatal("channels on without credentials")
		}
	})
	t.Run("Full", func(t *testing.T) {
		c, err := LoadConfig(envOf(map[string]string{
			"DATABASE_URL": "postgres://u@db/indigo", "INDIGO_SECRET_KEY": goodKey,
			"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_SUPPORT_CHAT_ID": "-1001234567890",
			"TELEGRAM_WEBHOOK_URL": "https://indigo.example.com/telegram",
			"WECHAT_APP_ID":        "wx1", "WECHAT_APP_SECRET": "s", "WECHAT_TOKEN": "t",
			"WECHAT_AES_KEY": strings.Repeat("a", 43), "PUBLIC_URL": "https://indigo.example.com/",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.SecretKey) != 32 || c.TelegramSupportChatID != -1001234567890 || !c.TelegramEnabled() ||
			!c.WeChatEnabled() || c.PublicURL != "https://indigo.example.com" {
			t.Fatalf("config = %+v", c)
		}
	})
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ErrDatabaseURL", map[string]string{"DATABASE_URL": "mysql://x", "INDIGO_SECRET_KEY": goodKey}, "DATABASE_URL"},
		{"ErrKeyRequiredWithDatabase", map[string]string{"DATABASE_URL": "postgres://db/x"}, "INDIGO_SECRET_KEY: required"},
		{"ErrShortKey", map[string]string{"INDIGO_SECRET_KEY": "c2hvcnQ="}, "INDIGO_SECRET_KEY: want 32"},
		{"ErrHTTPAddr", map[string]string{"HTTP_ADDR": "8080"}, "HTTP_ADDR"},
		{"ErrSupportChat", map[string]string{"TELEGRAM_SUPPORT_CHAT_ID": "staff"}, "TELEGRAM_SUPPORT_CHAT_ID"},
		{"ErrSupportChatPositive", map[string]string{"TELEGRAM_SUPPORT_CHAT_ID": "12345"}, "TELEGRAM_SUPPORT_CHAT_ID"},
		{"ErrWebhookHTTP", map[string]string{"TELEGRAM_WEBHOOK_URL": "http://x/hook"}, "TELEGRAM_WEBHOOK_URL"},
		{"ErrWebhookHTTPLoopbackLookalike", map[string]string{"TELEGRAM_WEBHOOK_URL": "http://localhost.example.com/hook"}, "TELEGRAM_WEBHOOK_URL"},
		{"ErrEndpoint", map[string]string{"TELEGRAM_API_ENDPOINT": "http://x/bot"}, "TELEGRAM_API_ENDPOINT"},
		{"ErrWBBase", map[string]string{"WB_API_BASE_URL": "wb.local"}, "WB_API_BASE_URL"},
		{"ErrAESKey", map[string]string{"WECHAT_AES_KEY": "short"}, "WECHAT_AES_KEY"},
		{"ErrLogLevel", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"ErrOutboxLease", map[string]string{"OUTBOX_LEASE": "soon"}, "OUTBOX_LEASE"},
		{"ErrOutboxLeaseShort", map[string]string{"OUTBOX_LEASE": "1s"}, "OUTBOX_LEASE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(envOf(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	t.Run("WebhookHTTPOnLoopback", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.1:9000/telegram", "http://[::1]:9000/telegram", "http://localhost/telegram"} {
			c, err := LoadConfig(envOf(map[string]string{"TELEGRAM_WEBHOOK_URL": u}))
			if err != nil || c.TelegramWebhookURL != u {
				t.Errorf("TELEGRAM_WEBHOOK_URL=%s: %v", u, err)
			}
		}
	})
	t.Run("EveryBadValueReported", func(t *testing.T) {
		_, err := LoadConfig(envOf(map[string]string{"HTTP_ADDR": "x", "LOG_LEVEL": "y", "WECHAT_AES_KEY": "z"}))
		if err == nil || strings.Count(err.Error(), "\n") != 2 {
			t.Fatalf("want three lines, got %v", err)
		}
	})
}

func TestParseSecretKey(t *testing.T) {
	for _, in := range []string{goodKey, strings.Repeat("ab", 32), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"} {
		if k, err := ParseSecretKey(in); err != nil || len(k) != 32 {
			t.Errorf("ParseSecretKey(%q) = %d bytes, %v", in, len(k), err)
		}
	}
}
