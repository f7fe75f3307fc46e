package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
)

// Config is every setting Indigo reads from the environment. This file is
// the only reader of the environment; values go down as constructor
// arguments.
type Config struct {
	DatabaseURL string // empty: start the embedded PostgreSQL under DataDir/pg
	HTTPAddr    string
	// MetricsAddr is where Prometheus scrapes /metrics; empty: /metrics is
	// on HTTPAddr with the rest.
	MetricsAddr string
	PublicURL   string // how sellers' browsers reach HTTPAddr (magic links)
	SecretKey   []byte // 32 bytes; nil: generated into DataDir (embedded database only)
	DataDir     string
	LogLevel    string

	TelegramBotToken      string
	TelegramAPIEndpoint   string // tgbotapi's format: ".../bot%s/%s"
	TelegramSupportChatID int64
	TelegramWebhookURL    string
	// TelegramSupportLanguage is what staff read the support group in.
	TelegramSupportLanguage string

	WBAPIBaseURL string // replaces every WB host when set
	PollSchedule string // robfig/cron spec of the WB polling round
	CNYPerRUB    float64
	// OutboxLease is how long a replica's claim on outbox rows (and on
	// staff relays) holds unless renewed: after a crash, its rows wait this
	// long for another.
	OutboxLease time.Duration
	// FBS is where resold items ship (cmd/indigo/resale.go); a zero
	// office turns resale on WB off, and staff mark returns listed by hand.
	FBS FBSConfig

	WeChatAppID      string
	WeChatAppSecret  string
	WeChatToken      string
	WeChatAESKey     string
	WeChatAPIBaseURL string
	// WeChatTemplates announce pushes outside the 48-hour window, each kind
	// at most once per WeChatTemplateEvery to a follower (config_wechat.go).
	WeChatTemplates     map[conversations.NoticeKind]wechat.Template
	WeChatTemplateEvery time.Duration
}

// TelegramEnabled reports whether the Telegram channel has its credentials.
func (c *Config) TelegramEnabled() bool { return c.TelegramBotToken != "" }

// WeChatEnabled reports whether the WeChat channel has its credentials.
func (c *Config) WeChatEnabled() bool {
	return c.WeChatAppID != "" && c.WeChatAppSecret != "" && c.WeChatToken != ""
}

