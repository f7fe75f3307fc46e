package storage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

const wbToken = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjIwMjUwOTA0djEiLCJ0eXAiOiJKV1QifQ.payload.signature-WXYZ"

func TestStoreTokenEncryption(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, func(s *domain.Store) { s.Token = wbToken })
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		got, err := storage.NewStoreService(db).FindStoreByID(pgtest.As(seller), store.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Token != wbToken {
			t.Fatalf("token = %q, want the original", got.Token)
		}
	})
	t.Run("NoPlaintextAtRest", func(t *testing.T) {
		var sealed []byte
		if err := db.Pool.QueryRow(ctx, `SELECT token_ciphertext FROM stores WHERE id = $1`, store.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("payload")) || bytes.Contains(sealed, []byte("WXYZ")) {
			t.Fatal("ciphertext contains the token's text")
		}
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM stores WHERE encode(token_ciphertext, 'escape') LIKE '%payload%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plaintext found in %d rows (%v)", n, err)
		}
	})
	t.Run("ErrMovedToAnotherSeller", func(t *testing.T) {
		other := pgtest.Seller(t, db, nil)
		if _, err := db.Pool.Exec(ctx, `UPDATE stores SET seller_id = $1 WHERE id = $2`, other.ID, store.ID); err != nil {
			t.Fatal(err)
		}
		defer db.Pool.Exec(ctx, `UPDATE stores SET seller_id = $1 WHERE id = $2`, seller.ID, store.ID) //nolint:errcheck
		if _, err := storage.NewStoreService(db).FindStoreByID(pgtest.System(), store.ID); err == nil {
			t.Fatal("a token moved to another seller decrypted")
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		other, err := storage.Open(ctx, db.Pool.Config().ConnString(), bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := storage.NewStoreService(other).FindStoreByID(pgtest.System(), store.ID); err == nil {
			t.Fatal("token decrypted under another key")
		}
	})
	t.Run("ErrShortKey", func(t *testing.T) {
		if _, err := storage.Open(ctx, db.Pool.Config().ConnString(), []byte("short")); err == nil {
			t.Fatal("a 5-byte key was accepted")
		}
	})
}

func TestStoreService(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewStoreService(db)
	a := pgtest.Seller(t, db, nil)
	b := pgtest.Seller(t, db, nil)
	storeA := pgtest.Store(t, db, a.ID, nil)
	pgtest.Store(t, db, b.ID, nil)

	t.Run("SellerSeesOwnStores", func(t *testing.T) {
		got, err := ss.FindStores(pgtest.As(a), domain.StoreFilter{})
		if err != nil || len(got) != 1 || got[0].ID != storeA.ID {
			t.Fatalf("FindStores = %v, %v", got, err)
		}
	})
	t.Run("ErrOtherSellersStore", func(t *testing.T) {
		if _, err := ss.FindStoreByID(pgtest.As(b), storeA.ID); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("err = %v, want not found", err)
		}
		if err := ss.DeleteStore(pgtest.As(b), storeA.ID); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("delete err = %v, want not found", err)
		}
		s := &domain.Store{SellerID: a.ID, Name: "planted", Token: "x"}
		if err := ss.CreateStore(pgtest.As(b), s); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("create err = %v, want forbidden", err)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		if _, err := ss.FindStores(context.Background(), domain.StoreFilter{}); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})
	t.Run("ReplaceToken", func(t *testing.T) {
		yes := true
		if _, err := ss.UpdateStore(pgtest.System(), storeA.ID, domain.StoreUpdate{TokenRejected: &yes}); err != nil {
			t.Fatal(err)
		}
		tok := "new-token-1234"
		got, err := ss.UpdateStore(pgtest.As(a), storeA.ID, domain.StoreUpdate{Token: &tok})
		if err != nil {
			t.Fatal(err)
		}
		if got.Token != tok || got.TokenRejected {
			t.Fatalf("got token %q rejected=%v", domain.TokenHint(got.Token), got.TokenRejected)
		}
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		s := &domain.Store{SellerID: a.ID, Name: storeA.Name, Token: "x"}
		if err := ss.CreateStore(pgtest.As(a), s); domain.ErrorCode(err) != domain.CodeConflict {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		pgtest.Return(t, db, storeA.ID, nil)
		if err := ss.DeleteStore(pgtest.As(a), storeA.ID); err != nil {
			t.Fatal(err)
		}
		_, n, err := storage.NewReturnService(db).FindReturns(pgtest.As(a), domain.ReturnFilter{})
		if err != nil || n != 0 {
			t.Fatalf("returns after delete: %d, %v", n, err)
		}
	})
}

func TestTokenHint(t *testing.T) {
	for in, want := range map[string]string{wbToken: "…WXYZ", "abc": "…", "": "…"} {
		if got := domain.TokenHint(in); got != want {
			t.Errorf("TokenHint(%q) = %q, want %q", in, got, want)
		}
	}
}
