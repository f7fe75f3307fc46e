package wbfake

import (
	"net/http"
	"time"
)

// SetClock replaces the fake's clock (token expiry, claim windows, dates
// written on changes, rate limits).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetLimits turns rate limiting on (the default) or off.
func (s *Server) SetLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limitsOff = !on
}

// SetScopeStatus sets the status for a token lacking the host's category or
// calling a write method read-only. WB is seen answering 401 "token scope
// not allowed" (the default); 403 is the other plausible answer.
func (s *Server) SetScopeStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopeStatus = status
}

// FailNext makes the next n requests to path that pass authentication
// answer status with the host's usual error body. A 429 carries
// X-Ratelimit-Retry: 1. path is a request's path, or a route's pattern as
// the fake declares it ("PATCH /api/v3/supplies/{supplyId}/deliver") to
// fail whichever id is asked.
func (s *Server) FailNext(path string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[path] = append(s.faults[path], fault{status: status})
	}
}

// RespondNext makes the next request to path answer status with body as
// is, for shapes and values the fake would not produce on its own.
func (s *Server) RespondNext(path string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], fault{status: status, body: body})
}

func (s *Server) takeFault(paths ...string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, path := range paths {
		if q := s.faults[path]; len(q) > 0 {
			s.faults[path] = q[1:]
			return q[0], true
		}
	}
	return fault{}, false
}

// Slow delays every answer on path by d (0 stops it), after the rate limit.
func (s *Server) Slow(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow[path] = d
}

// FreezeCursor makes the listing on path ignore its cursor (next or offset)
// and serve the first page again, as a buggy server would.
func (s *Server) FreezeCursor(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frozen[path] = true
}

func (s *Server) isFrozen(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frozen[path]
}

// Requests counts requests that reached path, whatever the answer.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// RequestsBy counts requests to path made with token.
func (s *Server) RequestsBy(token, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requestsBy[[2]string{token, path}]
}

// Responses counts answers with status on path.
func (s *Server) Responses(path string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.responses[pathStatus{path, status}]
}

// Throttled counts 429 answers on path.
func (s *Server) Throttled(path string) int { return s.Responses(path, http.StatusTooManyRequests) }

// PendingFaults counts the failures FailNext queued for path that no
// request took yet.
func (s *Server) PendingFaults(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[path])
}

// TotalRequests counts every request that reached the fake.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// TotalResponses counts the answers with status on every path.
func (s *Server) TotalResponses(status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.responses {
		if k.status == status {
			n += c
		}
	}
	return n
}
