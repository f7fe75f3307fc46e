package domain_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// TestInZone: a receipt late in the evening in Moscow, early next morning
// in Shanghai, is each seller's own day on every card.
func TestInZone(t *testing.T) {
	l := locales.MustNew().For("en")
	at := time.Date(2026, 3, 4, 20, 30, 0, 0, time.UTC) // 23:30 in Moscow, 04:30 next day in Shanghai
	r := &domain.Return{ReceivedAt: &at}
	for _, tt := range []struct{ zone, want string }{
		{"Europe/Moscow", l.FormatDate(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))},
		{"Asia/Shanghai", l.FormatDate(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))},
		{"", l.FormatDate(at)},
		{"Not/AZone", l.FormatDate(at)},
	} {
		if got := domain.ColReceivedAt.Text(domain.InZone(l, domain.ZoneOf(tt.zone)), r); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.zone, got, tt.want)
		}
	}
}
