package domain

import (
	"context"
	"errors"
	"sync"
	"time"
)

// lease.go: every queue that leaves the service (the outbox, staff relays,
// WeChat's held pushes) hands its rows out under a fenced lease, and the
// holder keeps it while it sends. One way to keep it, for all of them.

// ErrClaimLost ends work whose claim another claimant took after its
// lease lapsed, or that could not be renewed before it would lapse: what
// the work still waits to send is that claimant's now.
var ErrClaimLost = errors.New("claim lost to another claimant")

// KeepLease runs fn while renew extends a claim's lease to until every
// beat; renew reports whether the claim still holds everything fn sends.
// When it does not, or renewing keeps failing until the lease would lapse
// before the next beat, fn's ctx is cancelled and ErrClaimLost returned,
// so that a send still waiting (a platform's pace, a retry-after) never
// goes out. The caller renewed the lease just before; now is its clock.
func KeepLease(ctx context.Context, now func() time.Time, beat, lease time.Duration,
	renew func(ctx context.Context, until time.Time) (bool, error), fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	var wg sync.WaitGroup
	// Deferred, so that an fn that panics leaves no watcher behind.
	defer wg.Wait()
	defer close(done)
	wg.Go(func() {
		tick := time.NewTicker(beat)
		defer tick.Stop()
		until := now().Add(lease)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			next := now().Add(lease)
			held, err := renew(ctx, next)
			switch {
			case err == nil && !held:
				cancel(ErrClaimLost)
				return
			case err == nil:
				until = next
			case !now().Add(beat).Before(until):
				cancel(ErrClaimLost) // it lapses before the next try
				return
			}
		}
	})
	err := fn(ctx)
	if errors.Is(context.Cause(ctx), ErrClaimLost) {
		return ErrClaimLost
	}
	return err
}
