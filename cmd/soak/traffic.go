package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/indigo-warehouse/indigo/domain"
)

// pushMarker is the store name a push's text carries; it names the push.
func pushMarker(i int) string { return fmt.Sprintf("soak-push-%05d", i) }

// soak runs the traffic: the first /help of every seller without kills (the
// bot may write to a user only once they wrote), then pushes, messages and
// kills side by side.
func (e *env) soak(ctx context.Context) error {
	e.expected = map[int64]int{}
	if err := e.warmUp(ctx); err != nil {
		return err
	}
	e.trafficStart = time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return e.insertPushes(gctx) })
	g.Go(func() error { return e.sendMessages(gctx) })
	g.Go(func() error { return e.killLoop(gctx) })
	if err := g.Wait(); err != nil {
		return err
	}
	e.trafficEnd = time.Now()
	return e.drainWait(ctx)
}

// warmUp sends every seller's first /help and waits for every answer.
func (e *env) warmUp(ctx context.Context) error {
	started := time.Now()
	for _, s := range e.sellers {
		e.sendHelp(s.userID)
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.drain)
	defer cancel()
	for {
		t := e.tally(ctx)
		if t.helpChats == len(e.sellers) {
			e.warmUpTook = time.Since(started)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("warm-up: %d of %d sellers answered their first /help within %v",
				t.helpChats, len(e.sellers), e.opts.drain)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (e *env) sendHelp(userID int64) {
	e.mu.Lock()
	e.expected[userID]++
	e.mu.Unlock()
	e.tg.SendText(userID, "/help")
}

// insertPushes writes the notification rows at -push-rate, seller by seller
// in turn, as a poll round's transactions would. A token_expiring push is
// rendered from its data alone, so the marker in Store comes back verbatim.
func (e *env) insertPushes(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	perTick := max(e.opts.pushRate/10, 0.01)
	var due float64
	for i := 0; i < e.opts.pushes; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		for due += perTick; due >= 1 && i < e.opts.pushes; due-- {
			s := e.sellers[i%len(e.sellers)]
			data, _ := json.Marshal(map[string]any{"Store": pushMarker(i), "Days": 3})
			const q = `INSERT INTO notifications (seller_id, kind, store_id, data) VALUES ($1, $2, $3, $4)`
			if _, err := e.db.Pool.Exec(ctx, q, s.id, domain.NotifyTokenExpiring, s.storeID, data); err != nil {
				return fmt.Errorf("insert push %d: %w", i, err)
			}
			i++
		}
	}
	return nil
}

// sendMessages sends -messages /help from random sellers at -message-rate.
func (e *env) sendMessages(ctx context.Context) error {
	every := time.Duration(float64(time.Second) / e.opts.messageRate)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for range e.opts.messages {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		e.sendHelp(e.sellers[rand.IntN(len(e.sellers))].userID)
	}
	return nil
}

// killLoop SIGKILLs a random replica -kills times, after a random pause
// each, and starts it again at once. A replica that fails to come back
// ends the soak: that is a finding too.
func (e *env) killLoop(ctx context.Context) error {
	for range e.opts.kills {
		pause := time.Duration(rand.Int64N(int64(2*e.opts.killGap) + 1))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		r := e.replicas[rand.IntN(len(e.replicas))]
		e.kill(r)
		started := time.Now()
		if err := e.restart(ctx, r); err != nil {
			return fmt.Errorf("after kill %d: %w", e.killed, err)
		}
		e.restarts = append(e.restarts, time.Since(started))
	}
	return nil
}

// drainWait waits until the outbox has nothing left to send and every
// message has its answer, or -drain passes. A row a killed replica held
// comes back only when its lease runs out (-outbox-lease), and a push sent
// twice shows up only then: so the outbox, not the chats, says when to stop.
func (e *env) drainWait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.drain)
	defer cancel()
	progress := time.NewTicker(15 * time.Second)
	defer progress.Stop()
	for {
		t := e.tally(ctx)
		if t.err != nil && ctx.Err() == nil {
			return t.err
		}
		if t.pending == 0 && t.lostPushes() == 0 && t.lostReplies == 0 {
			break
		}
		select {
		case <-progress.C:
			fmt.Fprintf(e.out, "soak: draining %v: %d outbox rows unsent, %d pushes and %d replies not in their chats yet\n",
				time.Since(e.trafficEnd).Round(time.Second), t.pending, t.lostPushes(), t.lostReplies)
		default:
		}
		select {
		case <-ctx.Done():
			e.drainTimedOut = true
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
	// A reply being resent by a replica as the outbox empties lands now.
	time.Sleep(2 * time.Second)
	return nil
}

// state the traffic keeps for the report.
type trafficState struct {
	mu            sync.Mutex
	expected      map[int64]int // user id → /help sent
	warmUpTook    time.Duration
	trafficStart  time.Time
	trafficEnd    time.Time
	restarts      []time.Duration // kill to healthy again
	drainTimedOut bool
}
