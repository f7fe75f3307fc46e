package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// forSale is a return of the seller's awaiting transfer to sale.
func forSale(t *testing.T, db *storage.DB, sellerID int64, status domain.Status) *domain.Return {
	t.Helper()
	st := pgtest.Store(t, db, sellerID, nil)
	r := &domain.Return{StoreID: st.ID, ReturnNumber: fmt.Sprint("S-", st.ID), RequestDate: time.Now(), Status: status}
	if err := storage.NewReturnService(db).CreateReturn(pgtest.System(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestShelveUnit: staff shelve only a return awaiting transfer to sale,
// shelving again moves the unit while it waits, and the unit's history
// names who did it.
func TestShelveUnit(t *testing.T) {
	db := pgtest.New(t)
	us := storage.NewUnitService(db)
	seller := pgtest.Seller(t, db, nil)
	r := forSale(t, db, seller.ID, domain.StatusAwaitingTransferToSale)

	for _, tt := range []struct {
		name  string
		ctx   context.Context
		ret   *domain.Return
		place string
		want  domain.Code
	}{
		{"Seller", pgtest.As(seller), r, "A-1", domain.CodeForbidden},
		{"NoPlace", staffCtx(), r, "  ", domain.CodeInvalid},
		{"NotForSale", staffCtx(), forSale(t, db, seller.ID, domain.StatusAwaitingDisposal), "A-1", domain.CodeConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := us.ShelveUnit(tt.ctx, tt.ret.ID, tt.place); domain.ErrorCode(err) != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	u, err := us.ShelveUnit(staffCtx(), r.ID, "A-1")
	mustOK(t, err)
	again, err := us.ShelveUnit(staffCtx(), r.ID, "B-7")
	mustOK(t, err)
	if again.ID != u.ID || again.ShelfPlace != "B-7" || again.Status != domain.UnitShelved {
		t.Errorf("shelved again = %+v, want unit %d at B-7", again, u.ID)
	}
	hist, err := us.FindUnitTransitions(staffCtx(), u.ID)
	mustOK(t, err)
	if len(hist) != 1 || hist[0].Event != domain.UnitEventShelve || hist[0].Actor.Name != "Olga" {
		t.Errorf("history = %+v", hist)
	}
}

// TestUnitsSellerIsolation: a seller sees their units and nobody else's,
// and may do nothing to them but withdraw.
func TestUnitsSellerIsolation(t *testing.T) {
	db := pgtest.New(t)
	us := storage.NewUnitService(db)
	a, b := pgtest.Seller(t, db, nil), pgtest.Seller(t, db, nil)
	u, err := us.ShelveUnit(staffCtx(), forSale(t, db, a.ID, domain.StatusAwaitingTransferToSale).ID, "A-1")
	mustOK(t, err)
	if _, err := us.FindUnitByID(pgtest.As(b), u.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("another seller finds the unit: %v", err)
	}
	if list, err := us.FindUnits(pgtest.As(b), domain.UnitFilter{}); err != nil || len(list) != 0 {
		t.Errorf("another seller lists %d units (%v)", len(list), err)
	}
	if _, err := us.ApplyUnitEvent(pgtest.As(a), u.ID, domain.UnitChange{Event: domain.UnitEventPack}); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("seller packed: %v", err)
	}
	if _, err := us.ApplyUnitEvent(pgtest.As(a), u.ID, domain.UnitChange{Event: domain.UnitEventWithdraw}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("withdrawing a unit not yet listed: %v", err)
	}
	sum, err := us.SummarizeUnits(pgtest.As(a), domain.UnitFilter{})
	mustOK(t, err)
	if sum != (domain.UnitSummary{OnShelf: 1}) {
		t.Errorf("summary = %+v", sum)
	}
}
