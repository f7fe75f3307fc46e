package conversations

import (
	"context"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_status.go: the service as its operators see it (issue 22). /status
// shows the same figures the metrics export: each part's state, what
// waits in the outbox, the staff relay and the polling schedule, and what
// this replica counted since it started. PartChanged tells the chat when
// a part stops answering and when it answers again.

// StatusSource is what /status reads; cmd/indigo puts it together from
// the database's figures, the parts' states and the metrics' counters.
type StatusSource interface {
	ServiceStatus(ctx context.Context) (domain.ServiceStatus, error)
}

// statusCommand: "/status". The figures are read after the turn commits,
// with no transaction of the staff chat's held around the queries.
func (t *Turn) statusCommand(string) error {
	d := t.staff.desk
	if d.Status == nil {
		t.staffSay("staff.status.off", nil)
		return nil
	}
	t.later(func(ctx context.Context) {
		st, err := d.Status.ServiceStatus(ctx)
		text := t.l.T("error.internal")
		if err == nil {
			text = statusText(t.l, st)
		} else {
			d.log().Error("staff: read service status", "err", err)
		}
		t.postNow(ctx, StaffMessage{Text: text})
	})
	return nil
}

// statusText renders the whole status, one line a figure.
func statusText(l *locales.Localizer, st domain.ServiceStatus) string {
	f, c := st.Figures, st.Counters
	lines := []string{l.T("staff.status.title")}
	for _, p := range st.Parts {
		lines = append(lines, partLine(l, p))
	}
	lines = append(lines, "", waitingLines(l, f),
		l.T("staff.status.jobs_day", map[string]any{"Failed": f.JobFailures}),
		"",
		l.T("staff.status.counted_since", map[string]any{"Since": clockTime(c.Started)}),
		l.Bullet(l.T("staff.status.wb", map[string]any{"Calls": c.WBCalls, "Limited": c.WBRateLimited})),
	)
	for _, ch := range domain.AllChannels() {
		lines = append(lines, l.Bullet(l.T("staff.status.chat", map[string]any{"Channel": l.Label("channel", string(ch)),
			"Sends": c.ChatSends[ch], "Limited": c.ChatRateLimited[ch], "Retries": c.ChatRetries[ch]})))
	}
	lines = append(lines,
		l.Bullet(l.T("staff.status.delivery", map[string]any{"Delivered": c.Delivered, "P50": age(l, c.DeliveryP50), "P90": age(l, c.DeliveryP90)})),
		l.Bullet(l.T("staff.status.turns", map[string]any{"Turns": c.Turns, "Errors": c.TurnErrors})),
		l.Bullet(l.T("staff.status.jobs", map[string]any{"Runs": c.JobRuns, "Errors": c.JobErrors})),
	)
	return strings.Join(lines, "\n")
}

// waitingLines are what waits in the database, each figure's line
// shorter when nothing waits there.
func waitingLines(l *locales.Localizer, f domain.Figures) string {
	outbox := l.T("staff.status.outbox_empty", map[string]any{"Failed": f.OutboxFailed})
	if f.OutboxPending > 0 {
		outbox = l.T("staff.status.outbox", map[string]any{"Pending": f.OutboxPending, "Oldest": age(l, f.OutboxOldest), "Failed": f.OutboxFailed})
	}
	relay := l.T("staff.status.relay_empty")
	if f.RelayPending > 0 {
		relay = l.T("staff.status.relay", map[string]any{"Pending": f.RelayPending, "Oldest": age(l, f.RelayOldest)})
	}
	polls := l.T("staff.status.polls_none")
	if f.PollsDue[domain.FeedClaims]+f.PollsDue[domain.FeedGoodsReturn] > 0 {
		polls = l.T("staff.status.polls", map[string]any{
			"Claims": f.PollsDue[domain.FeedClaims], "ClaimsLag": age(l, f.PollOverdue[domain.FeedClaims]),
			"Goods": f.PollsDue[domain.FeedGoodsReturn], "GoodsLag": age(l, f.PollOverdue[domain.FeedGoodsReturn])})
	}
	return strings.Join([]string{outbox, relay, polls}, "\n")
}

func partLine(l *locales.Localizer, p domain.Part) string {
	data := map[string]any{"Part": l.Label("part", p.Name), "State": l.Label("part_state", string(p.State)),
		"Since": clockTime(p.Since), "Error": p.Error}
	if p.State == domain.PartDown && p.Error != "" {
		return l.Bullet(l.T("staff.status.part_down", data))
	}
	return l.Bullet(l.T("staff.status.part", data))
}

// PartChanged tells the staff chat that a part stopped answering, or
// answers again; the caller decides when (cmd/indigo waits a minute
// before a part counts as down, so a blip is not news).
func (d *StaffDesk) PartChanged(ctx context.Context, p domain.Part) error {
	l := d.l()
	data := map[string]any{"Part": l.Label("part", p.Name), "Since": clockTime(p.Since), "Error": p.Error}
	id := "staff.health.up"
	if p.State == domain.PartDown {
		id = "staff.health.down"
	}
	_, err := d.Chat.Post(ctx, StaffPlace{}, StaffMessage{Text: l.T(id, data)})
	return err
}

// clockTime is a moment as staff read it: the warehouse's date and time.
func clockTime(t time.Time) string { return t.In(moscow).Format("02.01 15:04 MST") }

// age is a duration in whole seconds, minutes or hours, in words.
func age(l *locales.Localizer, d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return l.Plural("staff.status.age_seconds", int(d/time.Second), nil)
	case d < 2*time.Hour:
		return l.Plural("staff.status.age_minutes", int(d/time.Minute), nil)
	default:
		return l.Plural("staff.status.age_hours", int(d/time.Hour), nil)
	}
}
