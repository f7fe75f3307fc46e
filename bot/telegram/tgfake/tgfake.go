// Package tgfake is a fake Telegram Bot API server on loopback. It speaks the
// documented wire format (POST /bot<token>/<method>, GET /file/bot<token>/<path>),
// keeps chats, messages, files, topics and an update queue in memory, enforces
// Telegram's size and rate limits, and lets a test act as the users.
//
// Every Telegram test in Indigo and the `indigo demo` mode run against it
// through the real client library. It imports nothing of ours and must not
// import testing: the demo links it into the binary.
package tgfake

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for Options.
const (
	DefaultToken       = "123456789:AAF-indigo-fake-token-0123456789ab"
	DefaultBotUsername = "indigo_test_bot"
	DefaultBotName     = "Indigo"
)

// Limits the fake enforces. The size limits are Telegram's documented ones;
// the rate limits follow the official FAQ, with the burst being our choice
// for "short bursts are tolerated".
const (
	MaxTextLength     = 4096 // UTF-16 code units after entity parsing
	MaxCaptionLength  = 1024
	MaxCallbackData   = 64 // bytes
	MaxPhotoUpload    = 10 << 20
	MaxDocumentUpload = 50 << 20
	MaxDownload       = 20 << 20

	PrivateChatBurst = 5           // sends a private chat absorbs at once,
	PrivateChatEvery = time.Second // then one more per interval
	GroupLimit       = 20          // sends per group in a rolling GroupWindow
	GroupWindow      = time.Minute
	GlobalLimit      = 30 // sends per bot in a rolling GlobalWindow
	GlobalWindow     = time.Second
)

const webhookTimeout = 10 * time.Second

// Options configure a Server. The zero value is usable.
type Options struct {
	Token       string // default DefaultToken; its digits before ':' are the bot's id
	BotUsername string // default DefaultBotUsername
	BotName     string // default DefaultBotName

	// FirstID is where update ids and every chat's message ids start
	// (above it): a bot that kept its database across a restart of the
	// fake (`indigo demo`) must not meet an id it has seen. Default 0.
	FirstID int

	// DisableRateLimits turns off the 429 answers; size limits stay on.
	DisableRateLimits bool
	// Now is the clock for message dates and rate limits. Tests pass a
	// manual clock so they can cross a limit window without sleeping.
	Now func() time.Time
	// WebhookRetryDelay is the first pause after a failed webhook delivery;
	// it doubles up to 32 times that. Default 100ms.
	WebhookRetryDelay time.Duration
}

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	token      string
	bot        User
	now        func() time.Time
	limitsOn   bool
	retryDelay time.Duration
	firstID    int

	ln      net.Listener
	httpSrv *http.Server
	url     string
	handler http.Handler
	done    chan struct{}
	closing sync.Once
	wg      sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	seq      int64
	users    map[int64]*user
	chats    map[int64]*chat
	files    map[string]*storedFile
	paths    map[string]*storedFile
	queue    []Update
	nextUpd  int
	allowed  []string
	pollGen  int
	hook     webhook
	queries  map[string]bool // callback query id -> still unanswered
	answers  []CallbackAnswer
	commands map[commandKey][]BotCommand
	actions  map[int64][]string
	requests map[string]int
	count429 int
	refused  []Refusal
	failures map[string][]*apiError
	limits   limiter
}

// New starts a fake on a free loopback port. It panics if it cannot listen,
// as httptest does: there is nothing a caller could do about it.
func New(opts Options) *Server {
	s := &Server{
		token:      opts.Token,
		now:        opts.Now,
		limitsOn:   !opts.DisableRateLimits,
		retryDelay: opts.WebhookRetryDelay,
		done:       make(chan struct{}),
		changed:    make(chan struct{}),
		users:      map[int64]*user{},
		chats:      map[int64]*chat{},
		files:      map[string]*storedFile{},
		paths:      map[string]*storedFile{},
		nextUpd:    opts.FirstID + 1,
		firstID:    opts.FirstID,
		queries:    map[string]bool{},
		commands:   map[commandKey][]BotCommand{},
		actions:    map[int64][]string{},
		requests:   map[string]int{},
		failures:   map[string][]*apiError{},
		limits:     newLimiter(),
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retryDelay <= 0 {
		s.retryDelay = 100 * time.Millisecond
	}
	s.bot = botUser(s.token, opts)
	s.handler = http.HandlerFunc(s.serveHTTP)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("tgfake: listen on loopback: " + err.Error())
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go s.httpSrv.Serve(ln)
	return s
}

func botUser(token string, opts Options) User {
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	u := User{
		ID: id, IsBot: true, FirstName: opts.BotName, Username: opts.BotUsername,
		CanJoinGroups: true, CanReadAllGroupMessages: true,
	}
	if u.FirstName == "" {
		u.FirstName = DefaultBotName
	}
	if u.Username == "" {
		u.Username = DefaultBotUsername
	}
	return u
}

// URL is the base URL, such as http://127.0.0.1:41234. The client's endpoint
// is URL()+"/bot%s/%s".
func (s *Server) URL() string { return s.url }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.token }

