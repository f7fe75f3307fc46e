package resale_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// BenchmarkResaleDay is a day of the resale loop on a fake clock against
// the fake WB with its limits on: RESALE_STORES stores (default 1000) with
// RESALE_UNITS listed units each (default 10: five sizes, two units each),
// cron's round every 30 s, new orders read every 2 minutes, and
// RESALE_ORDERS buyers' orders (default 2000) through the day. It reports
// WB calls per store per hour, 429s, the delay from a buyer's order to the
// pick queued for staff (p50, p99), the process's CPU per round and its
// peak memory. Run it with -benchtime=1x: each op is one day.
func BenchmarkResaleDay(b *testing.B) {
	stores, units, orders := envInt("RESALE_STORES", 1000), envInt("RESALE_UNITS", 10), envInt("RESALE_ORDERS", 2000)
	h := newHarness(b)
	b.Logf("seeding %d stores × %d units", stores, units)
	sellers, products := h.seedShelf(b, stores, units)
	for round := 0; ; round++ {
		h.clock.Advance(30 * time.Second)
		st := h.round(b)
		if round > 5 && !st.Busy() && st.Failed == 0 {
			break
		}
	}
	listed, err := h.units.FindUnits(sys(), domain.UnitFilter{Statuses: []domain.UnitStatus{domain.UnitListed}})
	must(b, err)
	if len(listed) != stores*units {
		b.Fatalf("%d units listed after warm-up, want %d", len(listed), stores*units)
	}
	whs := make([]int64, len(sellers))
	for i, s := range sellers {
		whs[i] = h.warehouse(b, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for range b.N {
		calls0, throttled0 := h.wb.TotalRequests(), h.wb.TotalResponses(429)
		var ru0 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		start := h.clock.Now()
		at := orderTimes(rng, orders, start)
		rounds, placed := 0, 0
		var peakHeap uint64
		for h.clock.Now().Sub(start) < 24*time.Hour {
			h.clock.Advance(30 * time.Second)
			for len(at) > 0 && !at[0].After(h.clock.Now()) {
				at = at[1:]
				i := rng.IntN(len(sellers))
				if h.placeAny(sellers[i], whs[i], products[i], rng) {
					placed++
				}
			}
			h.round(b)
			rounds++
			if rounds%60 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
			}
		}
		b.StopTimer()
		var ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) / time.Duration(rounds)
		p50, p99, told := h.pickDelays(b)
		b.ReportMetric(float64(h.wb.TotalRequests()-calls0)/float64(stores)/24, "wb-calls/store/h")
		b.ReportMetric(float64(h.wb.TotalResponses(429)-throttled0), "429s")
		b.ReportMetric(p50.Seconds(), "pick-delay-p50-s")
		b.ReportMetric(p99.Seconds(), "pick-delay-p99-s")
		b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms/round")
		b.ReportMetric(float64(ru1.Maxrss)/1024, "peak-rss-MB")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		b.Logf("rounds %d, orders placed %d, picks told %d", rounds, placed, told)
		b.StartTimer()
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// orderTimes spreads n orders over the day at random.
func orderTimes(rng *rand.Rand, n int, start time.Time) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// placeAny is a buyer ordering one of the store's products that WB still
// has stock of; it reports false when none had any.
func (h *harness) placeAny(s *seller, wh int64, ps []product, rng *rand.Rand) bool {
	for _, i := range rng.Perm(len(ps)) {
		p := ps[i]
		if h.wb.Stock(s.sid, wh, p.chrt) == 0 {
			continue
		}
		if _, err := h.wb.PlaceOrder(s.sid, wbfake.BuyerOrder{WarehouseID: wh, NmID: p.nmID, ChrtID: p.chrt, Price: 150000}); err == nil {
			return true
		}
	}
	return false
}

// pickDelays are the p50 and p99 of how long a buyer's order took to reach
// staff as a pick task, by the shared clock, and how many did.
func (h *harness) pickDelays(tb testing.TB) (p50, p99 time.Duration, n int) {
	told, err := h.units.FindUnits(sys(), domain.UnitFilter{Statuses: []domain.UnitStatus{domain.UnitOrdered}})
	must(tb, err)
	var ds []time.Duration
	for _, u := range told {
		if u.StaffToldAt != nil {
			ds = append(ds, u.StaffToldAt.Sub(u.Order.CreatedAt))
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)], len(ds)
}

// seedShelf makes n stores, each with units listed of units/2 products,
// two units a product, through the services staff use.
func (h *harness) seedShelf(tb testing.TB, n, units int) ([]*seller, [][]product) {
	sellers, products := make([]*seller, n), make([][]product, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range work {
				s := h.seller(tb)
				var ps []product
				for range max(units/2, 1) {
					ps = append(ps, h.product(s))
				}
				for u := range units {
					h.shelve(tb, h.forSale(tb, s, ps[u%len(ps)]), fmt.Sprint("S-", u))
				}
				sellers[i], products[i] = s, ps
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return sellers, products
}

// forSale is a return of p awaiting transfer to sale, made in one step.
func (h *harness) forSale(tb testing.TB, s *seller, p product) *domain.Return {
	r := &domain.Return{StoreID: s.store.ID, ReturnNumber: fmt.Sprint("R-", retNo.Add(1)), NmID: p.nmID,
		Barcode: p.barcode, ProductName: p.name, RequestDate: h.clock.Now(), Status: domain.StatusAwaitingTransferToSale}
	must(tb, storage.NewReturnService(h.db).CreateReturn(pgtest.System(), r))
	return r
}
