package tgfake

import (
	"fmt"
	"math"
	"time"
)

// limiter models the FAQ's flood limits: a token bucket per private chat
// (bursts pass, then ~1/s), a rolling minute per group and a rolling second
// for the whole bot. A refused send consumes nothing.
type limiter struct {
	private map[int64]*bucket
	groups  map[int64][]time.Time
	global  []time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter() limiter {
	return limiter{private: map[int64]*bucket{}, groups: map[int64][]time.Time{}}
}

// admitLocked charges one send to chat c, or answers 429 with retry_after.
func (s *Server) admitLocked(c *chat) *apiError {
	if !s.limitsOn {
		return nil
	}
	wait := s.limits.admit(s.now(), c.c.ID, c.isGroup())
	if wait <= 0 {
		return nil
	}
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	return &apiError{
		code:   429,
		desc:   fmt.Sprintf("Too Many Requests: retry after %d", secs),
		params: &ResponseParameters{RetryAfter: secs},
	}
}

func (l *limiter) admit(now time.Time, chatID int64, group bool) time.Duration {
	l.global = prune(l.global, now.Add(-GlobalWindow))
	wait := windowWait(l.global, GlobalLimit, GlobalWindow, now)

	var b *bucket
	if group {
		l.groups[chatID] = prune(l.groups[chatID], now.Add(-GroupWindow))
		wait = max(wait, windowWait(l.groups[chatID], GroupLimit, GroupWindow, now))
	} else {
		b = l.private[chatID]
		if b == nil {
			b = &bucket{tokens: PrivateChatBurst, at: now}
			l.private[chatID] = b
		}
		if elapsed := now.Sub(b.at); elapsed > 0 {
			b.tokens = min(PrivateChatBurst, b.tokens+float64(elapsed)/float64(PrivateChatEvery))
		}
		b.at = now
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)*float64(PrivateChatEvery)))
		}
	}
	if wait > 0 {
		return wait
	}
	l.global = append(l.global, now)
	if group {
		l.groups[chatID] = append(l.groups[chatID], now)
	} else {
		b.tokens--
	}
	return 0
}

// prune drops the times at or before cutoff; times are kept in order.
func prune(times []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	return times[i:]
}

func windowWait(times []time.Time, limit int, window time.Duration, now time.Time) time.Duration {
	if len(times) < limit {
		return 0
	}
	return times[len(times)-limit].Add(window).Sub(now)
}
