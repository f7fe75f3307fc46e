package wb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// group is a WB limit bucket: the methods that share one token bucket per
// seller account (wb-api.md §3.2, §4.1, §7, §8).
type group string

const (
	groupPing        group = "ping" // one bucket per host, see limiterKey
	groupSellerInfo  group = "seller-info"
	groupClaims      group = "claims" // GET and PATCH: assumed shared (§12.5)
	groupGoodsReturn group = "goods-return"
	groupFBS         group = "fbs" // orders, supplies, passes, warehouses, stocks
	groupFBSCancel   group = "fbs-cancel"
	groupPassCreate  group = "fbs-pass-create" // POST /api/v3/passes: 1 per 10 min
	groupContent     group = "content"
)

// limit is one row of WB's Period / Limit / Burst tables. Penalty is what a
// 4XX answer costs in requests: S2 made every 4XX on FBS methods cost 10.
type limit struct {
	period  time.Duration
	count   int
	burst   int
	penalty int
}

// interval is WB's "Интервал": the steady pace once the burst is spent.
func (l limit) interval() time.Duration { return l.period / time.Duration(l.count) }

// limits holds each group's row for ordinary tokens and for basic ones,
// whose budget WB cut by up to 1440 times in 2026. Where WB gives no basic
// row the ordinary one applies.
var limits = map[group]struct{ normal, basic limit }{
	groupPing:        {normal: limit{30 * time.Second, 3, 3, 1}},
	groupSellerInfo:  {normal: limit{time.Minute, 1, 10, 1}, basic: limit{24 * time.Hour, 1, 1, 1}},
	groupClaims:      {normal: limit{time.Minute, 20, 10, 1}, basic: limit{time.Hour, 1, 1, 1}},
	groupGoodsReturn: {normal: limit{time.Minute, 1, 10, 1}, basic: limit{time.Hour, 2, 1, 1}},
	groupFBS:         {normal: limit{time.Minute, 300, 20, 10}},
	groupFBSCancel:   {normal: limit{time.Minute, 100, 20, 10}},
	groupPassCreate:  {normal: limit{10 * time.Minute, 1, 1, 10}},
	groupContent:     {normal: limit{time.Minute, 100, 5, 1}},
}

func limitFor(g group, t TokenType) limit {
	row := limits[g]
	if t == TokenBasic && row.basic.count > 0 {
		return row.basic
	}
	return row.normal
}

// Our reservation and WB's receipt of the request are a network hop apart,
// and the first request of a run is slower than the rest (it dials). Pacing
// at exactly WB's numbers would then let WB see two requests closer than the
// interval and answer 429. So locally the burst is one smaller and the
// interval slightly longer than documented.
const paceSlack = 1.02

func newRateLimiter(l limit) *rate.Limiter {
	burst := l.burst
	if burst > 1 {
		burst--
	}
	every := time.Duration(float64(l.interval()) * paceSlack)
	return rate.NewLimiter(rate.Every(every), burst)
}

type limiterKey struct {
	account string // seller sid, or a hash of an unparseable token
	group   group
	host    Category // only for groupPing: WB counts /ping per host
}

// limiterSet holds one token bucket per (seller, group). WB states its limits
// per seller account, so two tokens of one seller share a bucket.
type limiterSet struct {
	mu sync.Mutex
	m  map[limiterKey]*rate.Limiter
}

func (s *limiterSet) get(token string, g group, cat Category) (*rate.Limiter, limit) {
	account, typ := accountOf(token)
	l := limitFor(g, typ)
	key := limiterKey{account: account, group: g}
	if g == groupPing {
		key.host = cat
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[limiterKey]*rate.Limiter)
	}
	lim, ok := s.m[key]
	if !ok {
		lim = newRateLimiter(l)
		s.m[key] = lim
	}
	return lim, l
}

// accountOf keys limits by the token's seller. A token that does not parse
// is keyed by a hash, so the map never holds it verbatim, and gets ordinary
// limits: WB will refuse it on the first call anyway.
func accountOf(token string) (string, TokenType) {
	c, err := parseToken(token)
	if err != nil {
		sum := sha256.Sum256([]byte(token))
		return "anon:" + hex.EncodeToString(sum[:8]), TokenService
	}
	return c.SellerID, c.Type()
}

// wait takes one request from lim, sleeping with the client's clock until it
// is due. A wait that would outlast ctx's deadline is not started.
func (c *Client) wait(ctx context.Context, lim *rate.Limiter) error {
	now := c.now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("reserve request: %w", ErrRateLimited)
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		r.CancelAt(now)
		return fmt.Errorf("next slot in %s is past the deadline: %w", d.Round(time.Millisecond), ErrRateLimited)
	}
	if err := c.sleep(ctx, d); err != nil {
		r.CancelAt(c.now())
		return fmt.Errorf("wait for rate limit: %w", err)
	}
	return nil
}

// penalize charges the extra requests WB counts for a failed FBS call, so
// the next calls slow down as WB's own bucket does.
func (c *Client) penalize(lim *rate.Limiter, l limit) {
	if l.penalty > 1 {
		lim.ReserveN(c.now(), l.penalty-1)
	}
}
