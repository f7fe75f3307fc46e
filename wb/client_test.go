package wb_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

const claimsPath = "/api/v1/claims"

func TestClientAuthErrors(t *testing.T) {
	e := newEnv(t)
	sid, _ := e.seller(t, "auth")
	revoked := e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid})
	e.fake.RevokeToken(revoked)
	noReturns := e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, Scopes: wbfake.ScopeContent})
	readOnly := e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, ReadOnly: true})

	for _, tt := range []struct {
		name       string
		token      string
		scope403   bool
		call       func(token string) error
		status     int
		rejected   bool // errors.Is ErrTokenRejected
		missing    bool // errors.Is ErrMissingScope
		wantDetail string
	}{
		{name: "ErrExpired", token: e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, ExpiresAt: time.Now().Add(-time.Hour)}),
			status: 401, rejected: true, wantDetail: "token expired"},
		{name: "ErrRevoked", token: revoked, status: 401, rejected: true, wantDetail: "revoked"},
		{name: "ErrMalformed", token: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln", status: 401, rejected: true, wantDetail: "malformed"},
		{name: "ErrForged", token: forge(e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, Scopes: wbfake.ScopeContent})),
			status: 401, rejected: true, wantDetail: "signature"},
		{name: "ErrScope401", token: noReturns, status: 401, rejected: true, missing: true, wantDetail: "token scope not allowed"},
		{name: "ErrScope403", token: noReturns, scope403: true, status: 403, missing: true, wantDetail: "token scope not allowed"},
		{name: "ErrReadOnlyWrite", token: readOnly, status: 401, rejected: true, missing: true,
			call: func(tok string) error {
				return e.client.AnswerClaim(ctx(t), tok, wb.ClaimAnswer{ID: "x", Action: wb.ActionApprove1})
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.fake.SetScopeStatus(http.StatusUnauthorized)
			if tt.scope403 {
				e.fake.SetScopeStatus(http.StatusForbidden)
			}
			call := tt.call
			if call == nil {
				call = func(tok string) error { _, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{}); return err }
			}
			err := call(tt.token)
			apiErr := mustAPIError(t, err, tt.status)
			if errors.Is(err, wb.ErrTokenRejected) != tt.rejected || errors.Is(err, wb.ErrMissingScope) != tt.missing {
				t.Errorf("Is(rejected, missing) = %v, %v; want %v, %v", errors.Is(err, wb.ErrTokenRejected),
					errors.Is(err, wb.ErrMissingScope), tt.rejected, tt.missing)
			}
			if !strings.Contains(apiErr.Detail, tt.wantDetail) || apiErr.RequestID == "" || apiErr.Title == "" {
				t.Errorf("error body not decoded: %+v", apiErr)
			}
			assertNoToken(t, err.Error(), tt.token)
		})
	}
}

