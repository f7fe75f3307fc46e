// Package wxfake is a fake WeChat Official Account platform on loopback,
// for tests and the demo. It answers the API Indigo calls (access token,
// customer-service messages with their 48-hour window and quota, temporary
// media, the account menu, template messages and their receipts) with
// WeChat's error codes, records what was sent, and plays the followers: it
// posts signed, and in safe mode encrypted, callback XML to the service's
// URL as WeChat does, retrying when no answer comes within 5 seconds.
//
// It speaks the wire formats only, written from WeChat's documentation: it
// imports nothing of Indigo's, not the client library, and not the testing
// package (the demo links it).
//
// One Server hosts any number of accounts (AppIDs). The client library can
// be pointed at one fake per process only (its URL rewriting is a global),
// so tests share the Server and each takes its own Account; tokens,
// followers, media and recordings never cross accounts.
package wxfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// WeChat's rules as the fake enforces them.
const (
	// DefaultTokenTTL is what /cgi-bin/token answers in expires_in.
	DefaultTokenTTL = 7200 * time.Second
	// TokenGrace is how long a token keeps working after a newer one was
	// fetched ("old and new both work for 5 minutes").
	TokenGrace = 5 * time.Minute
	// A follower's message allows MessageQuota customer-service messages
	// within MessageWindow; a follow, menu tap or scan EventQuota within
	// EventWindow (WeChat's table since 2023).
	MessageQuota  = 5
	MessageWindow = 48 * time.Hour
	EventQuota    = 3
	EventWindow   = time.Minute
	// MediaLifetime is how long a temporary media id works.
	MediaLifetime = 72 * time.Hour
	// MaxImageSize is the temporary image limit (2 MB on WeChat's page).
	MaxImageSize = 2 << 20
	// MaxTextSize caps a customer-service text (WeChat documents none;
	// 2048 bytes is what passive replies were measured to take).
	MaxTextSize = 2048
	// CallbackTimeout is how long WeChat waits for an answer before it
	// tries again; it tries CallbackTries times in all.
	CallbackTimeout = 5 * time.Second
	CallbackTries   = 3
)

// Server is the fake platform.
type Server struct {
	ts     *httptest.Server
	client *http.Client

	mu       sync.Mutex
	offset   time.Duration // Advance moves the fake's clock
	accounts map[string]*Account
	tokens   map[string]*accessToken
	seq      int64
	changed  chan struct{} // closed and replaced whenever something is recorded
	oauth    oauthState    // web authorization codes (oauth.go)
}

type accessToken struct {
	acct    *Account
	expires time.Time
	revoked bool
}

// New starts a fake on a loopback port.
func New() *Server {
	s := &Server{
		client:   &http.Client{Timeout: CallbackTimeout},
		accounts: map[string]*Account{},
		tokens:   map[string]*accessToken{},
		changed:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.handleToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.api(s.handleCustomSend))
	mux.HandleFunc("POST /cgi-bin/message/template/send", s.api(s.handleTemplateSend))
	mux.HandleFunc("POST /cgi-bin/media/upload", s.api(s.handleMediaUpload))
	mux.HandleFunc("GET /cgi-bin/media/get", s.api(s.handleMediaGet))
	mux.HandleFunc("POST /cgi-bin/menu/create", s.api(s.handleMenuCreate))
	mux.HandleFunc("POST /cgi-bin/menu/addconditional", s.api(s.handleMenuConditional))
	mux.HandleFunc("GET /cgi-bin/menu/delete", s.api(s.handleMenuDelete))
	s.routeOAuth(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 40066, "invalid url")
	})
	s.ts = httptest.NewServer(mux)
	return s
}

// URL is the fake's base URL, to use in place of https://api.weixin.qq.com.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the fake.
func (s *Server) Close() { s.ts.Close() }

// Now is the fake's clock: the real time moved by Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Advance moves the fake's clock forward, to let windows, tokens and media
// run out without waiting. Callbacks are still signed with the real time.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// AccountOptions configure an account; empty credentials are generated.
type AccountOptions struct {
	AppID      string
	AppSecret  string
	Token      string // signs callbacks
	AESKey     string // the 43-character EncodingAESKey
	OriginalID string // the account's gh_… id, the ToUserName of callbacks
	// Encrypted is safe mode: callbacks carry only ciphertext.
	Encrypted bool
	// TokenTTL is the access tokens' lifetime; default DefaultTokenTTL.
	TokenTTL time.Duration
}

