package telegram

import (
	"context"
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// LocalBudget is a SendBudget kept in this process: right for one replica,
// the demo and tests. A deployment of several replicas shares
// storage.SendBudget instead, since each LocalBudget believes it owns the
// whole of Telegram's limit.
type LocalBudget struct {
	mu   sync.Mutex
	logs map[string]domain.SendLog
	// pers remembers each key's window, to forget sends it no longer counts.
	pers map[string]time.Duration
	ops  int
}

// NewLocalBudget returns an empty in-process budget.
func NewLocalBudget() *LocalBudget {
	return &LocalBudget{logs: map[string]domain.SendLog{}, pers: map[string]time.Duration{}}
}

// ReserveSend implements SendBudget.
func (b *LocalBudget) ReserveSend(_ context.Context, now time.Time, windows []domain.SendWindow) (time.Time, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	logs := make([]domain.SendLog, len(windows))
	for i, w := range windows {
		logs[i] = b.logs[w.Key].Forget(now, w.Per)
	}
	at := domain.NextSend(now, windows, logs)
	for i, w := range windows {
		b.logs[w.Key] = logs[i].Book(now, at, w.Per)
		b.pers[w.Key] = w.Per
	}
	if b.ops++; b.ops%1024 == 0 {
		b.forgetIdle(now)
	}
	return at, nil
}

// ReleaseSend implements SendBudget.
func (b *LocalBudget) ReleaseSend(_ context.Context, windows []domain.SendWindow, at time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range windows {
		b.logs[w.Key] = b.logs[w.Key].Release(at)
	}
	return nil
}

// BlockSends implements SendBudget.
func (b *LocalBudget) BlockSends(_ context.Context, keys []string, until time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		l := b.logs[k]
		if until.After(l.Blocked) {
			l.Blocked = until
		}
		b.logs[k] = l
	}
	return nil
}

// forgetIdle drops the logs of chats that have nothing left to count, so
// that a bot with many chats keeps only the busy ones.
func (b *LocalBudget) forgetIdle(now time.Time) {
	for k, l := range b.logs {
		if len(l.Forget(now, b.pers[k]).Sends) == 0 && !l.Blocked.After(now) {
			delete(b.logs, k)
			delete(b.pers, k)
		}
	}
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) SleepUntil(ctx context.Context, t time.Time) error {
	return domain.Sleep(ctx, time.Until(t))
}
