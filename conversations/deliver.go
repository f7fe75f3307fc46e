package conversations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// deliver.go: the outbox sender. Notifications were written with the
// changes they report; here they reach the seller's chat, in the seller's
// language, once, with retries for what is transient and a stop for what
// is not.

// Sender sends replies to a chat on one channel. It paces itself within
// the platform's limits and waits out the platform's "retry after".
type Sender interface {
	Send(ctx context.Context, chatID string, replies []Reply) error
}

// PushSender is a Sender that keeps its own place in a push of several
// replies (WeChat holds what its message window cannot take and sends it
// later): SendPush takes them all at once and fails only when none went. A
// plain Sender is given a push one reply at a time, each recorded as it
// goes, so that a retry resumes at the first reply that did not go.
//
// A push carries its notices (notice.go): SendPush may announce it with
// them when it cannot deliver it now.
type PushSender interface {
	SendPush(ctx context.Context, p Push) error
}

// ErrUnreachable is wrapped by senders when a chat can no longer be
// written to (the seller blocked the bot, deleted the account). Retrying
// cannot help.
var ErrUnreachable = errors.New("chat unreachable")

// StaffAlerts tells support staff what needs a person.
type StaffAlerts interface {
	SellerUnreachable(ctx context.Context, seller *domain.Seller, cause error) error
}

// Renderer turns notifications into what a chat shows; the Engine is one.
type Renderer interface {
	RenderNotification(ctx context.Context, n *domain.Notification) (Push, error)
	RenderDigest(ctx context.Context, seller *domain.Seller, ns []*domain.Notification) (Push, error)
}

// Deliverer sends due notifications.
type Deliverer struct {
	Render  Renderer
	Sellers domain.SellerService
	Outbox  domain.OutboxService
	Senders map[domain.Channel]Sender
	Staff   StaffAlerts // nil: unreachable sellers are only logged
	// Guard recovers a panic while a seller's notifications are delivered
	// and gives up on them when it keeps coming (poisoned.go); nil
	// recovers and logs only.
	Guard *domain.Guard
	Now   func() time.Time
	Log   *slog.Logger
	// Batch is how many notifications one pass claims; DigestAbove is how
	// many for one seller in a pass turn into one digest message.
	Batch       int
	DigestAbove int
	MaxAttempts int
	// Settle holds a seller's notifications while more keep coming, so
	// that a burst becomes one digest; zero sends at once.
	Settle  domain.Settle
	Workers int // sellers served at once
	// Lease is how long a claim holds its notifications unless renewed,
	// and Heartbeat how often a pass renews it (deliver_fence.go); by
	// default two minutes and a quarter of the lease.
	Lease     time.Duration
	Heartbeat time.Duration
	// OnDelivered hears of each notification that reached a chat and how
	// long it waited since it was written, for the service's metrics
	// (issue 22); nil hears nothing.
	OnDelivered func(channel domain.Channel, waited time.Duration)
}

// Deliver runs one pass: claim, group by seller, send. It returns how many
// notifications were delivered.
func (d *Deliverer) Deliver(ctx context.Context) (int, error) {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	batch, err := d.Outbox.ClaimNotifications(ctx, d.Now(), d.lease(), d.Batch, d.Settle)
	if err != nil {
		return 0, fmt.Errorf("deliver: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	defer d.keepClaim(ctx, batch[0].Claim)()
	bySeller := map[int64][]*domain.Notification{}
	var order []int64
	for _, n := range batch {
		if _, ok := bySeller[n.SellerID]; !ok {
			order = append(order, n.SellerID)
		}
		bySeller[n.SellerID] = append(bySeller[n.SellerID], n)
	}
	// Sellers go side by side (each chat is paced on its own by the
	// channel); one seller's notifications go in order.
	var sent atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(d.Workers, 1))
	for _, sellerID := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := d.deliverGuarded(ctx, sellerID, bySeller[sellerID])
			sent.Add(int64(n))
			if err != nil {
				d.Log.Warn("delivery failed", "seller", sellerID, "err", err)
			}
		}()
	}
	wg.Wait()
	return int(sent.Load()), nil
}

