package storage_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestSummaryKeepsUp: the running sums the main page's cards read
// (return_summary) say what summing the returns themselves says, through
// inserts, transitions, price changes, a deleted store and folds.
func TestSummaryKeepsUp(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	rs := storage.NewReturnService(db)
	seller := pgtest.Seller(t, db, nil)
	other := pgtest.Seller(t, db, nil)
	stores := []*domain.Store{pgtest.Store(t, db, seller.ID, nil), pgtest.Store(t, db, seller.ID, nil)}
	pgtest.Return(t, db, pgtest.Store(t, db, other.ID, nil).ID, nil)
	var returns []*domain.Return
	for i := range 40 {
		returns = append(returns, pgtest.Return(t, db, stores[i%2].ID, func(r *domain.Return) {
			r.Status = domain.AllStatuses()[i%len(domain.AllStatuses())]
			if i%3 == 0 {
				r.PriceRUB, r.PriceCNY, r.PriceSource = int64(1000+i), int64(100+i), domain.PriceSourceClaim
			}
		}))
	}
	check := func(name string, filter domain.ReturnFilter) {
		t.Helper()
		got, err := rs.Summarize(pgtest.As(seller), filter)
		if err != nil {
			t.Fatal(err)
		}
		// A date bound makes Summarize sum the returns themselves.
		long := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		filter.RequestFrom = &long
		want, err := rs.Summarize(pgtest.As(seller), filter)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: running sums differ from the returns (-returns +sums):\n%s", name, diff)
		}
	}
	check("seeded", domain.ReturnFilter{})
	check("one store", domain.ReturnFilter{StoreID: &stores[0].ID})
	price, src := int64(5000), domain.PriceSourceSellerPrice
	for _, r := range returns[:10] {
		if _, err := rs.UpdateReturn(pgtest.System(), r.ID, domain.ReturnUpdate{PriceRUB: &price, PriceSource: &src}); err != nil {
			t.Fatal(err)
		}
	}
	pickup := returns[0]
	if pickup.Status == domain.StatusAwaitingReceiptAtWB {
		if _, err := rs.ApplyEvent(pgtest.System(), pickup.ID, domain.ReturnChange{Event: domain.EventArriveAtPickupPoint}); err != nil {
			t.Fatal(err)
		}
	}
	check("changed", domain.ReturnFilter{})
	for range 300 { // enough change rows for a fold
		if _, err := rs.UpdateReturn(pgtest.System(), returns[3].ID, domain.ReturnUpdate{PriceRUB: &price}); err != nil {
			t.Fatal(err)
		}
		price++
	}
	check("folded", domain.ReturnFilter{})
	if err := storage.NewStoreService(db).DeleteStore(pgtest.As(seller), stores[1].ID); err != nil {
		t.Fatal(err)
	}
	check("store deleted", domain.ReturnFilter{})
	var rows int
	if err := db.Pool.QueryRow(pgtest.System(), `SELECT count(*) FROM return_summary WHERE seller_id = $1`, seller.ID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows > 64 {
		t.Errorf("%d change rows after a fold", rows)
	}
}

// TestFindReturnsCountUpTo: a bounded count stops at its bound; the page
// is the same either way.
func TestFindReturnsCountUpTo(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	for range 5 {
		pgtest.Return(t, db, store.ID, nil)
	}
	rs := storage.NewReturnService(db)
	for _, tt := range []struct{ upTo, want int }{{0, 5}, {3, 3}, {10, 5}} {
		list, n, err := rs.FindReturns(pgtest.As(seller), domain.ReturnFilter{Limit: 2, CountUpTo: tt.upTo})
		if err != nil || n != tt.want || len(list) != 2 {
			t.Errorf("CountUpTo %d: %d rows, total %d, %v; want 2 rows, total %d", tt.upTo, len(list), n, err, tt.want)
		}
	}
}

// TestFindReturnsSearchedPage: a bounded search gives the same page and
// count as counting and paging separately.
func TestFindReturnsSearchedPage(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	for i := range 7 {
		pgtest.Return(t, db, store.ID, func(r *domain.Return) {
			r.ProductName = "Silk scarf"
			r.RequestDate = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)
		})
	}
	pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.ProductName = "Wool coat" })
	rs := storage.NewReturnService(db)
	q := "scarf"
	ids := func(list []*domain.Return) (out []int64) {
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	for _, page := range []struct{ offset, limit int }{{0, 3}, {3, 3}, {6, 3}, {9, 3}} {
		want, wantN, err := rs.FindReturns(pgtest.As(seller), domain.ReturnFilter{Search: &q, Offset: page.offset, Limit: page.limit})
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := rs.FindReturns(pgtest.As(seller), domain.ReturnFilter{Search: &q, Offset: page.offset, Limit: page.limit, CountUpTo: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if n != wantN || !cmp.Equal(ids(got), ids(want)) {
			t.Errorf("page %+v: %v of %d, want %v of %d", page, ids(got), n, ids(want), wantN)
		}
	}
	if _, n, _ := rs.FindReturns(pgtest.As(seller), domain.ReturnFilter{Search: &q, Limit: 2, CountUpTo: 5}); n != 5 {
		t.Errorf("bounded at 5: %d", n)
	}
}
