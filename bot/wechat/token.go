package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/util"
)

// token.go: the access token, fetched once and shared by every replica
// through the database, and the call wrapper that drops a token WeChat
// refuses and tries again with a new one.

// tokenRefreshBefore: a token this close to its end is replaced before
// use, so calls never race its expiry.
const tokenRefreshBefore = 10 * time.Minute

// TokenStore keeps the account's access token for every replica:
// storage.WeChatService implements it.
type TokenStore interface {
	AccessToken(ctx context.Context, appID string) (token string, expiresAt time.Time, err error)
	// RefreshAccessToken runs fetch under the account row's lock unless a
	// token other than stale, living at least minTTL more, is stored.
	RefreshAccessToken(ctx context.Context, appID, stale string, minTTL time.Duration,
		fetch func(ctx context.Context) (string, time.Time, error)) (string, time.Time, error)
}

// AccessToken is the bot's credential.AccessTokenHandle: the token lives
// in PostgreSQL, one replica at a time fetches a new one (before the old
// one ends, or at once when WeChat refuses it), and each process keeps a
// copy to spare the database a read per call.
type AccessToken struct {
	appID, secret string
	store         TokenStore
	now           func() time.Time
	refreshBefore time.Duration
	scrub         func(error) error

	mu      sync.Mutex
	token   string
	expires time.Time
}

var _ credential.AccessTokenContextHandle = (*AccessToken)(nil)

// GetAccessToken implements credential.AccessTokenHandle.
func (a *AccessToken) GetAccessToken() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return a.GetAccessTokenContext(ctx)
}

// GetAccessTokenContext returns a token with at least refreshBefore left,
// fetching one if the shared one is missing or about to end.
func (a *AccessToken) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok, ok := a.cached(); ok {
		return tok, nil
	}
	tok, exp, err := a.store.AccessToken(ctx, a.appID)
	if err != nil {
		return "", fmt.Errorf("get wechat access token: %w", err)
	}
	if tok == "" || exp.Sub(a.now()) < a.refreshBefore {
		if tok, exp, err = a.store.RefreshAccessToken(ctx, a.appID, tok, a.refreshBefore, a.fetch); err != nil {
			return "", fmt.Errorf("get wechat access token: %w", err)
		}
	}
	a.keep(tok, exp)
	return tok, nil
}

// Invalidate drops a token WeChat refused (40001, 42001, 40014) and returns
// its successor. Callers that found the same token dead share one fetch:
// the first replaces it, the others find the new one stored.
func (a *AccessToken) Invalidate(ctx context.Context, bad string) (string, error) {
	a.mu.Lock()
	if a.token == bad {
		a.token = ""
	}
	a.mu.Unlock()
	tok, exp, err := a.store.RefreshAccessToken(ctx, a.appID, bad, a.refreshBefore, a.fetch)
	if err != nil {
		return "", fmt.Errorf("replace wechat access token: %w", err)
	}
	a.keep(tok, exp)
	return tok, nil
}

func (a *AccessToken) cached() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token, a.token != "" && a.expires.Sub(a.now()) >= a.refreshBefore
}

func (a *AccessToken) keep(tok string, exp time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.token, a.expires = tok, exp
}

// fetch asks WeChat for a new token (through silenceper, so the URL
// rewriting applies). Its errors would quote the secret: they are scrubbed.
func (a *AccessToken) fetch(ctx context.Context) (string, time.Time, error) {
	uri := fmt.Sprintf("%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s",
		wechatAPI, url.QueryEscape(a.appID), url.QueryEscape(a.secret))
	res, err := credential.GetTokenFromServerContext(ctx, uri)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("fetch access token: %w", a.scrub(err))
	}
	if res.AccessToken == "" {
		return "", time.Time{}, errors.New("fetch access token: WeChat answered no token")
	}
	ttl := time.Duration(res.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 7200 * time.Second
	}
	return res.AccessToken, a.now().Add(ttl), nil
}

// pinnedToken is the token handle of one call's client (Bot.account).
type pinnedToken string

func (p pinnedToken) GetAccessToken() (string, error) { return string(p), nil }

func (p pinnedToken) GetAccessTokenContext(context.Context) (string, error) { return string(p), nil }

