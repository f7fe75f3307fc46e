package storage_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestWebLoginToken(t *testing.T) {
	for _, tt := range []struct {
		name     string
		redeem   func(t *testing.T, ws *storage.WebSessionService, db *storage.DB, token string) (int64, error)
		wantCode domain.Code
	}{
		{"OK", func(t *testing.T, ws *storage.WebSessionService, _ *storage.DB, token string) (int64, error) {
			return redeem(ws, token)
		}, ""},
		{"ErrUsedTwice", func(t *testing.T, ws *storage.WebSessionService, _ *storage.DB, token string) (int64, error) {
			if _, err := redeem(ws, token); err != nil {
				t.Fatalf("first use: %v", err)
			}
			return redeem(ws, token)
		}, domain.CodeNotFound},
		{"ErrExpired", func(t *testing.T, ws *storage.WebSessionService, db *storage.DB, token string) (int64, error) {
			db.Now = func() time.Time { return time.Now().Add(15*time.Minute + time.Second) }
			return redeem(ws, token)
		}, domain.CodeNotFound},
		{"JustBeforeExpiry", func(t *testing.T, ws *storage.WebSessionService, db *storage.DB, token string) (int64, error) {
			db.Now = func() time.Time { return time.Now().Add(14 * time.Minute) }
			return redeem(ws, token)
		}, ""},
		{"ErrUnknown", func(t *testing.T, ws *storage.WebSessionService, _ *storage.DB, token string) (int64, error) {
			return redeem(ws, token+"x")
		}, domain.CodeNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := pgtest.New(t)
			seller := pgtest.Seller(t, db, nil)
			ws := storage.NewWebSessionService(db)
			token, err := ws.CreateLoginToken(pgtest.As(seller), seller.ID, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.redeem(t, ws, db, token)
			if code := domain.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("redeem: code %q (%v), want %q", code, err, tt.wantCode)
			}
			if err == nil && got != seller.ID {
				t.Errorf("seller = %d, want %d", got, seller.ID)
			}
			if err != nil && domain.ErrorMsgID(err) != "error.web.link_invalid" {
				t.Errorf("msg id = %q", domain.ErrorMsgID(err))
			}
		})
	}
}

func redeem(ws *storage.WebSessionService, token string) (int64, error) {
	id, _, err := ws.RedeemLoginToken(context.Background(), token)
	return id, err
}

func TestWebLoginTokenForOtherSeller(t *testing.T) {
	db := pgtest.New(t)
	a := pgtest.Seller(t, db, nil)
	b := pgtest.Seller(t, db, nil)
	ws := storage.NewWebSessionService(db)
	if _, err := ws.CreateLoginToken(pgtest.As(a), b.ID, time.Minute); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("seller a making b's link: %v, want forbidden", err)
	}
	if _, err := ws.CreateLoginToken(context.Background(), a.ID, time.Minute); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("no actor: %v, want forbidden", err)
	}
	if _, err := ws.CreateLoginToken(pgtest.System(), b.ID, time.Minute); err != nil {
		t.Fatalf("system: %v", err)
	}
}

// TestWebTokensStoredHashed reads the tables directly: no row may hold a
// token handed out.
func TestWebTokensStoredHashed(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	ws := storage.NewWebSessionService(db)
	ctx := pgtest.As(seller)
	login, err := ws.CreateLoginToken(ctx, seller.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := ws.CreateWebSession(ctx, seller.ID, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if login == session || len(login) < 40 {
		t.Fatalf("tokens %q, %q: want distinct and long", login, session)
	}
	for _, table := range []string{"web_login_tokens", "web_sessions"} {
		var stored []byte
		if err := db.Pool.QueryRow(ctx, `SELECT token_hash FROM `+table).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(stored, []byte(login)) || bytes.Contains(stored, []byte(session)) || len(stored) != 32 {
			t.Errorf("%s holds %q: want a 32-byte hash", table, stored)
		}
	}
}

func TestWebSession(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	ws := storage.NewWebSessionService(db)
	ctx := context.Background()
	token, expires, err := ws.CreateWebSession(ctx, seller.ID, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expires in %v, want an hour", d)
	}
	t.Run("OK", func(t *testing.T) {
		got, _, err := ws.FindWebSession(ctx, token)
		if err != nil || got != seller.ID {
			t.Fatalf("find = %d, %v; want %d", got, err, seller.ID)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		for _, bad := range []string{"", token[:len(token)-1], "nope"} {
			if _, _, err := ws.FindWebSession(ctx, bad); domain.ErrorCode(err) != domain.CodeNotFound {
				t.Errorf("find %q: %v, want not found", bad, err)
			}
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		db.Now = func() time.Time { return time.Now().Add(time.Hour + time.Second) }
		defer func() { db.Now = time.Now }()
		if _, _, err := ws.FindWebSession(ctx, token); domain.ErrorMsgID(err) != "error.web.session_expired" {
			t.Fatalf("find after expiry: %v", err)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if err := ws.DeleteWebSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.FindWebSession(ctx, token); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("find after logout: %v", err)
		}
		if err := ws.DeleteWebSession(ctx, token); err != nil {
			t.Fatalf("second delete: %v", err)
		}
	})
}

// TestWebSessionSweep checks that creating rows clears long-expired ones,
// so the tables do not grow without bound.
func TestWebSessionSweep(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	ws := storage.NewWebSessionService(db)
	ctx := pgtest.System()
	if _, _, err := ws.CreateWebSession(ctx, seller.ID, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateLoginToken(ctx, seller.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	if _, _, err := ws.CreateWebSession(ctx, seller.ID, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateLoginToken(ctx, seller.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"web_login_tokens", "web_sessions"} {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s has %d rows, want the new one only", table, n)
		}
	}
}
