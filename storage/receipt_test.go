package storage_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestOneReceiptDate: a return's "received" date and its history's
// receipt are one moment, whether the warehouse gives it or not.
func TestOneReceiptDate(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	rs := storage.NewReturnService(db)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	given := time.Date(2026, 3, 4, 21, 30, 0, 0, time.UTC)
	for name, ch := range map[string]domain.ReturnChange{
		"Now":        {Event: domain.EventReceive},
		"Given":      {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &given}},
		"Inspection": {Event: domain.EventReceiveForInspection},
	} {
		t.Run(name, func(t *testing.T) {
			r := pgtest.Return(t, db, store.ID, func(r *domain.Return) {
				r.Status, r.NeedsVerification = domain.StatusInTransitToWarehouse, ch.Event == domain.EventReceiveForInspection
			})
			got, err := rs.ApplyEvent(pgtest.System(), r.ID, ch)
			if err != nil {
				t.Fatal(err)
			}
			history, err := rs.FindTransitions(pgtest.System(), r.ID)
			if err != nil || len(history) == 0 {
				t.Fatalf("history: %v, %v", history, err)
			}
			at := history[len(history)-1].At
			if got.ReceivedAt == nil || !got.ReceivedAt.Equal(at) {
				t.Errorf("received %v, history says %v", got.ReceivedAt, at)
			}
			if name == "Given" && !at.Equal(given) {
				t.Errorf("the warehouse's moment %v became %v", given, at)
			}
		})
	}
}
