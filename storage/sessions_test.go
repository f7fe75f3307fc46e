package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestWithSession(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSessionService(db)
	ctx := pgtest.System()
	seller := pgtest.Seller(t, db, nil)

	err := ss.WithSession(ctx, domain.ChannelTelegram, "42", func(ctx context.Context, s *domain.ChatSession) error {
		if s.State != "" || s.Version != 0 {
			t.Errorf("new session = %+v", s)
		}
		s.SellerID, s.Flow, s.State, s.Data["name"] = seller.ID, "store", "store.token", "Main"
		s.Version, s.LastUpdateID = 1, 7
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failing turn keeps the saved state.
	boom := errors.New("boom")
	err = ss.WithSession(ctx, domain.ChannelTelegram, "42", func(ctx context.Context, s *domain.ChatSession) error {
		s.State = "store.checklist"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	_ = ss.WithSession(ctx, domain.ChannelTelegram, "42", func(ctx context.Context, s *domain.ChatSession) error {
		if s.SellerID != seller.ID || s.State != "store.token" || s.Data["name"] != "Main" || s.LastUpdateID != 7 {
			t.Errorf("reloaded session = %+v", s)
		}
		return nil
	})

	// Concurrent turns of one chat run one at a time: no lost version bumps.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ss.WithSession(ctx, domain.ChannelTelegram, "43", func(ctx context.Context, s *domain.ChatSession) error {
				s.Version++
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	_ = ss.WithSession(ctx, domain.ChannelTelegram, "43", func(ctx context.Context, s *domain.ChatSession) error {
		if s.Version != 20 {
			t.Errorf("version = %d, want 20", s.Version)
		}
		return nil
	})
}

func TestBotOffset(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSessionService(db)
	ctx := pgtest.System()
	for _, step := range []struct{ set, want int64 }{{0, 0}, {10, 10}, {5, 10}, {11, 11}} {
		if step.set != 0 {
			if err := ss.SetBotOffset(ctx, "bot", step.set); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := ss.BotOffset(ctx, "bot"); err != nil || got != step.want {
			t.Fatalf("after set %d: offset = %d, %v; want %d", step.set, got, err, step.want)
		}
	}
}
