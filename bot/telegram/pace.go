package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer keeps sends within Telegram's limits by design rather than by
// reacting to 429s: about one message per second per private chat (a short
// burst is tolerated), 20 per minute per group, 30 per second overall.
// Edits, deletions and callback answers are not paced: Telegram does not
// count them against the chat.
type pacer struct {
	global *rate.Limiter
	mu     sync.Mutex
	chats  map[int64]*chatLimiter
}

type chatLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

// Telegram counts the overall and group limits over rolling windows, and a
// token bucket lets burst + rate through in one window: so burst + rate
// stays under each limit, with a margin for the clocks a network hop apart.
const (
	globalPerSecond = 24
	globalBurst     = 4 // 24 + 4 < 30 in any second
	privateBurst    = 3
	groupEvery      = 3200 * time.Millisecond
	groupBurst      = 1 // 1 + 60/3.2 < 20 in any minute
)

func newPacer() *pacer {
	return &pacer{global: rate.NewLimiter(globalPerSecond, globalBurst), chats: map[int64]*chatLimiter{}}
}

// wait blocks until one more message may go to chat.
func (p *pacer) wait(ctx context.Context, chat int64) error {
	if err := p.chat(chat).Wait(ctx); err != nil {
		return err
	}
	return p.global.Wait(ctx)
}

func (p *pacer) chat(chat int64) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	c, ok := p.chats[chat]
	if !ok {
		lim := rate.NewLimiter(rate.Every(1100*time.Millisecond), privateBurst)
		if chat < 0 { // groups and supergroups have negative ids
			lim = rate.NewLimiter(rate.Every(groupEvery), groupBurst)
		}
		c = &chatLimiter{lim: lim}
		p.chats[chat] = c
		if len(p.chats) > 10000 {
			p.forgetIdle(now)
		}
	}
	c.used = now
	return c.lim
}

// forgetIdle drops limiters of chats quiet for a minute: they are full again.
func (p *pacer) forgetIdle(now time.Time) {
	for id, c := range p.chats {
		if now.Sub(c.used) > time.Minute {
			delete(p.chats, id)
		}
	}
}
