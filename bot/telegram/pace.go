package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// Clock is the time the pacer books and waits on. Tests pass one that
// jumps ahead instead of sleeping, so waiting out a limit costs nothing.
type Clock interface {
	Now() time.Time
	// SleepUntil returns when the clock reads t or later, or ctx ends.
	SleepUntil(ctx context.Context, t time.Time) error
}

// SendBudget is Telegram's allowance for one bot, shared by every replica
// that sends as it: storage.SendBudget keeps it in PostgreSQL. Methods
// mention only domain and stdlib types so that storage needs no import of
// this package.
type SendBudget interface {
	// ReserveSend books the earliest moment at or after now at which one
	// more send fits every window, and returns it.
	ReserveSend(ctx context.Context, now time.Time, windows []domain.SendWindow) (time.Time, error)
	// ReleaseSend gives back a moment ReserveSend booked and no send used.
	ReleaseSend(ctx context.Context, windows []domain.SendWindow, at time.Time) error
	// BlockSends holds every send under keys back until until.
	BlockSends(ctx context.Context, keys []string, until time.Time) error
}

// Telegram's limits as the FAQ states them. They are exact windows, so a
// burst gets the full rate; the only slack is windowMargin, for the time
// between a booked moment and Telegram's receipt of the message (a timer
// firing late, the network), which varies from one send to the next.
const (
	globalLimit  = 30
	globalWindow = time.Second
	groupLimit   = 20
	groupWindow  = time.Minute
	// groupSpread keeps a group's minute from going out in one burst and
	// then stopping for a minute: staff answering a seller would wait
	// that long. 2 in any 6 s is the same 20 a minute, spread.
	groupSpreadLimit = 2
	groupSpread      = 6 * time.Second
	// privateLimit in privateWindow is "about one a second" with the short
	// burst Telegram tolerates, so a reply of three messages goes at once.
	privateLimit  = 3
	privateWindow = 3 * time.Second
	windowMargin  = 25 * time.Millisecond
	// maxLate is how far past its moment a send may still go, within the
	// margin; maxRebook bounds the new bookings when the machine is so
	// busy that every wake-up is late.
	maxLate   = 5 * time.Millisecond
	maxRebook = 3
	// bookingLead books a moment a little ahead, for the booking's own
	// round trips: a moment of "now" would be past when it returns.
	bookingLead = 10 * time.Millisecond
)

// pacer keeps sends within Telegram's limits by booking each one in the
// budget before it goes, rather than by reacting to 429s. Edits, deletions
// and callback answers are not paced: Telegram does not count them
// against the chat.
type pacer struct {
	key    string // the bot's scope in the budget
	budget SendBudget
	clock  Clock
	log    *slog.Logger
}

func (p *pacer) windows(chat int64) []domain.SendWindow {
	global := domain.SendWindow{Key: p.key, Limit: globalLimit, Per: globalWindow + windowMargin}
	if chat < 0 { // groups and supergroups have negative ids
		return []domain.SendWindow{global,
			{Key: p.chatKey(chat), Limit: groupLimit, Per: groupWindow + windowMargin},
			{Key: p.chatKey(chat) + ":spread", Limit: groupSpreadLimit, Per: groupSpread + windowMargin}}
	}
	return []domain.SendWindow{global, {Key: p.chatKey(chat), Limit: privateLimit, Per: privateWindow + windowMargin}}
}

func (p *pacer) chatKey(chat int64) string { return p.key + ":" + strconv.FormatInt(chat, 10) }

// wait books one message to chat and blocks until its moment. A sender
// that wakes too late (a busy machine, a slow booking) gives its moment
// back and books again rather than send: gone out late, its message would
// land in the window of the sends booked after it and crowd them over
// the limit.
func (p *pacer) wait(ctx context.Context, chat int64) error {
	windows := p.windows(chat)
	for attempt := 0; ; attempt++ {
		at, err := p.budget.ReserveSend(ctx, p.clock.Now().Add(bookingLead), windows)
		if err != nil {
			return fmt.Errorf("book a send to chat %d: %w", chat, err)
		}
		if err := p.clock.SleepUntil(ctx, at); err != nil {
			return err
		}
		late := p.clock.Now().Sub(at)
		if late <= maxLate || attempt == maxRebook {
			return nil
		}
		p.log.Debug("telegram: woke late for a send, booking again", "chat", chat, "late", late)
		if err := p.budget.ReleaseSend(ctx, windows, at); err != nil {
			// Kept, the moment is only wasted: the windows stay within limits.
			p.log.Warn("telegram: give back a missed send moment", "chat", chat, "err", err)
		}
	}
}

// block honours a 429's retry_after for every replica. A 429 does not say
// which limit it hit: in a group it is almost always the group's own
// 20 a minute, so only the group waits; in a private chat, which we keep
// well under its limit, it means the bot as a whole, so every chat waits.
func (p *pacer) block(ctx context.Context, chat int64, wait time.Duration) error {
	keys := []string{p.chatKey(chat), p.chatKey(chat) + ":spread"}
	if chat > 0 {
		keys = append(keys, p.key)
	}
	if err := p.budget.BlockSends(ctx, keys, p.clock.Now().Add(wait)); err != nil {
		return fmt.Errorf("hold sends to chat %d back: %w", chat, err)
	}
	return nil
}
