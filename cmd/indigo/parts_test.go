package main

import (
	"errors"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestParts: a part is down only after downAfter unanswered requests in a
// row (or one failed connect), staff hear of it once it has been down for
// the settle time, and again once when it answers.
func TestParts(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p := newParts(func() time.Time { return now })
	p.add(domain.PartWB, true)
	p.add(domain.PartWeChat, false)
	state := func() domain.PartState { s, _ := p.get(domain.PartWB); return s.State }

	for _, tt := range []struct {
		name     string
		do       func()
		want     domain.PartState
		announce int
	}{
		{"Starting", func() {}, domain.PartStarting, 0},
		{"Answered", func() { p.observe(domain.PartWB, true, "") }, domain.PartUp, 0},
		{"OneBlip", func() { p.observe(domain.PartWB, false, "x"); p.observe(domain.PartWB, false, "x") }, domain.PartUp, 0},
		{"Down", func() { p.observe(domain.PartWB, false, "no answer") }, domain.PartDown, 0},
		{"DownLong", func() { now = now.Add(alertAfter) }, domain.PartDown, 1},
		{"Told", func() { p.announced(domain.PartWB, domain.PartDown) }, domain.PartDown, 0},
		{"Back", func() { p.observe(domain.PartWB, true, "") }, domain.PartUp, 1},
		{"ToldBack", func() { p.announced(domain.PartWB, domain.PartUp) }, domain.PartUp, 0},
		{"ConnectFails", func() { p.set(domain.PartWB, errors.New("dial")) }, domain.PartDown, 0},
		{"BackSoon", func() { p.observe(domain.PartWB, true, "") }, domain.PartUp, 0},
		// The chat could not hear of the outage (it was Telegram's): told after.
		{"DownUntold", func() { p.set(domain.PartWB, errors.New("dial")); now = now.Add(2 * alertAfter) }, domain.PartDown, 1},
		{"BackAfterLong", func() { p.observe(domain.PartWB, true, "") }, domain.PartUp, 1},
	} {
		tt.do()
		if got := state(); got != tt.want {
			t.Errorf("%s: state %s, want %s", tt.name, got, tt.want)
		}
		if got := len(p.toAnnounce(alertAfter)); got != tt.announce {
			t.Errorf("%s: %d to announce, want %d", tt.name, got, tt.announce)
		}
	}
	if s, _ := p.get(domain.PartWeChat); s.State != domain.PartOff {
		t.Errorf("an unconfigured part is %s", s.State)
	}
}
