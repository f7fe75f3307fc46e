package storage_test

import (
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func failure(item domain.WorkItem, at time.Time) domain.InputFailure {
	return domain.InputFailure{Item: item, Err: "panic: boom", Stack: "goroutine 1", At: at}
}

// TestPoisonCount: failures are counted per input; the third poisons it,
// and a failure long after the last starts a new case.
func TestPoisonCount(t *testing.T) {
	t.Parallel()
	ps := storage.NewPoisonService(pgtest.New(t))
	ctx := t.Context()
	now := time.Now()
	item := domain.WorkItem{Worker: domain.WorkerOutbox, Key: "7"}
	other := domain.WorkItem{Worker: domain.WorkerPoll, Key: "7"} // same key, another worker
	forget := now.Add(-time.Hour)
	for _, tt := range []struct {
		name         string
		item         domain.WorkItem
		at, forget   time.Time
		wantAttempts int
		wantPoisoned bool
	}{
		{"First", item, now, forget, 1, false},
		{"Second", item, now, forget, 2, false},
		{"OtherWorker", other, now, forget, 1, false},
		{"Third", item, now, forget, 3, true},
		{"Fourth", item, now, forget, 4, true},
		{"OtherLongAfter", other, now.Add(2 * time.Hour), now.Add(time.Hour), 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			attempts, poisoned, err := ps.RecordFailure(ctx, failure(tt.item, tt.at), domain.PoisonLimit, tt.forget)
			if err != nil {
				t.Fatal(err)
			}
			if attempts != tt.wantAttempts || poisoned != tt.wantPoisoned {
				t.Fatalf("attempts, poisoned = %d, %v; want %d, %v", attempts, poisoned, tt.wantAttempts, tt.wantPoisoned)
			}
		})
	}
}

// TestPoisonAlertOnce: replicas failing at once poison an input once, and
// staff are told about it once, unless the teller dies before marking it.
func TestPoisonAlertOnce(t *testing.T) {
	t.Parallel()
	ps := storage.NewPoisonService(pgtest.New(t))
	ctx := t.Context()
	now := time.Now()
	item := domain.WorkItem{Worker: domain.WorkerTelegramUpdate, Key: "1/42", SellerID: 5, ChatID: "42"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, err := ps.RecordFailure(ctx, failure(item, now), domain.PoisonLimit, now.Add(-time.Hour)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	claim := func(at time.Time) []*domain.PoisonedInput {
		t.Helper()
		got, err := ps.ClaimPoisonAlerts(ctx, at, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := claim(now)
	if len(got) != 1 || got[0].WorkItem != item || got[0].Attempts != 8 || got[0].LastError != "panic: boom" {
		t.Fatalf("claimed %+v, want the one input with its 8 attempts", got)
	}
	if again := claim(now); len(again) != 0 {
		t.Fatalf("a leased alert was claimed again: %+v", again)
	}
	if lapsed := claim(now.Add(2 * time.Minute)); len(lapsed) != 1 {
		t.Fatalf("an alert whose teller died was not claimed again: %+v", lapsed)
	}
	if err := ps.MarkPoisonAlerted(ctx, item); err != nil {
		t.Fatal(err)
	}
	if after := claim(now.Add(time.Hour)); len(after) != 0 {
		t.Fatalf("an alert was claimed after staff were told: %+v", after)
	}
}
