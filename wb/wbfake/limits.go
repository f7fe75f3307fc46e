package wbfake

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// limit is one row of WB's Period / Limit / Burst tables; penalty is what a
// 4XX answer costs (10 on FBS since 2026).
type limit struct {
	period  time.Duration
	count   int
	burst   int
	penalty int
}

// groupLimits are WB's published limits per seller account, with the basic
// token's row where WB gives one (wb-api.md §3.2, §7, §8).
var groupLimits = map[string]struct{ normal, basic limit }{
	"ping":         {normal: limit{30 * time.Second, 3, 3, 1}},
	"seller-info":  {normal: limit{time.Minute, 1, 10, 1}, basic: limit{24 * time.Hour, 1, 1, 1}},
	"claims":       {normal: limit{time.Minute, 20, 10, 1}, basic: limit{time.Hour, 1, 1, 1}},
	"goods-return": {normal: limit{time.Minute, 1, 10, 1}, basic: limit{time.Hour, 2, 1, 1}},
	"fbs":          {normal: limit{time.Minute, 300, 20, 10}},
	"fbs-cancel":   {normal: limit{time.Minute, 100, 20, 10}},
	// Creating a pass: "max 1 request per 10 min" (wb-resale.md §2.5).
	"fbs-pass-create": {normal: limit{10 * time.Minute, 1, 1, 10}},
	"content":         {normal: limit{time.Minute, 100, 5, 1}},
}

type limKey struct {
	sid, group, host string
}

// admit takes one request from the caller's bucket and sets the
// X-Ratelimit-* headers; over the limit it answers 429 itself.
func (s *Server) admit(w http.ResponseWriter, c tokenClaims, rt route, hostCat string) (*rate.Limiter, limit, bool) {
	row := groupLimits[rt.group]
	l := row.normal
	if c.basic() && row.basic.count > 0 {
		l = row.basic
	}
	key := limKey{sid: c.SID, group: rt.group}
	if rt.group == "ping" {
		key.host = hostCat
	}
	s.mu.Lock()
	off, now := s.limitsOff, s.now()
	lim, ok := s.limiters[key]
	if !ok {
		lim = rate.NewLimiter(rate.Every(l.period/time.Duration(l.count)), l.burst)
		s.limiters[key] = lim
	}
	s.mu.Unlock()
	if off {
		return lim, limit{}, true
	}
	allowed := lim.AllowN(now, 1)
	tokens := lim.TokensAt(now)
	perSec := float64(lim.Limit())
	h := w.Header()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(l.burst))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(0, int(math.Floor(tokens)))))
	h.Set("X-Ratelimit-Reset", strconv.Itoa(int(math.Ceil((float64(l.burst)-tokens)/perSec))))
	if !allowed {
		h.Set("X-Ratelimit-Retry", strconv.Itoa(max(1, int(math.Ceil((1-tokens)/perSec)))))
		writeGateway(w, http.StatusTooManyRequests, "limited by "+c.SID)
		return nil, limit{}, false
	}
	return lim, l, true
}
