package wb_test

import (
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// BenchmarkClientClaims measures one claims page over loopback: limiter,
// request, JSON both ways. The client's clock jumps a minute per reading so
// its limiter never waits, and the fake's limits are off.
func BenchmarkClientClaims(b *testing.B) {
	var mu sync.Mutex
	now := time.Now()
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	}
	e := newEnv(b, withConfig(func(c *wb.Config) { c.Now = tick }))
	e.fake.SetLimits(false)
	sid, tok := e.seller(b, "bench")
	for i := range 50 {
		e.fake.AddClaim(sid, wbfake.Claim{NmID: int64(i), Photos: []string{"//photos.wbstatic.net/claim/1.webp"}})
	}
	c := ctx(b)
	b.ReportAllocs()
	for b.Loop() {
		p, err := e.client.ListClaims(c, tok, wb.ClaimFilter{Limit: 50})
		if err != nil || len(p.Claims) != 50 {
			b.Fatalf("claims = %d, %v", len(p.Claims), err)
		}
	}
}
