package domain_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestDaysLeftAcrossZones: WB's seven days end at one instant, but "days
// left" is counted in the reader's calendar, so a return ready late in the
// Moscow evening ends a day later for a seller in Shanghai.
func TestDaysLeftAcrossZones(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ready := time.Date(2026, 12, 1, 22, 30, 0, 0, msk) // 2 Dec 03:30 in Shanghai
	r := &domain.Return{Status: domain.StatusAwaitingPickupCode, ReadyAt: &ready}
	end, ok := domain.PickupDeadline(r)
	if !ok || !end.Equal(time.Date(2026, 12, 8, 22, 30, 0, 0, msk)) {
		t.Fatalf("deadline = %v, %v", end, ok)
	}
	for _, tt := range []struct {
		now       time.Time
		moscow    int
		inChina   int
		wantShift string
	}{
		{time.Date(2026, 12, 1, 22, 30, 0, 0, msk), 7, 7, "ready"},
		{time.Date(2026, 12, 2, 0, 1, 0, 0, msk), 6, 7, "past midnight in Moscow; in Shanghai the last day is the 9th"},
		{time.Date(2026, 12, 2, 18, 59, 0, 0, msk), 6, 7, "23:59 in Shanghai"},
		{time.Date(2026, 12, 2, 19, 1, 0, 0, msk), 6, 6, "00:01 in Shanghai"},
		{time.Date(2026, 12, 8, 12, 0, 0, 0, msk), 0, 1, "the last day in Moscow, the day before it ends in Shanghai"},
		{time.Date(2026, 12, 8, 20, 0, 0, 0, msk), 0, 0, "01:00 on the 9th in Shanghai, the last day there too"},
		{time.Date(2026, 12, 8, 22, 30, 0, 0, msk), -1, -1, "the end"},
	} {
		if got := domain.DaysLeft(tt.now, end, msk); got != tt.moscow {
			t.Errorf("%s: %d days left in Moscow, want %d", tt.wantShift, got, tt.moscow)
		}
		if got := domain.DaysLeft(tt.now, end, shanghai); got != tt.inChina {
			t.Errorf("%s: %d days left in Shanghai, want %d", tt.wantShift, got, tt.inChina)
		}
	}
	collected := &domain.Return{Status: domain.StatusInTransitToWarehouse, ReadyAt: &ready}
	if _, ok := domain.PickupDeadline(collected); ok {
		t.Error("a collected return has a pickup deadline")
	}
}

func TestDueAfter(t *testing.T) {
	entered := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if got := domain.DueAfter(entered, 14); !got.Equal(time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("DueAfter = %v", got)
	}
}
