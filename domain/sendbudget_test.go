package domain

import (
	"testing"
	"time"
)

func TestNextSend(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	burst := func(n int, ms int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = ms
		}
		return s
	}
	global := SendWindow{Key: "bot", Limit: 3, Per: time.Second}
	chat := SendWindow{Key: "bot:chat", Limit: 2, Per: 3 * time.Second}
	tests := []struct {
		name    string
		now     int
		windows []SendWindow
		logs    []SendLog
		want    int
	}{
		{"empty: at once", 0, []SendWindow{global}, []SendLog{{}}, 0},
		{"a burst takes the whole limit at once", 0, []SendWindow{global}, []SendLog{{Sends: at(0, 0)}}, 0},
		{"full: one Per after the oldest", 0, []SendWindow{global}, []SendLog{{Sends: at(0, 0, 0)}}, 1000},
		{"full, spread: after the first only", 500, []SendWindow{global}, []SendLog{{Sends: at(100, 200, 300)}}, 1100},
		{"booked ahead: the gap before them", 0, []SendWindow{global}, []SendLog{{Sends: at(2000, 2000)}}, 0},
		{"booked ahead, full: after the window they make", 0, []SendWindow{global}, []SendLog{{Sends: at(500, 500, 500)}}, 1500},
		{"a gap between booked sends is filled", 0, []SendWindow{global}, []SendLog{{Sends: at(0, 0, 0, 2000, 2000, 2000)}}, 1000},
		{"blocked: not before", 0, []SendWindow{global}, []SendLog{{Blocked: t0.Add(7 * time.Second)}}, 7000},
		{"blocked in the past: now", 9000, []SendWindow{global}, []SendLog{{Blocked: t0.Add(7 * time.Second)}}, 9000},
		{"the chat is the later limit", 0, []SendWindow{global, chat}, []SendLog{{Sends: at(0)}, {Sends: at(0, 100)}}, 3000},
		{"the bot is the later limit", 0, []SendWindow{global, chat}, []SendLog{{Sends: at(burst(3, 200)...)}, {}}, 1200},
		{"a chat's block holds only where it is", 0, []SendWindow{global, chat}, []SendLog{{}, {Blocked: t0.Add(time.Second)}}, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextSend(t0.Add(time.Duration(tt.now)*time.Millisecond), tt.windows, tt.logs)
			if want := t0.Add(time.Duration(tt.want) * time.Millisecond); !got.Equal(want) {
				t.Errorf("NextSend = +%v, want +%v", got.Sub(t0), want.Sub(t0))
			}
		})
	}
}

// TestNextSendBurst books a long burst one send at a time, as senders do,
// and checks the result against the rule the platform applies.
func TestNextSendBurst(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := SendWindow{Key: "bot", Limit: 30, Per: time.Second}
	var log SendLog
	var last time.Time
	for range 300 {
		next := NextSend(t0, []SendWindow{w}, []SendLog{log})
		log = log.Book(t0, next, w.Per)
		last = next
	}
	if want := t0.Add(9 * time.Second); !last.Equal(want) {
		t.Errorf("the 300th send at +%v, want +%v: 30 a second from the first", last.Sub(t0), want.Sub(t0))
	}
	for k := w.Limit; k < len(log.Sends); k++ {
		if d := log.Sends[k].Sub(log.Sends[k-w.Limit]); d < w.Per {
			t.Fatalf("sends %d and %d are %v apart, want ≥ %v", k-w.Limit, k, d, w.Per)
		}
	}
}

func TestSendLogForget(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := SendLog{Sends: []time.Time{t0, t0.Add(time.Second), t0.Add(2 * time.Second)}}
	tests := []struct {
		now  time.Duration
		want int
	}{{0, 3}, {time.Second, 2}, {1500 * time.Millisecond, 2}, {3 * time.Second, 0}}
	for _, tt := range tests {
		if got := len(l.Forget(t0.Add(tt.now), time.Second).Sends); got != tt.want {
			t.Errorf("Forget at +%v keeps %d, want %d", tt.now, got, tt.want)
		}
	}
}

func TestSendLogRelease(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		sends []time.Time
		at    time.Time
		want  int
	}{
		{"one of a burst's sends goes", []time.Time{t0, t0, t0}, t0, 2},
		{"nothing booked then: nothing goes", []time.Time{t0}, t0.Add(time.Second), 1},
		{"empty", nil, t0, 0},
	}
	for _, tt := range tests {
		l := SendLog{Sends: tt.sends}
		if got := len(l.Release(tt.at).Sends); got != tt.want {
			t.Errorf("%s: %d sends left, want %d", tt.name, got, tt.want)
		}
		if len(l.Sends) != len(tt.sends) {
			t.Errorf("%s: Release changed the log it was called on", tt.name)
		}
	}
}
