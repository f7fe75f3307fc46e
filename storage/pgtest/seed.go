package pgtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

var serial atomic.Int64

// System is a context acting as the system, which may see every seller.
func System() context.Context {
	return domain.NewContextWithActor(context.Background(), domain.System)
}

// Staff is a context acting as staff member 77, Olga, as staff tests do.
func Staff() context.Context {
	return domain.NewContextWithActor(context.Background(), domain.StaffActor(77, "Olga"))
}

// Received is a return in a new store of the seller that the warehouse
// received now (as staff), so that its receipt is billed.
func Received(tb testing.TB, db *storage.DB, sellerID int64, number string) *domain.Return {
	tb.Helper()
	store := Store(tb, db, sellerID, nil)
	r := Return(tb, db, store.ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber = domain.StatusInTransitToWarehouse, number
	})
	if _, err := storage.NewReturnService(db).ApplyEvent(Staff(), r.ID, domain.ReturnChange{Event: domain.EventReceive}); err != nil {
		tb.Fatal(err)
	}
	return r
}

// As is a context acting as the given seller.
func As(s *domain.Seller) context.Context {
	return domain.NewContextWithActor(context.Background(), domain.Actor{Kind: domain.ActorSeller, ID: s.ID, Name: s.Name})
}

// Seller creates a seller with a Telegram identity; fn may adjust it first.
func Seller(tb testing.TB, db *storage.DB, fn func(*domain.Seller)) *domain.Seller {
	tb.Helper()
	n := serial.Add(1)
	s := &domain.Seller{
		Name:       fmt.Sprintf("Seller %d", n),
		Language:   domain.LangEnglish,
		QuietHours: true, // as onboarding creates sellers
		Identities: []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: fmt.Sprint(100000 + n)}},
	}
	if fn != nil {
		fn(s)
	}
	if err := storage.NewSellerService(db).CreateSeller(System(), s); err != nil {
		tb.Fatalf("pgtest.Seller: %v", err)
	}
	return s
}

// Store creates a WB store for a seller; fn may adjust it first.
func Store(tb testing.TB, db *storage.DB, sellerID int64, fn func(*domain.Store)) *domain.Store {
	tb.Helper()
	n := serial.Add(1)
	s := &domain.Store{SellerID: sellerID, Name: fmt.Sprintf("Store %d", n), Token: fmt.Sprintf("token-%d", n)}
	if fn != nil {
		fn(s)
	}
	if err := storage.NewStoreService(db).CreateStore(System(), s); err != nil {
		tb.Fatalf("pgtest.Store: %v", err)
	}
	return s
}

// Return creates a return in a store; fn may adjust it first.
func Return(tb testing.TB, db *storage.DB, storeID int64, fn func(*domain.Return)) *domain.Return {
	tb.Helper()
	n := serial.Add(1)
	r := &domain.Return{
		StoreID:      storeID,
		RequestDate:  time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour),
		ProductName:  fmt.Sprintf("Product %d", n),
		VendorCode:   fmt.Sprintf("VC-%d", n),
		NmID:         1000 + n,
		Barcode:      fmt.Sprintf("20000000%05d", n),
		ReturnNumber: fmt.Sprintf("R-%d", n),
		PriceRUB:     150000,
		PriceCNY:     13000,
		PriceSource:  domain.PriceSourceClaim,
	}
	if fn != nil {
		fn(r)
	}
	if err := storage.NewReturnService(db).CreateReturn(System(), r); err != nil {
		tb.Fatalf("pgtest.Return: %v", err)
	}
	return r
}
