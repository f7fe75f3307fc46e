package conversations

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// poisoned.go: the conversations' workers under domain.Guard. A panic while
// delivering a seller's notifications or posting a seller's relays is that
// input's failure, not the process's; the third sets the input aside for
// good. Inputs set aside by any worker wait in the domain.PoisonService,
// and the staff desk posts each to the staff chat once, as its relays.

const (
	alertBatch = 20
	// alertLease outlasts posting a batch; a desk that dies meanwhile
	// leaves its claims to the next.
	alertLease = 2 * time.Minute
	// maxAlertError bounds the panic's text in an alert; the log has it all.
	maxAlertError = 300
)

// deliverGuarded is deliverTo under the guard. A panic is retried like a
// failed send, with backoff and within MaxAttempts, and the notifications
// are given up at once when the guard sets them aside; either way those
// sent before the panic stay sent.
func (d *Deliverer) deliverGuarded(ctx context.Context, sellerID int64, ns []*domain.Notification) (int, error) {
	var sent int
	item := domain.WorkItem{Worker: domain.WorkerOutbox, Key: strconv.FormatInt(ns[0].ID, 10), SellerID: sellerID}
	err := d.Guard.Run(ctx, item, func(ctx context.Context) error {
		var err error
		sent, err = d.deliverTo(ctx, sellerID, ns)
		return err
	})
	var pe *domain.PanicError
	switch {
	case errors.Is(err, domain.ErrPoisoned):
		return sent, d.failAll(ctx, ns, err)
	case errors.As(err, &pe):
		return sent, d.retryAll(ctx, ns, err)
	}
	return sent, err
}

// setAsideRelays drops a seller's relays that cannot be posted, so they do
// not come back after every lease; staff hear of it in the alert.
func (d *StaffDesk) setAsideRelays(ctx context.Context, sellerID int64, ids []int64, claim int64) {
	if _, err := d.Support.MarkRelayed(ctx, ids, claim); err != nil {
		d.log().Error("staff: set relays aside", "seller", sellerID, "relays", ids, "err", err)
	}
}

// flushAlerts posts one alert per input set aside, into the staff chat's
// general thread: they are about Indigo, not a seller's conversation.
func (d *StaffDesk) flushAlerts(ctx context.Context) int {
	if d.Poisoned == nil {
		return 0
	}
	alerts, err := d.Poisoned.ClaimPoisonAlerts(ctx, d.now(), alertLease, alertBatch)
	if err != nil {
		d.log().Error("staff: claim alerts", "err", err)
		return 0
	}
	posted := 0
	for _, p := range alerts {
		// Not guarded: an alert that cannot be posted must not make an
		// alert of its own. Its lease lapses and it is tried again.
		err := domain.Recovered(func() error {
			_, err := d.Chat.Post(ctx, StaffPlace{}, StaffMessage{Text: d.renderAlert(ctx, p)})
			return err
		})
		if err == nil {
			err = d.Poisoned.MarkPoisonAlerted(ctx, p.WorkItem)
		}
		if err != nil {
			d.log().Warn("staff: post alert", "worker", p.Worker, "key", p.Key, "err", err)
			continue
		}
		posted++
	}
	return posted
}

// renderAlert says what was set aside, whose it was and what the panic
// said; the key finds the stack in the logs.
func (d *StaffDesk) renderAlert(ctx context.Context, p *domain.PoisonedInput) string {
	l := d.l()
	lines := []string{l.T("staff.alert.set_aside", map[string]any{"Attempts": p.Attempts, "Worker": p.Worker, "Key": p.Key})}
	switch {
	case p.SellerID != 0:
		name := "#" + strconv.FormatInt(p.SellerID, 10)
		if s, err := d.Services.Sellers.FindSellerByID(ctx, p.SellerID); err == nil {
			name = sellerName(s)
		}
		lines = append(lines, l.T("staff.alert.seller", map[string]any{"Seller": name, "Link": "/s_" + strconv.FormatInt(p.SellerID, 10)}))
	case p.ChatID != "":
		lines = append(lines, l.T("staff.alert.chat", map[string]any{"Chat": p.ChatID}))
	}
	msg := p.LastError
	if r := []rune(msg); len(r) > maxAlertError {
		msg = string(r[:maxAlertError]) + "…"
	}
	lines = append(lines, l.T("staff.alert.error", map[string]any{"Error": strings.TrimSpace(msg)}))
	if p.Worker == domain.WorkerPoll || p.Worker == domain.WorkerJob {
		// Only one-off inputs are moved past; a schedule keeps running.
		lines = append(lines, l.T("staff.alert.recurring"))
	}
	return strings.Join(lines, "\n")
}
