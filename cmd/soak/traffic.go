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

// The markers name each push, relay and staff answer, so that the chats
// say which came and how often.
func pushMarker(i int) string   { return fmt.Sprintf("soak-push-%05d", i) }
func wxPushMarker(i int) string { return fmt.Sprintf("soak-wxpush-%05d", i) }
func relayMarker(i int) string  { return fmt.Sprintf("soak-relay-%05d", i) }
func answerMarker(i int) string { return fmt.Sprintf("soak-answer-%05d", i) }

// soak runs the traffic: the first /help of every seller without kills (a
// bot may write to a person only once they wrote), then everything else
// and the kills side by side. Staff answer relays from the start until
// the drain ends.
func (e *env) soak(ctx context.Context) error {
	e.init()
	if err := e.warmUp(ctx); err != nil {
		return err
	}
	staffCtx, stopStaff := context.WithCancel(ctx)
	staffDone := make(chan error, 1)
	go func() { staffDone <- e.answerRelays(staffCtx) }()
	defer func() { stopStaff(); <-staffDone }()

	e.trafficStart = time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return paced(gctx, e.opts.pushRate, e.opts.pushes, e.insertPush) })
	g.Go(func() error { return paced(gctx, e.opts.wxPushRate, e.opts.wxPushes, e.insertWxPush) })
	g.Go(func() error { return paced(gctx, e.opts.messageRate, e.opts.messages, e.sendMessage) })
	g.Go(func() error { return paced(gctx, e.opts.wxMessageRate, e.opts.wxMessages, e.sendWxMessage) })
	g.Go(func() error { return paced(gctx, e.opts.relayRate, e.opts.relays, e.sendRelay) })
	g.Go(func() error { return e.killLoop(gctx) })
	if err := g.Wait(); err != nil {
		return err
	}
	e.trafficEnd = time.Now()
	return e.drainWait(ctx)
}

// paced calls do n times, for i = 0…n-1, at rate calls a second.
func paced(ctx context.Context, rate float64, n int, do func(ctx context.Context, i int) error) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	perTick := rate / 10
	var due float64
	for i := 0; i < n; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		for due += perTick; due >= 1 && i < n; due-- {
			if err := do(ctx, i); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// warmUp sends every seller's first /help and waits for every answer.
func (e *env) warmUp(ctx context.Context) error {
	started := time.Now()
	for _, s := range e.sellers {
		e.sendHelp(s.userID)
	}
	for _, s := range e.wxUsers {
		if err := e.sendWxHelp(ctx, s.openID); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.drain)
	defer cancel()
	for {
		t := e.tally(ctx)
		tg, wx := t.kind(kindHelp).lost(), t.kind(kindWxHelp).lost()
		if t.err == nil && tg+wx == 0 {
			e.warmUpTook = time.Since(started)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("warm-up: %d Telegram and %d WeChat sellers still wait for their first /help after %v", tg, wx, e.opts.drain)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (e *env) sendHelp(userID int64) {
	e.expect(kindHelp, chatKey(userID))
	e.tg.SendText(userID, "/help")
}

func (e *env) sendMessage(_ context.Context, _ int) error {
	e.sendHelp(e.sellers[rand.IntN(len(e.sellers))].userID)
	return nil
}

func (e *env) sendWxMessage(ctx context.Context, _ int) error {
	return e.sendWxHelp(ctx, e.wxUsers[rand.IntN(len(e.wxUsers))].openID)
}

// sendRelay writes to support from a random support seller: the seller
// is told it was sent, and staff get it in the seller's topic.
func (e *env) sendRelay(_ context.Context, i int) error {
	s := e.sellers[rand.IntN(e.opts.supportSellers)]
	e.mu.Lock()
	e.relayFrom[relayMarker(i)] = s.userID
	e.mu.Unlock()
	e.expect(kindRelay, relayMarker(i))
	e.expect(kindSupportSent, chatKey(s.userID))
	e.tg.SendText(s.userID, relayMarker(i)+" where is my parcel?")
	return nil
}

// insertPush and insertWxPush write a notification row as a poll round's
// transaction would. A token_expiring push is rendered from its data
// alone, so the marker in Store comes back verbatim.
func (e *env) insertPush(ctx context.Context, i int) error {
	e.expect(kindPush, pushMarker(i))
	return e.insertNotification(ctx, e.sellers[i%len(e.sellers)], pushMarker(i))
}

func (e *env) insertWxPush(ctx context.Context, i int) error {
	e.expect(kindWxPush, wxPushMarker(i))
	return e.insertNotification(ctx, e.wxUsers[i%len(e.wxUsers)], wxPushMarker(i))
}

func (e *env) insertNotification(ctx context.Context, s seller, marker string) error {
	data, _ := json.Marshal(map[string]any{"Store": marker, "Days": 3})
	const q = `INSERT INTO notifications (seller_id, kind, store_id, data) VALUES ($1, $2, $3, $4)`
	if _, err := e.db.Pool.Exec(ctx, q, s.id, domain.NotifyTokenExpiring, s.storeID, data); err != nil {
		return fmt.Errorf("insert push %s: %w", marker, err)
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

// drainWait waits until nothing is left to send and everything expected
// came, or -drain passes. A row a killed replica held comes back only when
// its lease runs out (-outbox-lease), and a push sent twice shows up only
// then: so the queues, not the chats, say when to stop. WeChat followers
// with something held ask for it, as the notice tells them to.
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
		if t.err == nil && t.queued() == 0 && t.lost() == 0 {
			break
		}
		if err := e.askForHeld(ctx); err != nil && ctx.Err() == nil {
			return err
		}
		select {
		case <-progress.C:
			fmt.Fprintf(e.out, "soak: draining %v: %s; not come yet: %s\n",
				time.Since(e.trafficEnd).Round(time.Second), t.queues(), t.missing())
		default:
		}
		select {
		case <-ctx.Done():
			e.drainTimedOut = true
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
	// A message being resent by a replica as the queues empty lands now.
	time.Sleep(2 * time.Second)
	return nil
}

// state the traffic keeps for the report.
type trafficState struct {
	mu            sync.Mutex
	want          map[string]map[string]int // kind → key (a marker, or a chat) → times expected
	relayFrom     map[string]int64          // relay marker → the seller's user id
	answerTo      map[string]int64          // staff answer marker → the seller's user id
	askedHeld     map[string]time.Time      // WeChat follower → when they last sent "0"
	warmUpTook    time.Duration
	trafficStart  time.Time
	trafficEnd    time.Time
	restarts      []time.Duration // kill to healthy again
	drainTimedOut bool
}

func (st *trafficState) init() {
	st.want = map[string]map[string]int{}
	for _, k := range kinds {
		st.want[k] = map[string]int{}
	}
	st.relayFrom = map[string]int64{}
	st.answerTo = map[string]int64{}
	st.askedHeld = map[string]time.Time{}
}

// expect records one more of kind under key.
func (st *trafficState) expect(kind, key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.want[kind][key]++
}