// APIError is an answer of WeChat's API with a non-zero errcode, or a
// failed request (Code 0). Its text carries no secret and no token.
type APIError struct {
	Call string
	Code int
	Err  error
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s: errcode %d: %v", e.Call, e.Code, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Call, e.Err)
}

func (e *APIError) Unwrap() error { return e.Err }

// WeChat's error codes the bot reacts to.
const (
	codeBadToken      = 40001 // invalid or not the latest access token
	codeTokenExpired  = 42001
	codeTokenInvalid  = 40014
	codeBadOpenID     = 40003
	codeNotFollowing  = 43004 // require subscribe
	codeOutOfWindow   = 45015 // out of the 48-hour window, or unfollowed
	codeQuotaSpent    = 45047 // the window's messages are used up
	codeBlockedByUser = 43019 // the follower blocked the account
)

// errCode is the errcode of an API error, 0 for other errors.
func errCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// outOfWindow: WeChat will take no customer-service message now.
func outOfWindow(err error) bool {
	c := errCode(err)
	return c == codeOutOfWindow || c == codeQuotaSpent
}

// unreachable: no message will ever reach this follower.
func unreachable(err error) bool {
	c := errCode(err)
	return c == codeBadOpenID || c == codeNotFollowing || c == codeBlockedByUser
}

var errcodeText = regexp.MustCompile(`errcode\s*[=:]\s*(-?\d+)`)

// codeOf reads WeChat's errcode from silenceper's error, which is a
// *util.CommonError or, on most paths, only a formatted string.
func codeOf(err error) int {
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return int(ce.ErrCode)
	}
	if m := errcodeText.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// call runs one API request with the current token. When WeChat refuses
// the token, it is replaced (once for every caller that saw it refused)
// and the request made again.
func (b *Bot) call(ctx context.Context, what string, fn func(oa *officialaccount.OfficialAccount) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := b.tokens.GetAccessTokenContext(ctx)
		if err != nil {
			b.observe(ctx, what, attempt, err)
			return &APIError{Call: what, Err: err}
		}
		err = fn(b.account(tok))
		b.observe(ctx, what, attempt, err)
		if err == nil {
			return nil
		}
		code := codeOf(err)
		if attempt == 0 && (code == codeBadToken || code == codeTokenExpired || code == codeTokenInvalid) {
			b.log.Info("wechat: access token refused, replacing it", "call", what, "errcode", code)
			if _, err := b.tokens.Invalidate(ctx, tok); err != nil {
				return &APIError{Call: what, Err: err}
			}
			continue
		}
		return &APIError{Call: what, Code: code, Err: b.scrub(err)}
	}
}

// codeAPIQuota is WeChat's "api freq out of limit": the account's daily
// quota of a call is spent.
const codeAPIQuota = 45009

// observe tells Config.Observe how one request ended.
func (b *Bot) observe(ctx context.Context, what string, attempt int, err error) {
	if b.cfg.Observe == nil || ctx.Err() != nil {
		return
	}
	outcome := "ok"
	if err != nil {
		switch code := codeOf(err); {
		case code == codeAPIQuota || code == codeQuotaSpent:
			outcome = "rate_limited"
		case code != 0:
			outcome = "refused"
		default:
			outcome = "unreachable"
		}
	}
	b.cfg.Observe(Request{Call: what, Attempt: attempt, Outcome: outcome})
}

// credentialInURL matches the query parameters silenceper puts secrets in.
var credentialInURL = regexp.MustCompile(`(?i)((?:access_token|secret|appsecret)=)[^&\s"',)]+`)

// scrub removes the app secret, the AES key and any token from an error:
// silenceper's errors quote the request URL, which carries them.
func (b *Bot) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := credentialInURL.ReplaceAllString(msg, "${1}<redacted>")
	for _, secret := range []string{b.cfg.AppSecret, b.cfg.AESKey} {
		if secret != "" {
			clean = strings.ReplaceAll(clean, secret, "<redacted>")
		}
	}
	if clean == msg {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s (%w)", clean, context.DeadlineExceeded)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s (%w)", clean, context.Canceled)
	}
	return errors.New(clean)
}
