package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func kinds(tb testing.TB, db *storage.DB, sellerID int64) []domain.NotificationKind {
	tb.Helper()
	list, err := storage.NewNotificationService(db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &sellerID})
	if err != nil {
		tb.Fatal(err)
	}
	var out []domain.NotificationKind
	for _, n := range list {
		out = append(out, n.Kind)
	}
	return out
}

func TestApplyEventWritesOutbox(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	r := pgtest.Return(t, db, pgtest.Store(t, db, seller.ID, nil).ID, nil)
	rs := storage.NewReturnService(db)
	for _, ev := range []domain.Event{domain.EventArriveAtPickupPoint, domain.EventPickUp, domain.EventReceive} {
		if _, err := rs.ApplyEvent(pgtest.System(), r.ID, domain.ReturnChange{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	want := []domain.NotificationKind{domain.NotifyPickupCodeNeeded, domain.NotifyPickedUp, domain.NotifyAwaitingDecision}
	if diff := cmp.Diff(want, kinds(t, db, seller.ID)); diff != "" {
		t.Fatalf("outbox (-want +got):\n%s", diff)
	}

	// A change that fails leaves no notification behind.
	boom := errors.New("boom")
	err := db.InTx(pgtest.System(), func(ctx context.Context) error {
		if _, err := rs.ApplyEvent(ctx, r.ID, domain.ReturnChange{Event: domain.EventDecideDispose, Decision: domain.DecisionDispose}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := kinds(t, db, seller.ID); len(got) != len(want) {
		t.Fatalf("rolled-back change left %v", got)
	}
}

func TestSyncReturn(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	rs := storage.NewReturnService(db)
	ctx := pgtest.System()

	fromClaim := &domain.Return{StoreID: store.ID, RequestDate: time.Now(), ReturnNumber: "claim-1",
		ClaimID: "claim-1", SrID: "srid-1", NmID: 77, PriceRUB: 99900, PriceSource: domain.PriceSourceClaim,
		Defective: true, Status: domain.StatusAwaitingReceiptAtWB}
	created, err := rs.SyncReturn(ctx, fromClaim)
	if err != nil || !created {
		t.Fatalf("first sync: created=%v err=%v", created, err)
	}
	// The goods-return row of the same item arrives with its srid and the
	// pickup point; its box number replaces the claim's id as the number.
	fromReport := &domain.Return{StoreID: store.ID, RequestDate: time.Now(), ReturnNumber: "555",
		SrID: "srid-1", ShkID: 555, Barcode: "2000", PickupPointAddress: "Moscow, Lenina 1"}
	created, err = rs.SyncReturn(ctx, fromReport)
	if err != nil || created {
		t.Fatalf("second sync: created=%v err=%v", created, err)
	}
	got := fromReport
	if got.ID != fromClaim.ID || got.ClaimID != "claim-1" || got.ShkID != 555 || got.Barcode != "2000" ||
		got.PriceRUB != 99900 || !got.Defective || got.PickupPointAddress != "Moscow, Lenina 1" || got.ReturnNumber != "555" ||
		got.PriceSource != domain.PriceSourceClaim {
		t.Fatalf("merged return = %+v", got)
	}
	// Syncing the same data again changes nothing, not even the version.
	again := *fromReport
	if _, err := rs.SyncReturn(ctx, &again); err != nil || again.Version != got.Version {
		t.Fatalf("idempotent sync: version %d -> %d, err %v", got.Version, again.Version, err)
	}
	if diff := cmp.Diff([]domain.NotificationKind{domain.NotifyReturnOnItsWay}, kinds(t, db, seller.ID)); diff != "" {
		t.Fatalf("outbox (-want +got):\n%s", diff)
	}
}

func TestPollSchedule(t *testing.T) {
	db := pgtest.New(t)
	ps := storage.NewPollScheduleService(db)
	ctx := pgtest.System()
	seller := pgtest.Seller(t, db, nil)
	a := pgtest.Store(t, db, seller.ID, nil)
	rejected := pgtest.Store(t, db, seller.ID, nil)
	if _, err := storage.NewStoreService(db).UpdateStore(ctx, rejected.ID, domain.StoreUpdate{TokenRejected: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	slots, err := ps.LeaseDuePolls(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != len(domain.AllFeeds()) || slots[0].Store.ID != a.ID || slots[0].Store.Token != a.Token {
		t.Fatalf("slots = %+v", slots)
	}
	// Leased slots are hidden from a second replica.
	if again, err := ps.LeaseDuePolls(ctx, now, time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("second lease = %v, %v", again, err)
	}
	for _, s := range slots {
		if err := ps.FinishPoll(ctx, s.Store.ID, s.Feed, now.Add(time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	if later, _ := ps.LeaseDuePolls(ctx, now.Add(30*time.Minute), time.Minute, 10); len(later) != 0 {
		t.Fatalf("not yet due, got %v", later)
	}
	if err := ps.PollNow(pgtest.As(seller), a.ID); err != nil {
		t.Fatal(err)
	}
	if now2, _ := ps.LeaseDuePolls(ctx, time.Now().Add(time.Second), time.Minute, 10); len(now2) != len(domain.AllFeeds()) {
		t.Fatalf("after PollNow got %d slots", len(now2))
	}
	// Sellers cannot lease, nor poll someone else's store.
	if _, err := ps.LeaseDuePolls(pgtest.As(seller), now, time.Minute, 1); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("seller lease err = %v", err)
	}
	other := pgtest.Seller(t, db, nil)
	if err := ps.PollNow(pgtest.As(other), a.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("stranger PollNow err = %v", err)
	}
}