// Account is one Official Account on the fake.
type Account struct {
	AppID      string
	AppSecret  string
	Token      string
	AESKey     string
	OriginalID string
	Encrypted  bool

	s   *Server
	ttl time.Duration

	// guarded by s.mu
	callbackURL string
	fetches     int
	followers   map[string]*follower
	media       map[string]*media
	sent        []Message
	templates   templateBook // template.go
	menu        []MenuButton
	menuCreates int
	conditional []ConditionalMenu
	faults      map[string][]fault
}

type follower struct {
	following bool
	closes    time.Time
	quota     int
	used      int
}

type media struct {
	kind     string
	name     string
	data     []byte
	uploaded time.Time
}

type fault struct {
	errcode int
	status  int
	pass    bool // the call goes through: FailAfter's calls before the failure
}

// NewAccount adds an Official Account.
func (s *Server) NewAccount(opts AccountOptions) *Account {
	a := &Account{
		AppID:      or(opts.AppID, "wx"+randomHex(8)),
		AppSecret:  or(opts.AppSecret, randomHex(16)),
		Token:      or(opts.Token, "tk"+randomHex(12)),
		AESKey:     or(opts.AESKey, newAESKey()),
		OriginalID: or(opts.OriginalID, "gh_"+randomHex(6)),
		Encrypted:  opts.Encrypted,
		s:          s,
		ttl:        opts.TokenTTL,
		followers:  map[string]*follower{},
		media:      map[string]*media{},
		faults:     map[string][]fault{},
	}
	if a.ttl <= 0 {
		a.ttl = DefaultTokenTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.AppID] = a
	return a
}

// SetCallbackURL is the server URL configured in the MP backend: where
// the followers' messages are posted.
func (a *Account) SetCallbackURL(u string) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.callbackURL = u
}

// TokenFetches counts the access tokens handed out.
func (a *Account) TokenFetches() int {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return a.fetches
}

// Tokens lists every access token ever issued to the account, to check
// none of them reaches a log.
func (a *Account) Tokens() []string {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	var out []string
	for tok, t := range a.s.tokens {
		if t.acct == a {
			out = append(out, tok)
		}
	}
	sort.Strings(out)
	return out
}

// RevokeTokens invalidates every token issued so far, as a token fetched
// elsewhere does after the grace period: the next call with one gets 40001.
func (a *Account) RevokeTokens() {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	for _, t := range a.s.tokens {
		if t.acct == a {
			t.revoked = true
		}
	}
}

// ExpireTokens makes every token issued so far expire now: 42001.
func (a *Account) ExpireTokens() {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	now := a.s.now()
	for _, t := range a.s.tokens {
		if t.acct == a && t.expires.After(now) {
			t.expires = now
		}
	}
}

// FailNext makes the next call to the API path (such as
// "/cgi-bin/message/custom/send") answer errcode, as WeChat does, with
// HTTP 200. Several calls queue up.
func (a *Account) FailNext(path string, errcode int) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.faults[path] = append(a.faults[path], fault{errcode: errcode})
}

// FailAfter lets n calls to the API path through, then makes the next
// answer errcode: a send that fails part-way through a reply.
func (a *Account) FailAfter(path string, n, errcode int) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	for range n {
		a.faults[path] = append(a.faults[path], fault{pass: true})
	}
	a.faults[path] = append(a.faults[path], fault{errcode: errcode})
}

// FailNextStatus makes the next call to the path answer an HTTP status
// with a non-JSON body, as a proxy in the way would.
func (a *Account) FailNextStatus(path string, status int) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.faults[path] = append(a.faults[path], fault{status: status})
}

// takeFault pops the next injected failure for path; s.mu must be held.
func (a *Account) takeFault(path string) (fault, bool) {
	q := a.faults[path]
	if len(q) == 0 {
		return fault{}, false
	}
	a.faults[path] = q[1:]
	return q[0], true
}

func (f fault) write(w http.ResponseWriter) {
	if f.status != 0 {
		http.Error(w, "<html><body>"+http.StatusText(f.status)+"</body></html>", f.status)
		return
	}
	writeError(w, f.errcode, errmsg(f.errcode))
}

