package domain

import (
	"slices"
	"time"
)

// SendWindow is one limit a chat platform puts on sending: at most Limit
// sends in any rolling Per. Key names what it counts (a bot, one of its
// chats), so that every replica sharing a budget counts the same thing.
type SendWindow struct {
	Key   string
	Limit int
	Per   time.Duration
}

// SendLog is what a budget keeps of one window: the sends booked in it
// (ascending, including those still to come) and, after the platform
// answered "too many requests", the time it asked us to wait until.
type SendLog struct {
	Sends   []time.Time
	Blocked time.Time
}

// NextSend is the earliest moment at or after now at which one more send
// fits every window, logs[i] being windows[i]'s log. It is exact, not a
// token bucket: a burst gets the whole limit at once, and a gap left
// between sends booked earlier is filled, so no capacity is wasted.
func NextSend(now time.Time, windows []SendWindow, logs []SendLog) time.Time {
	start := now
	for _, l := range logs {
		if l.Blocked.After(start) {
			start = l.Blocked
		}
	}
	// A window starts to allow a send only at start, at a booked send, or
	// one Per after one: the earliest fit is among those moments.
	candidates := []time.Time{start}
	for i, l := range logs {
		for _, s := range l.Sends {
			for _, c := range []time.Time{s, s.Add(windows[i].Per)} {
				if c.After(start) {
					candidates = append(candidates, c)
				}
			}
		}
	}
	slices.SortFunc(candidates, time.Time.Compare)
	for _, c := range candidates {
		if fitsAll(c, windows, logs) {
			return c
		}
	}
	// Unreachable: after the last booked send plus the longest window,
	// every window is empty.
	return candidates[len(candidates)-1]
}

func fitsAll(t time.Time, windows []SendWindow, logs []SendLog) bool {
	for i, w := range windows {
		if !fits(t, w, logs[i].Sends) {
			return false
		}
	}
	return true
}

// fits reports whether a send at t keeps sends within w: in time order,
// every send must come at least Per after the send Limit places before it,
// which is how the platform counts a rolling window.
func fits(t time.Time, w SendWindow, sends []time.Time) bool {
	if w.Limit <= 0 {
		return false
	}
	at, _ := slices.BinarySearchFunc(sends, t, time.Time.Compare)
	all := slices.Insert(slices.Clone(sends), at, t)
	// Only the runs of Limit+1 sends that include the new one can break.
	for k := max(at, w.Limit); k <= min(at+w.Limit, len(all)-1); k++ {
		if all[k].Sub(all[k-w.Limit]) < w.Per {
			return false
		}
	}
	return true
}

// Book returns the log with a send at t added, dropping the sends that no
// longer count against a send at now or later.
func (l SendLog) Book(now, t time.Time, per time.Duration) SendLog {
	l.Sends = l.Forget(now, per).Sends
	at, _ := slices.BinarySearchFunc(l.Sends, t, time.Time.Compare)
	l.Sends = slices.Insert(l.Sends, at, t)
	return l
}

// Release returns the log without one send booked at t, if it has one:
// a booking given back unused. Only one goes, as a burst books several
// sends at the same moment.
func (l SendLog) Release(t time.Time) SendLog {
	if i := slices.IndexFunc(l.Sends, t.Equal); i >= 0 {
		l.Sends = slices.Delete(slices.Clone(l.Sends), i, i+1)
	}
	return l
}

// Forget drops the sends a window of length per no longer counts at now.
func (l SendLog) Forget(now time.Time, per time.Duration) SendLog {
	cut := now.Add(-per)
	i := 0
	for i < len(l.Sends) && !l.Sends[i].After(cut) {
		i++
	}
	l.Sends = slices.Clone(l.Sends[i:])
	return l
}
