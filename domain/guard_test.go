package domain_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// countingStore counts failures in memory; storage's own tests cover the
// PostgreSQL one.
type countingStore struct {
	domain.PoisonService
	attempts map[string]int
}

func (s *countingStore) RecordFailure(_ context.Context, f domain.InputFailure, limit int, _ time.Time) (int, bool, error) {
	s.attempts[f.Item.Key]++
	n := s.attempts[f.Item.Key]
	return n, n >= limit, nil
}

// TestGuard: errors pass through untouched, panics become errors, and the
// third panic of one input sets it aside.
func TestGuard(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := &countingStore{attempts: map[string]int{}}
	g := &domain.Guard{Store: store, Log: quiet}
	errDown := errors.New("database down")
	item := domain.WorkItem{Worker: domain.WorkerJob, Key: "daily-digest"}
	for _, tt := range []struct {
		name         string
		guard        *domain.Guard
		fn           func(context.Context) error
		wantErr      error // errors.Is
		wantPanic    bool
		wantPoisoned bool
	}{
		{"OK", g, func(context.Context) error { return nil }, nil, false, false},
		{"ErrorNotCounted", g, func(context.Context) error { return errDown }, errDown, false, false},
		{"Panic1", g, func(context.Context) error { panic("boom") }, nil, true, false},
		{"Panic2", g, func(context.Context) error { var m map[string]int; m["x"]++; return nil }, nil, true, false},
		{"Panic3", g, func(context.Context) error { panic(errDown) }, domain.ErrPoisoned, true, true},
		{"NilGuard", nil, func(context.Context) error { panic("boom") }, nil, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.guard.Run(t.Context(), item, tt.fn)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			var pe *domain.PanicError
			if got := errors.As(err, &pe); got != tt.wantPanic {
				t.Errorf("panic error = %v, want %v (err %v)", got, tt.wantPanic, err)
			}
			if got := errors.Is(err, domain.ErrPoisoned); got != tt.wantPoisoned {
				t.Errorf("poisoned = %v, want %v", got, tt.wantPoisoned)
			}
			if tt.wantErr == nil && !tt.wantPanic && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
	if n := store.attempts[item.Key]; n != 3 {
		t.Errorf("counted %d failures, want the 3 panics", n)
	}
}
