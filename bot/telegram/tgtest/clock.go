package tgtest

import (
	"context"
	"sync"
	"time"
)

// Clock runs with the wall clock but jumps instead of sleeping: a wait
// moves it forward to the moment waited for and returns at once. Given to
// the bot (telegram.Config.Clock) and to the fake (tgfake.Options.Now), it
// lets a test cross Telegram's limit windows in no real time, with both
// sides agreeing on the time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock that reads the wall time until something waits.
func NewClock() *Clock { return &Clock{} }

// Now is the wall time plus every jump so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// SleepUntil jumps to t unless the clock is already past it.
func (c *Clock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(time.Now().Add(c.offset)); d > 0 {
		c.offset += d
	}
	return nil
}

// Jumped is how far the clock has run ahead of the wall clock.
func (c *Clock) Jumped() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
