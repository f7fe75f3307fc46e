package domain_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestKeepLease: the work runs to its end while the claim holds; it is
// cut, with ErrClaimLost, once another claimant took the claim or renewing
// failed until the lease would lapse.
func TestKeepLease(t *testing.T) {
	errDB := errors.New("database away")
	for _, tt := range []struct {
		name  string
		renew func(n int64) (bool, error) // the nth renewal, from 1
		want  error
	}{
		{"Held", func(int64) (bool, error) { return true, nil }, errDone},
		{"TakenOver", func(n int64) (bool, error) { return n < 3, nil }, domain.ErrClaimLost},
		{"RenewFailsOnce", func(n int64) (bool, error) { return true, map[bool]error{true: errDB}[n == 2] }, errDone},
		{"RenewKeepsFailing", func(n int64) (bool, error) { return n < 2, map[bool]error{true: errDB}[n >= 2] }, domain.ErrClaimLost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var renewals atomic.Int64
			const beat, lease = 2 * time.Millisecond, 50 * time.Millisecond
			renew := func(context.Context, time.Time) (bool, error) { return tt.renew(renewals.Add(1)) }
			err := domain.KeepLease(context.Background(), time.Now, beat, lease, renew, func(ctx context.Context) error {
				for renewals.Load() < 60 {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					time.Sleep(time.Millisecond)
				}
				return errDone
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

var errDone = errors.New("sent")