// Message is a customer-service message the account sent to a follower.
type Message struct {
	Seq     int64 // order of recording across the account
	ToUser  string
	Type    string // text or image
	Text    string
	MediaID string
	Image   []byte // the uploaded bytes of an image message
	At      time.Time
}

// Sent lists what was sent to the follower, oldest first.
func (a *Account) Sent(openID string) []Message {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	var out []Message
	for _, m := range a.sent {
		if m.ToUser == openID {
			out = append(out, m)
		}
	}
	return out
}

// MenuButton is a button of the account menu as created.
type MenuButton struct {
	Type       string       `json:"type,omitempty"`
	Name       string       `json:"name"`
	Key        string       `json:"key,omitempty"`
	URL        string       `json:"url,omitempty"`
	SubButtons []MenuButton `json:"sub_button,omitempty"`
}

// ConditionalMenu is a menu shown to followers matching a rule, such as
// {"tag_id": "2"}; a rule on private data (a language) is refused.
type ConditionalMenu struct {
	Rule    map[string]string
	Buttons []MenuButton
}

// Menu returns the default account menu.
func (a *Account) Menu() []MenuButton {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return append([]MenuButton(nil), a.menu...)
}

// MenuCreates counts the calls that set the default menu.
func (a *Account) MenuCreates() int {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return a.menuCreates
}

// ConditionalMenus returns the menus added for matching followers.
func (a *Account) ConditionalMenus() []ConditionalMenu {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return append([]ConditionalMenu(nil), a.conditional...)
}

// WindowLeft is how many customer-service messages the follower's window
// allows now.
func (a *Account) WindowLeft(openID string) int {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	f, ok := a.followers[openID]
	if !ok || !f.following || !a.s.now().Before(f.closes) {
		return 0
	}
	return max(f.quota-f.used, 0)
}

// actLocked records that a follower did something that opens a window; s.mu held.
func (a *Account) actLocked(openID string, message bool) {
	f := a.followers[openID]
	if f == nil {
		f = &follower{}
		a.followers[openID] = f
	}
	f.following = true
	now := a.s.now()
	if message {
		f.closes, f.quota, f.used = now.Add(MessageWindow), MessageQuota, 0
		return
	}
	if !now.Before(f.closes) || f.quota-f.used < EventQuota {
		f.closes, f.quota, f.used = now.Add(EventWindow), EventQuota, 0
	}
}

// record adds a message and wakes waiters; s.mu held.
func (a *Account) record(m Message) {
	a.s.seq++
	m.Seq = a.s.seq
	a.sent = append(a.sent, m)
	close(a.s.changed)
	a.s.changed = make(chan struct{})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
}

// errmsg is WeChat's text for the codes the fake answers.
func errmsg(code int) string {
	if m, ok := map[int]string{
		-1:    "system error",
		40001: "invalid credential, access_token is invalid or not latest",
		40002: "invalid grant_type",
		40003: "invalid openid",
		40004: "invalid media type",
		40007: "invalid media_id",
		40008: "invalid message type",
		40009: "invalid image size",
		40013: "invalid appid",
		40016: "invalid button size",
		65320: "matchrule contains privacy information (sex, country, province, city or language)",
		40017: "invalid button type",
		40018: "invalid button name size",
		40019: "invalid button key size",
		40023: "invalid sub button size",
		40025: "invalid sub button name size",
		40037: "invalid template_id",
		40125: "invalid appsecret",
		41001: "access_token missing",
		42001: "access_token expired",
		43004: "require subscribe",
		43101: "user refuse to accept the msg",
		44002: "empty post data",
		44004: "empty content",
		45002: "content size out of limit",
		45009: "reach max api daily quota limit",
		45015: "response out of time limit or subscription is canceled",
		45047: "out of response count limit",
		47001: "data format error",
		47003: "argument invalid!",
	}[code]; ok {
		return m
	}
	return "error"
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newAESKey makes an EncodingAESKey: 43 letters and digits that decode,
// with "=" appended, to 32 bytes.
func newAESKey() string {
	for {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		k := strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
		if !strings.ContainsAny(k, "+/") {
			return k
		}
	}
}