// Bot is the bot's own user, as getMe returns it.
func (s *Server) Bot() User { return s.bot }

// FileURL is where a file_path from getFile downloads. tgbotapi's
// GetFileDirectURL ignores custom endpoints, so adapters build this themselves.
func (s *Server) FileURL(filePath string) string {
	return s.url + "/file/bot" + s.token + "/" + filePath
}

// Handler serves the Bot API, for mounting the fake inside another server
// (the demo) in addition to its own loopback listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the listener, ends pending long polls and webhook deliveries.
func (s *Server) Close() {
	s.closing.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.stopWebhookLocked()
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			s.httpSrv.Close()
		}
		s.wg.Wait()
	})
}

// broadcastLocked wakes everyone waiting for a change (long polls, the
// webhook sender, WaitForMessage) without them having to poll.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// apiError is an {"ok":false} answer; code doubles as the HTTP status, as on Telegram.
type apiError struct {
	code   int
	desc   string
	params *ResponseParameters
}

func (e *apiError) Error() string { return e.desc }

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

func forbidden(desc string) *apiError { return &apiError{code: 403, desc: "Forbidden: " + desc} }

var (
	errNotFound     = &apiError{code: 404, desc: "Not Found"}
	errUnauthorized = &apiError{code: 401, desc: "Unauthorized"}
)

type method struct {
	name string
	fn   func(s *Server, p *params) (any, *apiError)
	// free methods take the lock themselves because they wait (getUpdates).
	free bool
}

// methods is keyed by lower-case name: Telegram matches method names case-insensitively.
var methods = map[string]method{}

func register(name string, fn func(s *Server, p *params) (any, *apiError), free bool) {
	methods[strings.ToLower(name)] = method{name: name, fn: fn, free: free}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/file/bot"):
		s.serveFile(w, strings.TrimPrefix(path, "/file/bot"))
	case strings.HasPrefix(path, "/bot"):
		s.serveMethod(w, r, strings.TrimPrefix(path, "/bot"))
	default:
		writeError(w, errNotFound)
	}
}

func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	key := strings.ToLower(name)
	s.mu.Lock()
	s.requests[key]++
	injected := s.popFailureLocked(key)
	s.mu.Unlock()

	p, perr := parseParams(r)
	if perr != nil {
		writeError(w, perr)
		return
	}
	if injected != nil {
		writeError(w, injected)
		return
	}
	m, known := methods[key]
	if !known {
		writeError(w, errNotFound)
		return
	}
	p.ctx = r.Context()
	var res any
	var err *apiError
	if m.free {
		res, err = m.fn(s, p)
	} else {
		s.mu.Lock()
		res, err = m.fn(s, p)
		s.broadcastLocked()
		s.mu.Unlock()
	}
	if err != nil {
		if err.code == http.StatusTooManyRequests {
			s.mu.Lock()
			s.count429++
			r := Refusal{Method: name, ChatID: p.str("chat_id"), At: s.now()}
			if err.params != nil {
				r.RetryAfter = err.params.RetryAfter
			}
			s.refused = append(s.refused, r)
			s.mu.Unlock()
		}
		writeError(w, err)
		return
	}
	if d, ok := res.(describedResult); ok {
		writeJSON(w, http.StatusOK, response{OK: true, Result: d.result, Description: d.desc})
		return
	}
	writeJSON(w, http.StatusOK, response{OK: true, Result: res})
}

// describedResult is a success that Telegram words, such as "Webhook was set".
type describedResult struct {
	result any
	desc   string
}

func described(result any, desc string) describedResult { return describedResult{result, desc} }

func (s *Server) popFailureLocked(key string) *apiError {
	q := s.failures[key]
	if len(q) == 0 {
		return nil
	}
	s.failures[key] = q[1:]
	return q[0]
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.code, response{ErrorCode: e.code, Description: e.desc, Parameters: e.params})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// isClosed reports whether Close was called.
func (s *Server) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