func (d *Deliverer) deliverTo(ctx context.Context, sellerID int64, ns []*domain.Notification) (int, error) {
	seller, err := d.Sellers.FindSellerByID(ctx, sellerID)
	if err != nil {
		return 0, d.retryAll(ctx, ns, err)
	}
	if seller.Unreachable || len(seller.Identities) == 0 {
		return 0, d.failAll(ctx, ns, ErrUnreachable)
	}
	now := d.Now()
	var due []*domain.Notification
	for _, n := range ns {
		switch {
		// A mark refused here means another sender claimed the row since:
		// it is that sender's to decide.
		case !seller.Wants(n.Kind):
			if _, err := d.Outbox.MarkFailed(ctx, n.ID, n.Claim, errMuted); err != nil {
				return 0, err
			}
		case seller.QuietHours && !n.Kind.Urgent() && inQuietHours(now, seller.TimeZone):
			if _, err := d.Outbox.MarkHeld(ctx, n.ID, n.Claim, quietHoursEnd(now, seller.TimeZone)); err != nil {
				return 0, err
			}
		default:
			due = append(due, n)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	id := seller.Identities[0]
	sender, ok := d.Senders[id.Channel]
	if !ok {
		return 0, d.retryAll(ctx, due, fmt.Errorf("channel %s is off", id.Channel))
	}
	if len(due) > d.DigestAbove {
		// Only what this claim still holds goes into the digest: another
		// sender that took some of it counts those in its own.
		if due, err = d.stillHeld(ctx, due); err != nil || len(due) == 0 {
			return 0, err
		}
		push, err := d.Render.RenderDigest(ctx, seller, due)
		if err != nil {
			return 0, d.retryAll(ctx, due, err)
		}
		return d.sendOrReschedule(ctx, seller, sender, push, due, due)
	}
	// One push per notification, in order: one that fails holds back the rest.
	delivered := 0
	for i, n := range due {
		push, err := d.Render.RenderNotification(ctx, n)
		if err != nil {
			return delivered, d.retryAll(ctx, due[i:], err)
		}
		sent, err := d.sendOrReschedule(ctx, seller, sender, push, due[i:i+1], due[i:])
		delivered += sent
		if err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

// sendOrReschedule sends the push covering covered and, when it fails,
// reschedules rest (covered and what comes after it). A lost claim is
// rescheduled too: the marks are fenced, so only rows this claim still
// holds move.
func (d *Deliverer) sendOrReschedule(ctx context.Context, seller *domain.Seller, sender Sender, push Push, covered, rest []*domain.Notification) (int, error) {
	err := d.push(ctx, sender, push, covered)
	switch {
	case err == nil:
		d.delivered(seller.Identities[0].Channel, covered)
		return len(covered), nil
	case errors.Is(err, ErrUnreachable):
		return 0, d.unreachable(ctx, seller, rest, err)
	default:
		return 0, d.retryAll(ctx, rest, err)
	}
}

func (d *Deliverer) delivered(channel domain.Channel, ns []*domain.Notification) {
	if d.OnDelivered == nil {
		return
	}
	now := d.Now()
	for _, n := range ns {
		d.OnDelivered(channel, max(now.Sub(n.CreatedAt), 0))
	}
}

var errMuted = errors.New("muted by the seller in /notifications")

// unreachable stops pushes to a seller and tells staff once.
func (d *Deliverer) unreachable(ctx context.Context, seller *domain.Seller, ns []*domain.Notification, cause error) error {
	yes := true
	if _, err := d.Sellers.UpdateSeller(ctx, seller.ID, domain.SellerUpdate{Unreachable: &yes}); err != nil {
		return err
	}
	if d.Staff != nil {
		if err := d.Staff.SellerUnreachable(ctx, seller, cause); err != nil {
			d.Log.Warn("tell staff seller unreachable", "seller", seller.ID, "err", err)
		}
	}
	return d.failAll(ctx, ns, cause)
}

func (d *Deliverer) failAll(ctx context.Context, ns []*domain.Notification, cause error) error {
	for _, n := range ns {
		if _, err := d.Outbox.MarkFailed(ctx, n.ID, n.Claim, cause); err != nil {
			return err
		}
	}
	return cause
}

// retryAll reschedules with exponential backoff and jitter; past
// MaxAttempts a notification is given up. Rows another sender claimed
// meanwhile are left to it: the marks are fenced by the claim token.
func (d *Deliverer) retryAll(ctx context.Context, ns []*domain.Notification, cause error) error {
	for _, n := range ns {
		if n.Attempts >= d.MaxAttempts {
			if _, err := d.Outbox.MarkFailed(ctx, n.ID, n.Claim, cause); err != nil {
				return err
			}
			continue
		}
		backoff := min(time.Second<<min(n.Attempts, 12), time.Hour)
		backoff += time.Duration(rand.Int64N(int64(backoff) / 2))
		if _, err := d.Outbox.MarkRetry(ctx, n.ID, n.Claim, d.Now().Add(backoff), cause); err != nil {
			return err
		}
	}
	return cause
}

// Quiet hours are 22:00–08:00 in the seller's zone.
const quietFrom, quietUntil = 22, 8

func sellerZone(tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

func inQuietHours(now time.Time, tz string) bool {
	h := now.In(sellerZone(tz)).Hour()
	return h >= quietFrom || h < quietUntil
}

func quietHoursEnd(now time.Time, tz string) time.Time {
	local := now.In(sellerZone(tz))
	end := time.Date(local.Year(), local.Month(), local.Day(), quietUntil, 0, 0, 0, local.Location())
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}
