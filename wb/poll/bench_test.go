package poll_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// BenchmarkPollRound10k polls 10,000 basic-token stores for a simulated
// day, one round a minute, and reports what WB would see: calls per store
// per hour, 429s, CPU per round and peak heap.
func BenchmarkPollRound10k(b *testing.B) {
	const stores = 10000
	h := newHarness(b)
	h.wb.SetLimits(true)
	h.poller.Batch = 2 * stores
	h.poller.Workers = 16
	for i := range stores {
		_, sid := h.store(b, wbfake.TokenOptions{Basic: true})
		if i%10 == 0 {
			h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: int64(i), Srid: "s", Status: wbfake.ReturnInTransit})
		}
	}
	b.ResetTimer()
	var rounds int
	var peak uint64
	var ms runtime.MemStats
	start := h.clock.Now()
	for b.Loop() {
		h.round(b)
		rounds++
		h.clock.Advance(time.Minute)
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	hours := h.clock.Now().Sub(start).Hours()
	calls := h.wb.Requests("/api/v1/claims") + h.wb.Requests("/api/v1/analytics/goods-return")
	b.ReportMetric(float64(calls)/stores/hours, "calls/store/h")
	b.ReportMetric(float64(h.wb.Throttled("/api/v1/claims")+h.wb.Throttled("/api/v1/analytics/goods-return")), "429s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(rounds), "ms/round")
}
