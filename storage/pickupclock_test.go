package storage_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestPickupClock: on a fake clock, a return waiting at the pickup point
// is reminded 72 h and 24 h before WB's seven days end, once each; staff
// see it in the list about to expire; at the end two replicas mark it
// lost to the trip back once, with the charge of WB's return tariff.
func TestPickupClock(t *testing.T) {
	dbs := pgtest.Replicas(t, 2)
	ready := time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC)
	clock := &fakeClock{now: ready}
	for _, db := range dbs {
		db.Now = clock.Now
	}
	db := dbs[0]
	if err := storage.NewMarketRateService(db).SaveMarketRates(pgtest.System(), domain.MarketRates{
		Date: ready, FetchedAt: ready,
		Return: []domain.ReturnRate{{Warehouse: "Склад WB РФ", UncollectedRUB: 80_00}, {Warehouse: "Свой склад РФ", UncollectedRUB: 50_00}},
	}); err != nil {
		t.Fatal(err)
	}
	seller := pgtest.Seller(t, db, nil)
	r := pgtest.Return(t, db, pgtest.Store(t, db, seller.ID, nil).ID, func(r *domain.Return) {
		r.Status, r.ReadyAt, r.PickupPointAddress = domain.StatusAwaitingPickupCode, &ready, "Москва, ул. Тверская, д. 12"
	})
	end := ready.Add(domain.PickupStorage)
	ns := storage.NewNotificationService(db)
	for _, tt := range []struct {
		before time.Duration
		want   int64
	}{{96 * time.Hour, 0}, {72 * time.Hour, 1}, {71 * time.Hour, 0}, {24 * time.Hour, 1}, {time.Hour, 0}} {
		n, err := ns.RemindPickupExpiring(pgtest.System(), end.Add(-tt.before))
		if err != nil || n != tt.want {
			t.Fatalf("%v before the end: %d reminders, %v; want %d", tt.before, n, err, tt.want)
		}
	}
	clock.Set(end.Add(-time.Hour))
	soon, err := storage.NewPickupClockService(db).FindExpiringPickups(pgtest.System(), clock.Now().Add(48*time.Hour), 10)
	if err != nil || len(soon) != 1 || soon[0].ID != r.ID {
		t.Fatalf("expiring = %v, %v", soon, err)
	}

	expireAll := func(at time.Time) int {
		clock.Set(at)
		return onEveryReplica(t, dbs, func(db *storage.DB) (int, error) {
			return storage.NewPickupClockService(db).ExpirePickups(pgtest.System(), at)
		})
	}
	if n := expireAll(end.Add(-time.Second)); n != 0 {
		t.Fatalf("expired %d before the end", n)
	}
	if n := expireAll(end); n != 1 {
		t.Fatalf("expired %d times at the end, want once", n)
	}
	got, err := storage.NewReturnService(db).FindReturnByID(pgtest.As(seller), r.ID)
	if err != nil || got.Status != domain.StatusPickupExpired || got.Tab() != domain.TabCompleted {
		t.Fatalf("after the end: %+v, %v", got, err)
	}
	charges, err := storage.NewPickupClockService(db).FindReturnCharges(pgtest.As(seller), r.ID)
	if err != nil || len(charges) != 1 || charges[0].AmountRUB != 50_00 || charges[0].Kind != domain.ChargeWBUncollected {
		t.Fatalf("charges = %+v, %v", charges, err)
	}
	if n := count(t, db, `SELECT count(*) FROM notifications WHERE return_id = $1 AND kind = 'pickup_expired'`, r.ID); n != 1 {
		t.Fatalf("told %d times of the end", n)
	}
	other := pgtest.Seller(t, db, nil)
	if _, err := storage.NewPickupClockService(db).FindReturnCharges(pgtest.As(other), r.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another seller read the charges: %v", err)
	}
}