// forge swaps a token's payload for one granting every category, keeping
// the signature, as a seller editing their token would.
func forge(token string) string {
	parts := strings.Split(token, ".")
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"s":65535,"sid":"x","exp":4100000000}`))
	return parts[0] + "." + payload + "." + parts[2]
}

func assertNoToken(tb testing.TB, s, token string) {
	tb.Helper()
	if token != "" && strings.Contains(s, token) {
		tb.Errorf("token appears in %q", s)
	}
	if parts := strings.Split(token, "."); len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(s, parts[2]) {
		tb.Errorf("token signature appears in %q", s)
	}
}

func TestClientRetries429(t *testing.T) {
	e := newEnv(t, withClock())
	sid, tok := e.seller(t, "busy")
	e.fake.AddClaim(sid, wbfake.Claim{NmID: 1})
	e.fake.FailNext(claimsPath, http.StatusTooManyRequests, 1)

	p, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
	must(t, err)
	if len(p.Claims) != 1 || e.fake.Requests(claimsPath) != 2 {
		t.Fatalf("claims, requests = %d, %d; want 1, 2", len(p.Claims), e.fake.Requests(claimsPath))
	}
	// The fake says X-Ratelimit-Retry: 1.
	if s := e.clock.sleeps(); len(s) != 1 || s[0] < time.Second {
		t.Errorf("sleeps = %v, want one of at least 1s", s)
	}
}

func TestClientGivesUpOn429(t *testing.T) {
	e := newEnv(t, withClock(), withConfig(func(c *wb.Config) { c.MaxRetries = 2 }))
	_, tok := e.seller(t, "busy")
	e.fake.FailNext(claimsPath, http.StatusTooManyRequests, 5)
	_, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
	mustAPIError(t, err, 429)
	if !errors.Is(err, wb.ErrRateLimited) || e.fake.Requests(claimsPath) != 3 {
		t.Errorf("err = %v after %d requests; want ErrRateLimited after 3", err, e.fake.Requests(claimsPath))
	}
}

func TestClientRetries5xx(t *testing.T) {
	for _, tt := range []struct {
		name     string
		fails    int
		retries  int
		path     string
		call     func(e *env, tok string) error
		wantErr  int // 0: success
		requests int
	}{
		{name: "OK", fails: 2, path: claimsPath, requests: 3,
			call: func(e *env, tok string) error {
				_, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
				return err
			}},
		{name: "ErrTooMany", fails: 5, retries: 2, path: claimsPath, wantErr: 503, requests: 3,
			call: func(e *env, tok string) error {
				_, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
				return err
			}},
		{name: "ErrNotIdempotent", fails: 1, path: "/api/v3/supplies", wantErr: 503, requests: 1,
			call: func(e *env, tok string) error { _, err := e.client.CreateSupply(ctx(t), tok, "s"); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withClock(), withConfig(func(c *wb.Config) { c.MaxRetries = tt.retries }))
			_, tok := e.seller(t, "flaky")
			e.fake.FailNext(tt.path, http.StatusServiceUnavailable, tt.fails)
			err := tt.call(e, tok)
			if tt.wantErr == 0 {
				must(t, err)
			} else {
				mustAPIError(t, err, tt.wantErr)
			}
			if got := e.fake.Requests(tt.path); got != tt.requests {
				t.Errorf("requests = %d, want %d", got, tt.requests)
			}
			for i, d := range e.clock.sleeps() {
				if lo := 250 * time.Millisecond << i; d < lo {
					t.Errorf("backoff %d = %s, want ≥ %s", i, d, lo)
				}
			}
		})
	}
}

// TestClientFBSPenalty: since 2026 every 4XX on FBS methods costs ten
// requests, so after one the client has ten fewer to send without waiting.
func TestClientFBSPenalty(t *testing.T) {
	const path = "/api/v3/orders/new"
	immediate := func(t *testing.T, fail bool) int {
		e := newEnv(t, withClock())
		_, tok := e.seller(t, "fbs")
		e.clock.stop()
		if fail {
			e.fake.FailNext(path, http.StatusBadRequest, 1)
			_, err := e.client.NewOrders(ctx(t), tok)
			if apiErr := mustAPIError(t, err, 400); apiErr.Code != "IncorrectRequest" {
				t.Fatalf("code = %q, want the marketplace body's IncorrectRequest", apiErr.Code)
			}
		}
		for n := 0; n < 100; n++ {
			if _, err := e.client.NewOrders(ctx(t), tok); err != nil {
				if !errors.Is(err, errStopped) {
					t.Fatal(err)
				}
				if e.fake.Throttled(path) != 0 {
					t.Errorf("fake answered 429 %d times", e.fake.Throttled(path))
				}
				return n
			}
		}
		t.Fatal("the limiter never made the client wait")
		return 0
	}
	base, after := immediate(t, false), immediate(t, true)
	if base-after != 10 {
		t.Errorf("immediate calls: %d fresh, %d after a 4XX; want a difference of 10", base, after)
	}
}

// TestClientStaysUnderLimits sends more than a burst at once with the real
// clock; WB (the fake) must never have to refuse one.
func TestClientStaysUnderLimits(t *testing.T) {
	const path, n = "/api/v3/orders/new", 24
	e := newEnv(t)
	_, tok := e.seller(t, "burst")
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := e.client.NewOrders(ctx(t), tok)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if got, throttled := e.fake.Requests(path), e.fake.Throttled(path); got != n || throttled != 0 {
		t.Errorf("requests, 429s = %d, %d; want %d, 0", got, throttled, n)
	}
}

func TestClientDeadline(t *testing.T) {
	t.Run("ErrSlowServer", func(t *testing.T) {
		e := newEnv(t)
		_, tok := e.seller(t, "slow")
		e.fake.Slow(claimsPath, time.Second)
		c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := e.client.ListClaims(c, tok, wb.ClaimFilter{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		assertNoToken(t, err.Error(), tok)
	})
	t.Run("ErrLimiterPastDeadline", func(t *testing.T) {
		e := newEnv(t)
		_, tok := e.seller(t, "patient")
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		// seller-info allows one call a minute after a burst of 10 (9 here).
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			_, err = e.client.SellerInfo(c, tok)
		}
		if !errors.Is(err, wb.ErrRateLimited) {
			t.Fatalf("err = %v, want ErrRateLimited without waiting", err)
		}
	})
}

// TestClientNeverLogsToken runs a retrying call with debug logging and
// checks the log and the errors for the token.
func TestClientNeverLogsToken(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, withClock(), withConfig(func(c *wb.Config) { c.Logger = logger; c.MaxRetries = 1 }))
	_, tok := e.seller(t, "secret")
	e.fake.FailNext(claimsPath, http.StatusTooManyRequests, 1)
	e.fake.FailNext(claimsPath, http.StatusInternalServerError, 2)
	_, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
	mustAPIError(t, err, 500)
	e.fake.RevokeToken(tok)
	_, err2 := e.client.VerifyOnline(ctx(t), tok)

	log := buf.String()
	if !strings.Contains(log, "wb retry") || !strings.Contains(log, wb.TokenHint(tok)) {
		t.Errorf("log lacks the retry with the token hint:\n%s", log)
	}
	for _, s := range []string{log, err.Error(), err2.Error(), domain.ErrorMsgID(err2)} {
		assertNoToken(t, s, tok)
	}
}