// LoadConfig reads and validates the environment through getenv. It reports
// every bad value at once, one line each, naming the variable.
func LoadConfig(getenv func(string) string) (*Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL:             env("DATABASE_URL", ""),
		HTTPAddr:                env("HTTP_ADDR", ":8080"),
		MetricsAddr:             env("METRICS_ADDR", ""),
		DataDir:                 env("INDIGO_DATA_DIR", "./.indigo"),
		LogLevel:                env("LOG_LEVEL", "info"),
		TelegramBotToken:        env("TELEGRAM_BOT_TOKEN", ""),
		TelegramAPIEndpoint:     env("TELEGRAM_API_ENDPOINT", "https://api.telegram.org/bot%s/%s"),
		TelegramWebhookURL:      env("TELEGRAM_WEBHOOK_URL", ""),
		TelegramSupportLanguage: env("TELEGRAM_SUPPORT_LANGUAGE", "en"),
		WBAPIBaseURL:            env("WB_API_BASE_URL", ""),
		PollSchedule:            env("POLL_SCHEDULE", "@every 1m"),
		WeChatAppID:             env("WECHAT_APP_ID", ""),
		WeChatAppSecret:         env("WECHAT_APP_SECRET", ""),
		WeChatToken:             env("WECHAT_TOKEN", ""),
		WeChatAESKey:            env("WECHAT_AES_KEY", ""),
		WeChatAPIBaseURL:        env("WECHAT_API_BASE_URL", ""),
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.DatabaseURL != "" && !hasScheme(c.DatabaseURL, "postgres", "postgresql") {
		bad("DATABASE_URL", "want a postgres:// URL")
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
		bad("HTTP_ADDR", "want host:port such as :8080, got %q", c.HTTPAddr)
	}
	if _, port, err := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr != "" && (err != nil || port == "") {
		bad("METRICS_ADDR", "want host:port such as :9090, got %q", c.MetricsAddr)
	}
	c.PublicURL = strings.TrimRight(env("PUBLIC_URL", localURL(c.HTTPAddr)), "/")
	if !hasScheme(c.PublicURL, "http", "https") {
		bad("PUBLIC_URL", "want an http(s) URL such as https://indigo.example.com")
	}
	if raw := env("INDIGO_SECRET_KEY", ""); raw != "" {
		key, err := ParseSecretKey(raw)
		if err != nil {
			bad("INDIGO_SECRET_KEY", "%v", err)
		}
		c.SecretKey = key
	} else if c.DatabaseURL != "" {
		// A generated key would differ per replica and lock the tokens away.
		bad("INDIGO_SECRET_KEY", "required with DATABASE_URL; generate one with: openssl rand -base64 32")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	// The %s verbs are not valid URL escapes, so check the URL with them filled in.
	if strings.Count(c.TelegramAPIEndpoint, "%s") != 2 || !hasScheme(fmt.Sprintf(c.TelegramAPIEndpoint, "token", "method"), "http", "https") {
		bad("TELEGRAM_API_ENDPOINT", "want a URL with two %%s, such as https://api.telegram.org/bot%%s/%%s")
	}
	if v := env("TELEGRAM_SUPPORT_CHAT_ID", ""); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id >= 0 {
			bad("TELEGRAM_SUPPORT_CHAT_ID", "want the group's negative chat id such as -1001234567890, got %q", v)
		}
		c.TelegramSupportChatID = id
	}
	switch c.TelegramSupportLanguage {
	case "en", "zh", "ru":
	default:
		bad("TELEGRAM_SUPPORT_LANGUAGE", "want en, zh or ru, got %q", c.TelegramSupportLanguage)
	}
	if c.TelegramWebhookURL != "" && !hasScheme(c.TelegramWebhookURL, "https") && !isLoopbackHTTP(c.TelegramWebhookURL) {
		bad("TELEGRAM_WEBHOOK_URL", "Telegram delivers webhooks only to https URLs (http only on loopback, for local tests)")
	}
	for name, v := range map[string]string{"WB_API_BASE_URL": c.WBAPIBaseURL, "WECHAT_API_BASE_URL": c.WeChatAPIBaseURL} {
		if v != "" && !hasScheme(v, "http", "https") {
			bad(name, "want an http(s) URL, got %q", v)
		}
	}
	if _, err := cron.ParseStandard(c.PollSchedule); err != nil {
		bad("POLL_SCHEDULE", "want a cron spec such as @every 1m or */5 * * * *: %v", err)
	}
	rate, err := strconv.ParseFloat(env("CNY_PER_RUB", "0.089"), 64)
	if err != nil || rate <= 0 {
		bad("CNY_PER_RUB", "want the yuan price of one rouble such as 0.089, got %q", env("CNY_PER_RUB", ""))
	}
	c.CNYPerRUB = rate
	// Below a few seconds a replica stalled by a slow query would lose its
	// claims while still sending (fenced, but each one a possible double).
	lease, err := time.ParseDuration(env("OUTBOX_LEASE", "2m"))
	if err != nil || lease < minOutboxLease {
		bad("OUTBOX_LEASE", "want a duration of at least %v such as 2m, got %q", minOutboxLease, env("OUTBOX_LEASE", ""))
	}
	c.OutboxLease = lease
	c.FBS = loadFBS(env, bad)
	c.WeChatTemplates, c.WeChatTemplateEvery = loadWeChatTemplates(env, bad)
	if c.WeChatAESKey != "" && len(c.WeChatAESKey) != 43 {
		bad("WECHAT_AES_KEY", "the EncodingAESKey is 43 characters, got %d", len(c.WeChatAESKey))
	}
	return c, errors.Join(errs...)
}

// minOutboxLease is the shortest OUTBOX_LEASE: the lease is renewed every
// quarter of it, which must outlast a busy database's pauses.
const minOutboxLease = 5 * time.Second

// ParseSecretKey accepts 32 bytes as standard or URL base64, or as 64 hex digits.
func ParseSecretKey(s string) ([]byte, error) {
	for _, dec := range []func(string) ([]byte, error){
		hex.DecodeString, base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("want 32 random bytes in base64 or hex; generate one with: openssl rand -base64 32")
}

func hasScheme(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}

// isLoopbackHTTP reports whether raw is an http URL of this machine. Telegram
// itself delivers only to https, but a fake Telegram and a soak's proxy on
// loopback (cmd/soak) speak plain http, and nothing leaves the machine.
func isLoopbackHTTP(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localURL is where a browser on this machine reaches addr.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
