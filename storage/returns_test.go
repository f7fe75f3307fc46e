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

func ptr[T any](v T) *T { return &v }

func TestFindReturns(t *testing.T) {
	db := pgtest.New(t)
	rs := storage.NewReturnService(db)
	a := pgtest.Seller(t, db, nil)
	b := pgtest.Seller(t, db, nil)
	storeA1 := pgtest.Store(t, db, a.ID, nil)
	storeA2 := pgtest.Store(t, db, a.ID, nil)
	storeB := pgtest.Store(t, db, b.ID, nil)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	mk := func(store int64, name string, d int, st domain.Status, defective bool) *domain.Return {
		return pgtest.Return(t, db, store, func(r *domain.Return) {
			r.ProductName, r.RequestDate, r.Status, r.Defective = name, day(d), st, defective
		})
	}
	jacket := mk(storeA1.ID, "Down jacket", 1, domain.StatusAwaitingReceiptAtWB, false)
	boots := mk(storeA1.ID, "Winter boots 50%_off", 2, domain.StatusAwaitingSellerDecision, true)
	scarf := mk(storeA2.ID, "Silk scarf", 3, domain.StatusSentToSeller, false)
	mk(storeB.ID, "Down jacket B", 4, domain.StatusAwaitingReceiptAtWB, false)

	for _, tt := range []struct {
		name   string
		filter domain.ReturnFilter
		want   []*domain.Return
	}{
		{"All", domain.ReturnFilter{}, []*domain.Return{scarf, boots, jacket}},
		{"Store", domain.ReturnFilter{StoreID: &storeA1.ID}, []*domain.Return{boots, jacket}},
		{"Tab", domain.ReturnFilter{Tab: ptr(domain.TabInTransit)}, []*domain.Return{jacket}},
		{"Status", domain.ReturnFilter{Status: ptr(domain.StatusSentToSeller)}, []*domain.Return{scarf}},
		{"Defective", domain.ReturnFilter{Defective: ptr(true)}, []*domain.Return{boots}},
		{"SearchProduct", domain.ReturnFilter{Search: ptr("JACKET")}, []*domain.Return{jacket}},
		{"SearchBarcode", domain.ReturnFilter{Search: ptr(scarf.Barcode)}, []*domain.Return{scarf}},
		{"SearchReturnNumber", domain.ReturnFilter{Search: ptr(boots.ReturnNumber)}, []*domain.Return{boots}},
		{"SearchLiteralWildcards", domain.ReturnFilter{Search: ptr("50%_")}, []*domain.Return{boots}},
		{"SearchWildcardIsLiteral", domain.ReturnFilter{Search: ptr("%boots")}, nil},
		{"DateRange", domain.ReturnFilter{RequestFrom: ptr(day(2)), RequestUntil: ptr(day(3))}, []*domain.Return{boots}},
		{"Page", domain.ReturnFilter{Offset: 1, Limit: 1}, []*domain.Return{boots}},
		{"OtherSellersStore", domain.ReturnFilter{StoreID: &storeB.ID}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := rs.FindReturns(pgtest.As(a), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(tt.want), ids(got)); diff != "" {
				t.Fatalf("ids (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("Total", func(t *testing.T) {
		_, n, err := rs.FindReturns(pgtest.As(a), domain.ReturnFilter{Limit: 1})
		if err != nil || n != 3 {
			t.Fatalf("total = %d, %v; want 3", n, err)
		}
	})
	t.Run("ErrOtherSellersReturn", func(t *testing.T) {
		if _, err := rs.FindReturnByID(pgtest.As(b), jacket.ID); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("err = %v, want not found", err)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		if _, _, err := rs.FindReturns(context.Background(), domain.ReturnFilter{}); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})
	t.Run("Summarize", func(t *testing.T) {
		got, err := rs.Summarize(pgtest.As(a), domain.ReturnFilter{Tab: ptr(domain.TabCompleted)})
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.Summary{
			{Tab: domain.TabInTransit, Count: 1, PriceRUB: 150000, PriceCNY: 13000, Priced: 1},
			{Tab: domain.TabProcessing},
			{Tab: domain.TabPendingDecision, Count: 1, PriceRUB: 150000, PriceCNY: 13000, Priced: 1},
			{Tab: domain.TabCompleted, Count: 1, PriceRUB: 150000, PriceCNY: 13000, Priced: 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
	})
}

func ids(rs []*domain.Return) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestApplyEvent(t *testing.T) {
	db := pgtest.New(t)
	rs := storage.NewReturnService(db)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	staff := domain.NewContextWithActor(context.Background(), domain.Actor{Kind: domain.ActorStaff, ID: 42, Name: "Olga"})

	t.Run("WholeLife", func(t *testing.T) {
		r := pgtest.Return(t, db, store.ID, nil)
		received := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		steps := []struct {
			ctx    context.Context
			change domain.ReturnChange
			want   domain.Status
		}{
			{pgtest.System(), domain.ReturnChange{Event: domain.EventArriveAtPickupPoint, Update: domain.ReturnUpdate{PickupPointAddress: ptr("Moscow, Tverskaya 1")}}, domain.StatusAwaitingPickupCode},
			{staff, domain.ReturnChange{Event: domain.EventPickUp, Update: domain.ReturnUpdate{PickupCode: ptr("123456")}}, domain.StatusInTransitToWarehouse},
			{staff, domain.ReturnChange{Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}, domain.StatusAwaitingVerification},
			{staff, domain.ReturnChange{Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: ptr(true), InspectionComment: ptr("torn seam")}}, domain.StatusAwaitingSellerDecision},
			{pgtest.As(seller), domain.ReturnChange{Event: domain.EventDecideDispose, Decision: domain.DecisionDispose}, domain.StatusAwaitingDisposal},
			{staff, domain.ReturnChange{Event: domain.EventDispose, Note: "batch 7"}, domain.StatusDisposed},
		}
		for _, s := range steps {
			got, err := rs.ApplyEvent(s.ctx, r.ID, s.change)
			if err != nil {
				t.Fatalf("%s: %v", s.change.Event, err)
			}
			if got.Status != s.want {
				t.Fatalf("%s: status %s, want %s", s.change.Event, got.Status, s.want)
			}
		}
		got, err := rs.FindReturnByID(pgtest.As(seller), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision != domain.DecisionDispose || got.PickupCode != "123456" || !got.ReceivedAt.Equal(received) ||
			got.InspectionComment != "torn seam" || got.DefectAfterCheck == nil || !*got.DefectAfterCheck || got.Version != r.Version+6 {
			t.Fatalf("fields not kept: %+v", got)
		}
		history, err := rs.FindTransitions(pgtest.As(seller), r.ID)
		if err != nil || len(history) != len(steps) {
			t.Fatalf("history = %d entries, %v", len(history), err)
		}
		if h := history[4]; h.Actor.Kind != domain.ActorSeller || h.Actor.ID != seller.ID || h.From != domain.StatusAwaitingSellerDecision {
			t.Fatalf("decision transition = %+v", h)
		}
		if h := history[5]; h.Actor.Name != "Olga" || h.Note != "batch 7" || h.To != domain.StatusDisposed {
			t.Fatalf("disposal transition = %+v", h)
		}
	})
	t.Run("ErrIllegalTransition", func(t *testing.T) {
		r := pgtest.Return(t, db, store.ID, nil)
		_, err := rs.ApplyEvent(staff, r.ID, domain.ReturnChange{Event: domain.EventDispose, Update: domain.ReturnUpdate{InspectionComment: ptr("x")}})
		var de *domain.Error
		if !errors.As(err, &de) || de.MsgID != "error.return.illegal_transition" {
			t.Fatalf("err = %v", err)
		}
		got, _ := rs.FindReturnByID(staff, r.ID)
		if got.Status != r.Status || got.InspectionComment != "" || got.Version != r.Version {
			t.Fatalf("an illegal event changed the return: %+v", got)
		}
		if h, _ := rs.FindTransitions(staff, r.ID); len(h) != 0 {
			t.Fatalf("an illegal event was recorded: %+v", h)
		}
	})
	t.Run("ErrProfileIncomplete", func(t *testing.T) {
		r := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
		_, err := rs.ApplyEvent(pgtest.As(seller), r.ID, domain.ReturnChange{Event: domain.EventDecideReturnToSeller, Decision: domain.DecisionReturnToSeller})
		if domain.ErrorMsgID(err) != "error.return.profile_incomplete" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrOtherSeller", func(t *testing.T) {
		other := pgtest.Seller(t, db, nil)
		r := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
		_, err := rs.ApplyEvent(pgtest.As(other), r.ID, domain.ReturnChange{Event: domain.EventDecideDispose, Decision: domain.DecisionDispose})
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("err = %v, want not found", err)
		}
	})
	t.Run("BeforeArrivalChoices", func(t *testing.T) {
		r := pgtest.Return(t, db, store.ID, nil)
		got, err := rs.UpdateReturn(pgtest.As(seller), r.ID, domain.ReturnUpdate{NeedsVerification: ptr(true), PhotoVideoRequired: ptr(true)})
		if err != nil || !got.NeedsVerification || !got.PhotoVideoRequired {
			t.Fatalf("got %+v, %v", got, err)
		}
		if domain.ReceiveEvent(got) != domain.EventReceiveForInspection {
			t.Fatal("a return needing verification is not received for inspection")
		}
		arrived := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
		_, err = rs.UpdateReturn(pgtest.As(seller), arrived.ID, domain.ReturnUpdate{NeedsVerification: ptr(true)})
		if domain.ErrorMsgID(err) != "error.return.already_arrived" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestInTxRollsBackEverything(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	r := pgtest.Return(t, db, store.ID, nil)
	boom := errors.New("boom")
	ctx := pgtest.System()

	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := storage.NewReturnService(db).ApplyEvent(ctx, r.ID, domain.ReturnChange{Event: domain.EventArriveAtPickupPoint}); err != nil {
			return err
		}
		if err := storage.NewAuditService(db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "test", ReturnID: &r.ID}); err != nil {
			return err
		}
		name := "renamed"
		if _, err := storage.NewSellerService(db).UpdateSeller(ctx, seller.ID, domain.SellerUpdate{Name: &name}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	got, _ := storage.NewReturnService(db).FindReturnByID(ctx, r.ID)
	if got.Status != domain.StatusAwaitingReceiptAtWB {
		t.Fatalf("status = %s after rollback", got.Status)
	}
	s, _ := storage.NewSellerService(db).FindSellerByID(ctx, seller.ID)
	if s.Name != seller.Name {
		t.Fatalf("seller renamed after rollback")
	}
	if e, _ := storage.NewAuditService(db).FindAuditEntries(ctx, &r.ID, nil, 10); len(e) != 0 {
		t.Fatalf("audit entries after rollback: %d", len(e))
	}
}
