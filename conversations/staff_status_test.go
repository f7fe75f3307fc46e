package conversations

import (
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// TestStatusText: /status renders every figure in each staff language,
// with nothing left as a message id or a missing template value, both
// while things wait and when nothing does.
func TestStatusText(t *testing.T) {
	since := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	busy := domain.ServiceStatus{
		Parts: []domain.Part{{Name: domain.PartDatabase, State: domain.PartUp, Since: since},
			{Name: domain.PartTelegram, State: domain.PartDown, Since: since, Error: "no answer to get updates"},
			{Name: domain.PartWeChat, State: domain.PartOff, Since: since}, {Name: domain.PartWB, State: domain.PartStarting, Since: since}},
		Figures: domain.Figures{OutboxPending: 3, OutboxOldest: 90 * time.Second, OutboxFailed: 1, RelayPending: 2, RelayOldest: 5 * time.Minute,
			PollsDue: map[domain.Feed]int{domain.FeedClaims: 4}, PollOverdue: map[domain.Feed]time.Duration{domain.FeedClaims: 3 * time.Hour}},
		Counters: domain.Counters{Started: since, WBCalls: 120, WBRateLimited: 2, Delivered: 40, DeliveryP50: 2 * time.Second,
			DeliveryP90: 30 * time.Second, ChatSends: map[domain.Channel]int64{domain.ChannelTelegram: 55}, Turns: 80, TurnErrors: 1},
	}
	idle := domain.ServiceStatus{Parts: busy.Parts[:1], Counters: domain.Counters{Started: since}}
	b := locales.MustNew()
	for _, lang := range locales.Languages() {
		for name, st := range map[string]domain.ServiceStatus{"busy": busy, "idle": idle} {
			text := statusText(b.For(lang), st)
			for _, leak := range []string{"staff.status.", "part.", "part_state.", "<no value>", "{{"} {
				if strings.Contains(text, leak) {
					t.Errorf("%s %s: %q left in:\n%s", lang, name, leak, text)
				}
			}
			if testing.Verbose() && name == "busy" {
				t.Log(text)
			}
			if name == "busy" && !strings.Contains(text, "no answer to get updates") {
				t.Errorf("%s: the down part's error is not shown:\n%s", lang, text)
			}
		}
	}
}
