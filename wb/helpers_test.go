package wb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// env is a real client pointed at a fresh fake over loopback.
type env struct {
	fake   *wbfake.Server
	client *wb.Client
	clock  *clock // nil unless withClock was given
}

type option func(*wb.Config, *env)

// withClock runs the client on a fake clock whose Sleep records the wait
// and moves time on instead of waiting.
func withClock() option {
	return func(cfg *wb.Config, e *env) {
		e.clock = newClock()
		cfg.Now, cfg.Sleep = e.clock.Now, e.clock.Sleep
	}
}

func withConfig(f func(*wb.Config)) option {
	return func(cfg *wb.Config, _ *env) { f(cfg) }
}

func newEnv(tb testing.TB, opts ...option) *env {
	tb.Helper()
	e := &env{fake: wbfake.New()}
	tb.Cleanup(e.fake.Close)
	cfg := wb.Config{BaseURL: e.fake.URL}
	for _, o := range opts {
		o(&cfg, e)
	}
	e.client = wb.New(cfg)
	return e
}

// seller adds a seller and returns its sid and a token with Indigo's scopes.
func (e *env) seller(tb testing.TB, name string) (sid, token string) {
	tb.Helper()
	sid = newSID()
	e.fake.AddSeller(wbfake.Seller{SID: sid, Name: name, TradeMark: name + " TM"})
	return sid, e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid})
}

var sids atomic.Int64

// newSID makes a UUID-shaped seller id, unique within the test binary.
func newSID() string {
	n := sids.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return c
}

// errStopped is what the clock's Sleep returns once stopped.
var errStopped = errors.New("clock stopped")

// clock is a fake time source for the client: Now only moves when Sleep is
// called, so limiter and retry waits are recorded, not spent.
type clock struct {
	mu      sync.Mutex
	now     time.Time
	slept   []time.Duration
	stopped bool
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if c.stopped {
		return errStopped
	}
	c.now = c.now.Add(d)
	return ctx.Err()
}

// Advance moves the clock on, as time passing outside any call.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stop makes every later Sleep fail, ending the call that wanted to wait.
func (c *clock) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
}

func (c *clock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// mustAPIError asserts err is an *APIError with status.
func mustAPIError(tb testing.TB, err error, status int) *wb.APIError {
	tb.Helper()
	var apiErr *wb.APIError
	if !errors.As(err, &apiErr) {
		tb.Fatalf("err = %v, want *wb.APIError %d", err, status)
	}
	if apiErr.Status != status {
		tb.Fatalf("status = %d, want %d (%v)", apiErr.Status, status, err)
	}
	return apiErr
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
