package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// BenchmarkChargeStorage: one day's storage run over 1,000 kept items of
// ten sellers (a new day each iteration, so every run writes 1,000 rows),
// and reading back one seller's month as the statement does.
func BenchmarkChargeStorage(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	from := time.Now().AddDate(-1, 0, 0)
	for _, line := range []domain.Tariff{{Kind: domain.TariffStorageDay, Value: 10_00, EffectiveFrom: from}} {
		if err := storage.NewTariffService(db).SetTariff(staffCtx(), &line); err != nil {
			b.Fatal(err)
		}
	}
	var first *domain.Seller
	for range 10 {
		s := pgtest.Seller(b, db, nil)
		if first == nil {
			first = s
		}
		st := pgtest.Store(b, db, s.ID, nil)
		for range 100 {
			pgtest.Return(b, db, st.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
		}
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE returns SET received_at = $1`, from); err != nil {
		b.Fatal(err)
	}
	as := storage.NewAccountService(db, 0)
	day := from.AddDate(0, 0, 1)
	b.Run("Day", func(b *testing.B) {
		for b.Loop() {
			day = day.AddDate(0, 0, 1)
			if n, err := as.ChargeStorage(pgtest.System(), day); err != nil || n != 1000 {
				b.Fatalf("charged %d, %v", n, err)
			}
		}
	})
	b.Run("Statement", func(b *testing.B) {
		for b.Loop() {
			if _, err := as.Statement(pgtest.System(), first.ID, domain.MonthOf(day)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
