// Package wbfake is a fake WB seller API on loopback for tests and for
// `indigo demo`. One base URL serves every WB host: the Host header, or else
// the path, says which host a request meant. It reproduces what Indigo
// relies on (wb-api.md §9): JWT tokens with category bits checked before
// routing, WB's error bodies, per-seller token buckets with 429 and
// X-Ratelimit-* headers, buyer claims, the goods-return report, FBS orders,
// supplies, passes, warehouses, stocks and product cards.
//
// It imports nothing of Indigo's and never the testing package, so the demo
// can link it. Tests seed and drive it through its Go API.
package wbfake

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Server is a fake WB API. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give the client (WB_API_BASE_URL); empty for
	// NewUnstarted.
	URL string

	ts     *httptest.Server
	mux    *http.ServeMux
	routes map[string]route // by mux pattern
	key    *ecdsa.PrivateKey

	mu          sync.Mutex
	now         func() time.Time
	sellers     map[string]*seller
	revoked     map[string]bool // token ids
	faults      map[string][]fault
	slow        map[string]time.Duration
	frozen      map[string]bool
	requests    map[string]int
	requestsBy  map[[2]string]int // token, path
	responses   map[pathStatus]int
	limiters    map[limKey]*rate.Limiter
	limitsOff   bool
	scopeStatus int
	nextID      int64
	offices     []Office
	passOffices []PassOffice
	points      []ShippingPoint
	// shippingOptional lets deliver close a supply without shipping
	// parameters, as WB did before 01.10.2026.
	shippingOptional bool
}

type pathStatus struct {
	path   string
	status int
}

// route is what the gateway knows about a path before the handler runs.
type route struct {
	cat   string // host category; "" for /ping, served on every host
	group string // limit bucket
	write bool   // refused to read-only tokens
}

type fault struct {
	status int
	body   string // "" means the host's usual error body
}

// New starts a fake on a loopback port. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	return s
}

// NewUnstarted returns a fake that listens nowhere; mount Handler yourself.
func NewUnstarted() *Server {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("wbfake: generate signing key: " + err.Error())
	}
	s := &Server{
		mux: http.NewServeMux(), routes: map[string]route{}, key: key,
		now: time.Now, sellers: map[string]*seller{}, revoked: map[string]bool{},
		faults: map[string][]fault{}, slow: map[string]time.Duration{}, frozen: map[string]bool{},
		requests: map[string]int{}, requestsBy: map[[2]string]int{}, responses: map[pathStatus]int{},
		limiters: map[limKey]*rate.Limiter{}, scopeStatus: http.StatusUnauthorized,
		offices: defaultOffices(), passOffices: defaultPassOffices(), points: defaultShippingPoints(),
	}
	s.routeAll()
	return s
}

// Handler serves the fake API, for mounting in another server.
func (s *Server) Handler() http.Handler { return s }

// Close stops a fake started with New.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

func (s *Server) handle(pattern string, rt route, h http.HandlerFunc) {
	s.routes[pattern] = rt
	s.mux.Handle(pattern, h)
}

// ServeHTTP runs WB's gateway order: authenticate against the host's
// category, then route, then rate-limit, then the handler; FBS answers in
// the 4XX range then cost ten requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := bareToken(r.Header.Get("Authorization"))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.mu.Lock()
	s.requests[r.URL.Path]++
	s.requestsBy[[2]string{token, r.URL.Path}]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.responses[pathStatus{r.URL.Path, rec.status}]++
		s.mu.Unlock()
	}()

	_, pattern := s.mux.Handler(r)
	rt, routed := s.routes[pattern]
	hostCat, sandbox, known := hostCategory(r.Host)
	if !known {
		hostCat = "common"
		if routed && rt.cat != "" {
			hostCat = rt.cat
		}
	}
	c, ok := s.authenticate(rec, token, hostCat, sandbox)
	if !ok {
		return
	}
	if !routed || (rt.cat != "" && rt.cat != hostCat) {
		writeGateway(rec, http.StatusNotFound, "Please consult the https://dev.wildberries.ru/openapi/api-information")
		return
	}
	if rt.write && c.S&ScopeReadOnly != 0 {
		s.writeScope(rec)
		return
	}
	lim, l, ok := s.admit(rec, c, rt, hostCat)
	if !ok {
		return
	}
	if f, ok := s.takeFault(r.URL.Path, pattern); ok {
		s.writeFault(rec, rt, f)
	} else if s.pause(r) {
		// Through the mux again, not h: only ServeMux.ServeHTTP sets path values.
		s.mux.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
	if rec.status >= 400 && rec.status < 500 && rec.status != http.StatusTooManyRequests && l.penalty > 1 {
		lim.ReserveN(s.clock(), l.penalty-1)
	}
}

// clock reads the fake's clock under its lock.
func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func bareToken(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		h = strings.TrimSpace(h[7:])
	}
	return h
}

var hostCategories = map[string]string{
	"content-api.wildberries.ru":          "content",
	"seller-analytics-api.wildberries.ru": "analytics",
	"discounts-prices-api.wildberries.ru": "prices",
	"marketplace-api.wildberries.ru":      "marketplace",
	"statistics-api.wildberries.ru":       "statistics",
	"returns-api.wildberries.ru":          "returns",
	"common-api.wildberries.ru":           "common",
}

var categoryBits = map[string]uint64{
	"content": ScopeContent, "analytics": ScopeAnalytics, "prices": ScopePrices,
	"marketplace": ScopeMarketplace, "statistics": ScopeStatistics, "returns": ScopeReturns,
}

// hostCategory maps a WB host name, production or sandbox, to its category.
func hostCategory(host string) (cat string, sandbox, known bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if strings.Contains(host, "-sandbox.") {
		host, sandbox = strings.Replace(host, "-sandbox.", ".", 1), true
	}
	cat, known = hostCategories[host]
	return cat, sandbox, known
}

type callerKey struct{}

func callerOf(r *http.Request) tokenClaims { return r.Context().Value(callerKey{}).(tokenClaims) }

// authenticate applies WB's 401 rules (wb-api.md §9.2).
func (s *Server) authenticate(w http.ResponseWriter, token, hostCat string, sandbox bool) (tokenClaims, bool) {
	if token == "" {
		writeGateway(w, http.StatusUnauthorized, "token problem; token is malformed: empty Authorization header")
		return tokenClaims{}, false
	}
	c, err := s.verify(token)
	if err != nil {
		writeGateway(w, http.StatusUnauthorized, err.Error())
		return tokenClaims{}, false
	}
	s.mu.Lock()
	revoked, now := s.revoked[c.ID], s.now()
	s.mu.Unlock()
	switch {
	case revoked:
		writeGateway(w, http.StatusUnauthorized, "token problem; token is revoked")
	case c.Exp <= now.Unix():
		writeGateway(w, http.StatusUnauthorized, "token expired")
	case c.T != sandbox:
		writeGateway(w, http.StatusUnauthorized, "token scope not allowed")
	case c.S&categoryBits[hostCat] != categoryBits[hostCat]:
		s.writeScope(w)
	default:
		return c, true
	}
	return tokenClaims{}, false
}

func (s *Server) writeScope(w http.ResponseWriter) {
	s.mu.Lock()
	status := s.scopeStatus
	s.mu.Unlock()
	writeGateway(w, status, "token scope not allowed")
}

// pause applies Slow; it reports false when the client gave up meanwhile.
func (s *Server) pause(r *http.Request) bool {
	s.mu.Lock()
	d := s.slow[r.URL.Path]
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
