package wb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// Config configures a Client. The zero value talks to WB's production hosts.
type Config struct {
	// BaseURL (WB_API_BASE_URL) replaces every category's host, e.g. with a
	// wbfake URL. Paths stay as WB documents them.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// Now and Sleep are the clock the rate limiter and retries run on; nil
	// means the real one. Tests inject both to avoid waiting.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRetries bounds resends after 429, 5xx and transport errors: 0 means
	// 3, negative means none.
	MaxRetries int
	// MaxPages bounds the All* listings: 0 means 100.
	MaxPages int
	// Logger gets retries and waits at debug level, with token hints only;
	// nil discards them.
	Logger *slog.Logger
	// Observe hears of every HTTP exchange with WB, retries included, for
	// the service's metrics and health (issue 22); nil hears nothing.
	Observe func(Exchange)
}

// Exchange is one HTTP exchange with WB as Config.Observe hears of it.
type Exchange struct {
	Category Category
	// Status is WB's HTTP status; 0 when WB did not answer (the network,
	// a timeout).
	Status  int
	Attempt int // 0 for the first try
}

// Client talks to the WB seller API on behalf of many sellers: every method
// takes the seller's token. It is safe for concurrent use.
type Client struct {
	base       string
	http       *http.Client
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	maxRetries int
	maxPages   int
	log        *slog.Logger
	observe    func(Exchange)
	limiters   limiterSet
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	c := &Client{
		base:       strings.TrimRight(cfg.BaseURL, "/"),
		http:       cfg.HTTPClient,
		now:        cfg.Now,
		sleep:      cfg.Sleep,
		maxRetries: cfg.MaxRetries,
		maxPages:   cfg.MaxPages,
		log:        cfg.Logger,
		observe:    cfg.Observe,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = domain.Sleep
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 3
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.maxPages <= 0 {
		c.maxPages = 100
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// call is one WB request as the endpoint methods describe it.
type call struct {
	token  string
	method string
	cat    Category
	group  group
	path   string // already escaped
	query  url.Values
	body   any // JSON-encoded when non-nil
	out    any // JSON-decoded from a 2xx body when non-nil
	// idempotent calls are resent after a 5xx or a transport error; others
	// only after a 429, which WB answers before doing anything.
	idempotent bool
}

// do sends cl, pacing it with the seller's bucket and retrying as WB's rules
// allow. Errors name the method and path, never the token.
func (c *Client) do(ctx context.Context, cl call) error {
	token := normalizeToken(cl.token)
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("wb %s %s: encode body: %w", cl.method, cl.path, err)
		}
	}
	lim, l := c.limiters.get(token, cl.group, cl.cat)
	for attempt := 0; ; attempt++ {
		if err := c.wait(ctx, lim); err != nil {
			return fmt.Errorf("wb %s %s: %w", cl.method, cl.path, err)
		}
		status, hdr, raw, err := c.send(ctx, token, cl, body)
		if c.observe != nil && ctx.Err() == nil {
			c.observe(Exchange{Category: cl.cat, Status: status, Attempt: attempt})
		}
		var delay time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || !cl.idempotent || attempt >= c.maxRetries {
				return fmt.Errorf("wb %s %s: %w", cl.method, cl.path, err)
			}
			delay = backoff(attempt)
		case status >= 200 && status < 300:
			return c.decode(cl, raw)
		case status == http.StatusTooManyRequests:
			apiErr := parseAPIError(cl.method, cl.path, status, redact(raw, token))
			delay = retryAfter(hdr, l.interval())
			if attempt >= c.maxRetries || !fits(ctx, delay) {
				return apiErr
			}
		case status >= 500:
			apiErr := parseAPIError(cl.method, cl.path, status, redact(raw, token))
			if !cl.idempotent || attempt >= c.maxRetries {
				return apiErr
			}
			delay = backoff(attempt)
		default:
			c.penalize(lim, l)
			return parseAPIError(cl.method, cl.path, status, redact(raw, token))
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "wb retry",
			slog.String("method", cl.method), slog.String("path", cl.path),
			slog.Int("status", status), slog.Int("attempt", attempt+1),
			slog.Duration("wait", delay), slog.String("token", TokenHint(token)))
		if err := c.sleep(ctx, delay); err != nil {
			return fmt.Errorf("wb %s %s: wait before retry: %w", cl.method, cl.path, err)
		}
	}
}

// send makes one HTTP exchange. With a BaseURL the Host header still names
// the WB host meant, because /ping is the same path on every host and only
// the host says which category it checks.
func (c *Client) send(ctx context.Context, token string, cl call, body []byte) (int, http.Header, []byte, error) {
	base, host := "https://"+cl.cat.Host(), ""
	if c.base != "" {
		base, host = c.base, cl.cat.Host()
	}
	u := base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read %d response: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, resp.Header, raw, nil
}

func (c *Client) decode(cl call, raw []byte) error {
	if cl.out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, cl.out); err != nil {
		return fmt.Errorf("wb %s %s: decode response: %w", cl.method, cl.path, err)
	}
	return nil
}

// retryAfter reads WB's X-Ratelimit-Retry (seconds to wait), then
// X-Ratelimit-Reset; WB sends no Retry-After. Without either it waits one
// interval of the bucket.
func retryAfter(h http.Header, fallback time.Duration) time.Duration {
	for _, name := range []string{"X-Ratelimit-Retry", "X-Ratelimit-Reset"} {
		if v := h.Get(name); v != "" {
			if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
				return time.Duration(s * float64(time.Second))
			}
		}
	}
	return fallback
}

// backoff is exponential with jitter in [d/2, d), so sellers polled in one
// round do not retry in lockstep.
func backoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 6)
	d = min(d, 30*time.Second)
	return d/2 + rand.N(d/2)
}

func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// redact guards against an error body echoing the token back.
func redact(raw []byte, token string) []byte {
	if len(token) < 8 || !bytes.Contains(raw, []byte(token)) {
		return raw
	}
	return bytes.ReplaceAll(raw, []byte(token), []byte(TokenHint(token)))
}
