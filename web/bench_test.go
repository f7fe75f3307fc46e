package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

const (
	benchSellers = 1000
	benchReturns = 1_000_000
	// largeReturns are one more seller's: the large seller of issue 20.
	largeReturns = 250_000
)

// BenchmarkWeb measures page latency over a database of 1,000,000 returns
// across 1,000 sellers and one seller with 250,000 more, built once per
// run (go test -bench Web -run '^$' ./web/). It reports p50 and p99 per
// page as seen by a browser on loopback: HTTP, session lookup, queries
// and rendering. Large/… are the large seller's pages.
func BenchmarkWeb(b *testing.B) {
	db := pgtest.New(b)
	start := time.Now()
	seller, large := seedBench(b, db)
	b.Logf("seeded %d returns across %d sellers and %d for one more in %v (GOMAXPROCS=%d)",
		benchReturns, benchSellers, largeReturns, time.Since(start).Round(time.Second), runtime.GOMAXPROCS(0))
	e := newEnvDB(b, db)
	br := e.login(b, seller)
	lbr := e.login(b, large)
	for _, bc := range []struct {
		name, path string
		br         *browser
	}{
		{"MainPage", "/web/", br},
		{"FilteredTab", "/web/tab/pending_decision?defect=yes&from=2025-01-01&to=2026-06-30", br},
		{"TabSearch", "/web/tab/completed?q=dress", br},
		{"TabPage3", "/web/tab/completed?page=3", br},
		{"Return", "", br},
		{"Large/MainPage", "/web/", lbr},
		{"Large/FilteredTab", "/web/tab/pending_decision?defect=yes&from=2025-01-01&to=2026-06-30", lbr},
		{"Large/Search", "/web/?q=SKU-4321", lbr},
		{"Large/WordSearch", "/web/tab/completed?q=Silk+scarf", lbr},
		{"Large/RareSearch", "/web/?q=R-1000123", lbr},
	} {
		br := bc.br
		path := bc.path
		if bc.name == "Return" {
			list := br.page("/web/tab/completed").rows()
			if len(list) == 0 {
				b.Fatal("no completed returns to open")
			}
			path = "/web/returns/" + firstReturnID(b, br)
		}
		b.Run(bc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp := br.get(path)
				lat = append(lat, time.Since(t0))
				if resp.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, resp.Code)
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

func firstReturnID(b *testing.B, br *browser) string {
	for _, a := range br.page("/web/tab/completed").all("a") {
		var id int64
		if _, err := fmt.Sscanf(attr(a, "href"), "/web/returns/%d", &id); err == nil {
			return fmt.Sprint(id)
		}
	}
	b.Fatal("no return link")
	return ""
}

// seedBench fills the database with COPY and returns a seller of average
// size and the large seller to measure with.
func seedBench(b *testing.B, db *storage.DB) (*domain.Seller, *domain.Seller) {
	b.Helper()
	ctx := pgtest.System()
	var sellers []*domain.Seller
	var stores [][]int64 // per seller
	for i := range benchSellers {
		s := pgtest.Seller(b, db, nil)
		sellers = append(sellers, s)
		var ids []int64
		for range 1 + i%3 { // one to three stores each
			ids = append(ids, pgtest.Store(b, db, s.ID, nil).ID)
		}
		stores = append(stores, ids)
	}
	statuses := domain.AllStatuses()
	products := []string{"Linen dress", "Wool coat", "Silk scarf", "Leather boots", "Cotton shirt", "Denim jeans"}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	cols := []string{"store_id", "seller_id", "request_date", "product_name", "vendor_code", "nm_id", "barcode",
		"return_number", "subject", "defective", "price_rub", "price_cny", "status", "needs_verification",
		"tracking_number"}
	large := pgtest.Seller(b, db, nil)
	largeStores := []int64{pgtest.Store(b, db, large.ID, nil).ID, pgtest.Store(b, db, large.ID, nil).ID}
	n, err := db.Pool.CopyFrom(context.Background(), pgx.Identifier{"returns"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i == benchReturns+largeReturns {
			return nil, nil
		}
		si := i % benchSellers
		seller, store := sellers[si], stores[si][rng.IntN(len(stores[si]))]
		if i >= benchReturns {
			seller, store = large, largeStores[rng.IntN(len(largeStores))]
		}
		st := statuses[rng.IntN(len(statuses))]
		p := products[rng.IntN(len(products))]
		tracking := ""
		if domain.TabOf(st) == domain.TabCompleted {
			tracking = fmt.Sprintf("TRK%09d", i)
		}
		row := []any{store, seller.ID, base.Add(time.Duration(rng.IntN(730*24)) * time.Hour),
			fmt.Sprintf("%s %d", p, i%97), fmt.Sprintf("SKU-%d", i%5000), int64(100000 + i%20000),
			fmt.Sprintf("46%011d", i), fmt.Sprintf("R-%d", i), "Clothes", rng.IntN(10) == 0,
			int64(50000 + rng.IntN(500000)), int64(5000 + rng.IntN(50000)), string(st), rng.IntN(4) == 0, tracking}
		i++
		return row, nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	if n != benchReturns+largeReturns {
		b.Fatalf("copied %d returns", n)
	}
	// The counts read the visibility map, as on a table autovacuum has
	// been by. Right after a bulk load the first VACUUM only sets the rows'
	// hint bits (pgtest commits asynchronously); the second, a moment
	// later, marks the pages all-visible.
	for _, q := range []string{`VACUUM ANALYZE`, `VACUUM returns`} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	var pages, visible int
	if err := db.Pool.QueryRow(ctx, `SELECT relpages, relallvisible FROM pg_class WHERE relname = 'returns'`).Scan(&pages, &visible); err != nil {
		b.Fatal(err)
	}
	b.Logf("returns: %d pages, %d all-visible after VACUUM", pages, visible)
	return sellers[benchSellers/2], large
}
