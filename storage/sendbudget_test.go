package storage_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestSendBudgetReserve(t *testing.T) {
	db := pgtest.New(t)
	b := storage.NewSendBudget(db)
	ctx := context.Background()
	bot := domain.SendWindow{Key: "telegram:1", Limit: 3, Per: time.Second}
	chat := func(id string) domain.SendWindow {
		return domain.SendWindow{Key: "telegram:1:" + id, Limit: 2, Per: 3 * time.Second}
	}
	// Rows run in order on one budget, as one bot's sends would.
	tests := []struct {
		name  string
		now   time.Duration
		block []string // block these keys until now+2s first
		chat  string
		want  time.Duration
	}{
		{"first: at once", 0, nil, "a", 0},
		{"the chat's second: at once", 0, nil, "a", 0},
		{"the chat's third: after its window", 0, nil, "a", 3 * time.Second},
		{"another chat goes before the one booked ahead", 0, nil, "b", 0},
		{"the bot full until +1s", 100 * time.Millisecond, nil, "c", time.Second},
		{"a block on the bot holds every chat", 4 * time.Second, []string{"telegram:1"}, "d", 6 * time.Second},
		{"a block on a chat holds that chat only", 7 * time.Second, []string{"telegram:1:e"}, "f", 7 * time.Second},
		{"the blocked chat waits", 7 * time.Second, nil, "e", 9 * time.Second},
	}
	for _, tt := range tests {
		now := t0.Add(tt.now)
		if tt.block != nil {
			if err := b.BlockSends(ctx, tt.block, now.Add(2*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		at, err := b.ReserveSend(ctx, now, []domain.SendWindow{bot, chat(tt.chat)})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if want := t0.Add(tt.want); !at.Equal(want) {
			t.Errorf("%s: booked at +%v, want +%v", tt.name, at.Sub(t0), tt.want)
		}
	}

	// A moment given back is booked again: the chat's window of 2 is full
	// with two sends at +10s until one is released.
	late := []domain.SendWindow{bot, chat("g")}
	var at time.Time
	for range 2 {
		var err error
		if at, err = b.ReserveSend(ctx, t0.Add(10*time.Second), late); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.ReleaseSend(ctx, late, at); err != nil {
		t.Fatal(err)
	}
	if again, err := b.ReserveSend(ctx, t0.Add(10*time.Second), late); err != nil || !again.Equal(at) {
		t.Errorf("booked again at %v, %v; want the moment given back, %v", again, err, at)
	}

	n, err := b.ForgetIdleSends(ctx, t0.Add(time.Minute))
	if err != nil || n != 8 {
		t.Errorf("ForgetIdleSends = %d, %v; want the 8 windows, all idle a minute on", n, err)
	}
}

// TestSendBudgetReplicas: senders in parallel, as replicas are, each book
// a slot; together they fill the window exactly, never over it.
func TestSendBudgetReplicas(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	w := domain.SendWindow{Key: "telegram:2", Limit: 30, Per: time.Second}
	const senders, each = 4, 30
	var (
		mu  sync.Mutex
		all []time.Time
		wg  sync.WaitGroup
	)
	for r := range senders {
		b := storage.NewSendBudget(db) // one per replica, one database
		wg.Go(func() {
			for i := range each {
				chat := domain.SendWindow{Key: "telegram:2:" + string(rune('a'+r)) + string(rune('a'+i)), Limit: 1, Per: time.Second}
				at, err := b.ReserveSend(ctx, t0, []domain.SendWindow{w, chat})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				all = append(all, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(all, time.Time.Compare)
	if len(all) != senders*each {
		t.Fatalf("%d bookings, want %d", len(all), senders*each)
	}
	for k := w.Limit; k < len(all); k++ {
		if d := all[k].Sub(all[k-w.Limit]); d < w.Per {
			t.Fatalf("bookings %d and %d are %v apart: more than %d in a second", k-w.Limit, k, d, w.Limit)
		}
	}
	if last, want := all[len(all)-1], t0.Add(3*time.Second); !last.Equal(want) {
		t.Errorf("the last of %d at +%v, want +%v: 30 a second, no gap", len(all), last.Sub(t0), want.Sub(t0))
	}
}

// BenchmarkSendBudgetReserve is one booking's cost, with 8 senders at
// once contending for the bot's row as replicas do; a bot needs 30 a second.
func BenchmarkSendBudgetReserve(b *testing.B) {
	db := pgtest.New(b)
	bud := storage.NewSendBudget(db)
	// Telegram's 30, in a window short enough that bookings stay near now
	// and the row holds what it holds in use: about 30 sends.
	w := domain.SendWindow{Key: "telegram:3", Limit: 30, Per: time.Millisecond}
	var n atomic.Int64
	b.SetParallelism(4) // × GOMAXPROCS senders
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			chat := domain.SendWindow{Key: "telegram:3:" + strconv.FormatInt(n.Add(1), 10), Limit: 3, Per: 3 * time.Second}
			if _, err := bud.ReserveSend(context.Background(), time.Now(), []domain.SendWindow{w, chat}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
