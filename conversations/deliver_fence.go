package conversations

import (
	"context"
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// deliver_fence.go: a pass sends only what its claim still holds. Every
// claim carries a token; the pass renews its lease while it sends, checks
// a push's rows are still its own before the push, cancels a send whose
// rows another sender took meanwhile (a send still waiting for the
// platform's pace then never goes out), and records each reply of a push
// as it goes, so that a retry resumes at the first that did not. What is
// left is one reply in flight when a stalled replica loses its claim.

// errClaimLost: another sender claimed the rows after this claim's lease
// lapsed; they are its to send now.
var errClaimLost = domain.ErrClaimLost

func (d *Deliverer) lease() time.Duration {
	if d.Lease <= 0 {
		return 2 * time.Minute
	}
	return d.Lease
}

func (d *Deliverer) heartbeat() time.Duration {
	if d.Heartbeat <= 0 {
		return d.lease() / 4
	}
	return d.Heartbeat
}

// keepClaim renews the lease of the claim's rows still waiting for their
// seller's turn until the returned stop is called: a pass may take longer
// than one lease when the channel paces it.
func (d *Deliverer) keepClaim(ctx context.Context, claim int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(d.heartbeat())
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if _, err := d.Outbox.RenewClaim(ctx, claim, nil, d.Now().Add(d.lease())); err != nil {
				d.Log.Warn("renew outbox claim", "claim", claim, "err", err)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// stillHeld returns those of ns the claim still holds, their leases renewed.
func (d *Deliverer) stillHeld(ctx context.Context, ns []*domain.Notification) ([]*domain.Notification, error) {
	held, err := d.Outbox.RenewClaim(ctx, ns[0].Claim, notificationIDs(ns), d.Now().Add(d.lease()))
	if err != nil {
		return nil, err
	}
	return keepHeld(ns, held, func(n *domain.Notification) int64 { return n.ID }), nil
}

// keepHeld returns those of items whose id a renewed claim still holds.
func keepHeld[T any](items []T, held []int64, id func(T) int64) []T {
	mine := make(map[int64]bool, len(held))
	for _, h := range held {
		mine[h] = true
	}
	var out []T
	for _, it := range items {
		if mine[id(it)] {
			out = append(out, it)
		}
	}
	return out
}

// push sends one push covering covered and marks them sent. A push for
// one notification goes one reply at a time from the first unsent one,
// each recorded; a digest, and any push to a PushSender, goes whole.
func (d *Deliverer) push(ctx context.Context, sender Sender, p Push, covered []*domain.Notification) error {
	if held, err := d.stillHeld(ctx, covered); err != nil {
		return err
	} else if len(held) < len(covered) {
		return errClaimLost
	}
	send, whole := sender.Send, len(covered) > 1
	if ps, ok := sender.(PushSender); ok {
		send = func(ctx context.Context, chatID string, replies []Reply) error {
			full := p
			full.ChatID, full.Replies = chatID, replies
			return ps.SendPush(ctx, full)
		}
		whole = true
	}
	if whole {
		if err := d.sendWatched(ctx, send, p.ChatID, p.Replies, covered); err != nil {
			return err
		}
	} else if err := d.sendParts(ctx, send, p, covered[0]); err != nil {
		return err
	}
	for _, n := range covered {
		ok, err := d.Outbox.MarkSent(ctx, n.ID, n.Claim)
		if err != nil {
			return err
		}
		if !ok {
			// The one double left: the send outlived the lease unnoticed.
			d.Log.Warn("outbox: sent under a lost claim", "notification", n.ID, "claim", n.Claim)
			return errClaimLost
		}
	}
	return nil
}

// sendParts sends n's push from its first unsent reply, recording each
// one; a re-rendered push shorter than what went has nothing left.
func (d *Deliverer) sendParts(ctx context.Context, send sendFunc, p Push, n *domain.Notification) error {
	one := []*domain.Notification{n}
	for part := n.PartsSent; part < len(p.Replies); part++ {
		if err := d.sendWatched(ctx, send, p.ChatID, p.Replies[part:part+1], one); err != nil {
			return err
		}
		if part+1 == len(p.Replies) {
			break // MarkSent records the last
		}
		ok, err := d.Outbox.MarkPartsSent(ctx, n.ID, n.Claim, part+1)
		if err != nil {
			return err
		}
		if !ok {
			return errClaimLost
		}
		n.PartsSent = part + 1
	}
	return nil
}

type sendFunc func(ctx context.Context, chatID string, replies []Reply) error

// sendWatched sends while it renews the lease of ns every heartbeat
// (domain.KeepLease): whatever still waits in a send whose rows another sender
// took (the platform's pace, a retry-after) must not go out.
func (d *Deliverer) sendWatched(ctx context.Context, send sendFunc, chatID string, replies []Reply, ns []*domain.Notification) error {
	ids := notificationIDs(ns)
	renew := func(ctx context.Context, until time.Time) (bool, error) {
		held, err := d.Outbox.RenewClaim(ctx, ns[0].Claim, ids, until)
		return len(held) == len(ns), err
	}
	return domain.KeepLease(ctx, d.Now, d.heartbeat(), d.lease(), renew, func(ctx context.Context) error {
		return send(ctx, chatID, replies)
	})
}

func notificationIDs(ns []*domain.Notification) []int64 {
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}
