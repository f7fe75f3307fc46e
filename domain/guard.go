package domain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// PoisonLimit is how many panics of one input set it aside.
const PoisonLimit = 3

// poisonMemory is how long a failure counts towards PoisonLimit: one-off
// inputs come back within minutes, while a poll slot or a job that panics
// once a week is a new case each time, worth a new alert.
const poisonMemory = 24 * time.Hour

// ErrPoisoned is wrapped by Guard.Run when the input is set aside: the
// worker moves past it for good and apologises to whoever sent it.
var ErrPoisoned = errors.New("input set aside after repeated panics")

// PanicError is a panic recovered from an input's handler.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Recovered runs fn and turns a panic in it into a *PanicError.
func Recovered(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Guard runs a worker's inputs one at a time so that a panic in one is a
// failure of that input, not of the process: recovered, logged with the
// input's key and the stack, and counted in Store. Ordinary errors are the
// worker's business (each has its own retries for outages); only panics
// count, because retrying a bug never helps. A nil *Guard, or one without
// Store, recovers and logs but never sets anything aside.
type Guard struct {
	Store PoisonService
	Log   *slog.Logger     // default slog.Default()
	Now   func() time.Time // default time.Now
	Limit int              // default PoisonLimit
}

// Run runs fn for item. It returns fn's error, a *PanicError when fn
// panicked, and an error wrapping both ErrPoisoned and the *PanicError when
// that panic set the input aside (or it had been already).
func (g *Guard) Run(ctx context.Context, item WorkItem, fn func(ctx context.Context) error) error {
	err := Recovered(func() error { return fn(ctx) })
	var pe *PanicError
	if !errors.As(err, &pe) {
		return err
	}
	return g.failed(ctx, item, pe)
}

func (g *Guard) failed(ctx context.Context, item WorkItem, pe *PanicError) error {
	log := g.log().With("worker", item.Worker, "key", item.Key, "panic", fmt.Sprint(pe.Value))
	if item.SellerID != 0 {
		log = log.With("seller", item.SellerID)
	}
	if g == nil || g.Store == nil {
		log.Error("panic recovered", "stack", string(pe.Stack))
		return pe
	}
	// The attempt may have used up or cancelled its ctx: the bookkeeping
	// gets its own time.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := g.now()
	f := InputFailure{Item: item, Err: pe.Error(), Stack: string(pe.Stack), At: now}
	attempts, poisoned, err := g.Store.RecordFailure(ctx, f, g.limit(), now.Add(-poisonMemory))
	if err != nil {
		// Not counted: the worker retries it like any failure.
		log.Error("panic recovered", "stack", string(pe.Stack), "record_err", err)
		return pe
	}
	log.Error("panic recovered", "attempt", attempts, "set_aside", poisoned, "stack", string(pe.Stack))
	if poisoned {
		return fmt.Errorf("%s %s: %w: %w", item.Worker, item.Key, ErrPoisoned, pe)
	}
	return pe
}

func (g *Guard) log() *slog.Logger {
	if g == nil || g.Log == nil {
		return slog.Default()
	}
	return g.Log
}

func (g *Guard) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}

func (g *Guard) limit() int {
	if g.Limit <= 0 {
		return PoisonLimit
	}
	return g.Limit
}
