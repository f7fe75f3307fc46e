package storage_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestReturnPrices: a price replaces only a worse one (a buyer's beats
// the seller's, any beats none), and the tab sums count priced returns
// only, saying how many of them are estimates.
func TestReturnPrices(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	unpriced := func(r *domain.Return) { r.PriceRUB, r.PriceCNY, r.PriceSource = 0, 0, domain.PriceSourceNone }
	a := pgtest.Return(t, db, store.ID, unpriced)
	b := pgtest.Return(t, db, store.ID, unpriced)
	c := pgtest.Return(t, db, store.ID, unpriced)
	ps := storage.NewPriceService(db)
	sys := pgtest.System()

	checks, err := ps.DuePriceChecks(sys, 100)
	if err != nil || len(checks) != 1 || len(checks[0].Unpriced) != 3 || len(checks[0].NoFacts) != 3 {
		t.Fatalf("due checks = %+v, %v", checks, err)
	}
	n, err := ps.SetReturnPrices(sys, []domain.PricedReturn{
		{ReturnID: a.ID, PriceRUB: 1000_00, Source: domain.PriceSourceSellerPrice},
		{ReturnID: b.ID, PriceRUB: 2000_00, Source: domain.PriceSourceOrder},
	})
	if err != nil || n != 2 {
		t.Fatalf("priced %d, %v", n, err)
	}
	n, err = ps.SetReturnPrices(sys, []domain.PricedReturn{
		{ReturnID: a.ID, PriceRUB: 900_00, Source: domain.PriceSourceOrder},        // a buyer's price wins
		{ReturnID: b.ID, PriceRUB: 2500_00, Source: domain.PriceSourceSellerPrice}, // the seller's does not
	})
	if err != nil || n != 1 {
		t.Fatalf("repriced %d, %v", n, err)
	}
	rs := storage.NewReturnService(db)
	got, _ := rs.FindReturnByID(sys, a.ID)
	if got.PriceRUB != 900_00 || got.PriceSource != domain.PriceSourceOrder {
		t.Fatalf("a = %d from %q", got.PriceRUB, got.PriceSource)
	}
	if _, err := ps.SetReturnPrices(sys, []domain.PricedReturn{{ReturnID: c.ID, PriceRUB: 700_00, Source: domain.PriceSourceSellerPrice}}); err != nil {
		t.Fatal(err)
	}
	pgtest.Return(t, db, store.ID, unpriced) // no price: counted, never summed
	sums, err := rs.Summarize(pgtest.As(seller), domain.ReturnFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Summary{Tab: domain.TabInTransit, Count: 4, PriceRUB: 900_00 + 2000_00 + 700_00, Priced: 3, Estimated: 1}
	if diff := cmp.Diff(want, sums[0], cmpIgnoreCNY); diff != "" {
		t.Fatalf("in transit (-want +got):\n%s", diff)
	}
	if _, err := ps.SetReturnPrices(pgtest.As(seller), nil); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("a seller set prices: %v", err)
	}
}

var cmpIgnoreCNY = cmp.Transformer("noCNY", func(s domain.Summary) domain.Summary { s.PriceCNY = 0; return s })

// TestProducts: facts are kept field by field, and a seller reads only
// their own stores' products.
func TestProducts(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	ps := storage.NewPriceService(db)
	sys := pgtest.System()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := ps.SaveProduct(sys, &domain.Product{StoreID: store.ID, NmID: 7, SubjectID: 168, SubjectName: "Куртки",
		LengthCM: 40, WidthCM: 30, HeightCM: 10, WeightGram: 1400}); err != nil {
		t.Fatal(err)
	}
	if err := ps.SaveProduct(sys, &domain.Product{StoreID: store.ID, NmID: 7, PriceRUB: 8990_00, PriceAt: &at}); err != nil {
		t.Fatal(err)
	}
	p, err := ps.FindProduct(pgtest.As(seller), store.ID, 7)
	if err != nil || p.SubjectID != 168 || p.LengthCM != 40 || p.PriceRUB != 8990_00 || p.PriceAt == nil {
		t.Fatalf("product = %+v, %v", p, err)
	}
	other := pgtest.Seller(t, db, nil)
	if _, err := ps.FindProduct(pgtest.As(other), store.ID, 7); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another seller read the product: %v", err)
	}
}

// TestTariffBook: each line applies from its date; a past date reads the
// line then in force; only staff set lines, audited.
func TestTariffBook(t *testing.T) {
	db := pgtest.New(t)
	ts := storage.NewTariffService(db)
	d1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	for _, line := range []domain.Tariff{
		{Kind: domain.TariffSellFee, Value: 100_00, EffectiveFrom: d1},
		{Kind: domain.TariffSellFee, Value: 150_00, EffectiveFrom: d2},
		{Kind: domain.TariffShipping, Zone: "cn", MaxWeightGram: 1000, Value: 900_00, EffectiveFrom: d1},
		{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 5000, Value: 2900_00, EffectiveFrom: d1},
	} {
		if err := ts.SetTariff(staffCtx(), &line); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		at   time.Time
		sell int64
		ok   bool
	}{{d1.Add(-time.Hour), 0, false}, {d1, 100_00, true}, {d2.Add(-time.Second), 100_00, true}, {d2, 150_00, true}} {
		b, err := ts.TariffBook(pgtest.System(), tt.at)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := b.Fee(domain.TariffSellFee)
		if ok != tt.ok || got.Value != tt.sell {
			t.Errorf("sell fee at %v = %d, %v; want %d", tt.at, got.Value, ok, tt.sell)
		}
	}
	b, _ := ts.TariffBook(pgtest.System(), d2)
	if s, ok := b.Shipping("CN", 2400); !ok || s.Value != 2900_00 {
		t.Errorf("shipping 2.4 kg to CN = %+v, %v", s, ok)
	}
	if b.DecisionDays() != domain.DefaultDecisionDays {
		t.Errorf("decision days = %d", b.DecisionDays())
	}
	seller := pgtest.Seller(t, db, nil)
	if err := ts.SetTariff(pgtest.As(seller), &domain.Tariff{Kind: domain.TariffSellFee, Value: 1}); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("a seller set a tariff: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'tariff.set' AND actor_kind = 'staff'`); n != 4 {
		t.Fatalf("%d audit entries, want 4", n)
	}
}
