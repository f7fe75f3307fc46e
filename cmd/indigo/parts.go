package main

import (
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// parts.go: how each outside part answers, as this replica last saw it
// (issue 22). The channels and WB report every request through their
// Observe hooks; the Telegram supervisor reports its connects; /readyz
// reports the database. /readyz, the part_up metric, the staff chat's
// /status and its alerts all read this one table.

// downAfter is how many requests in a row must go unanswered before a part
// that was up counts as down: one dropped connection among many sellers'
// requests is no outage.
const downAfter = 3

// parts is the table of parts. It is safe for concurrent use.
type parts struct {
	mu    sync.Mutex
	now   func() time.Time
	order []string
	state map[string]*partState
}

type partState struct {
	domain.Part
	failures int // unanswered requests in a row
	// announced is the state the staff chat was last told of (health.go),
	// and told the change it was told at: each change is told once.
	announced domain.PartState
	changes   int // state changes so far
	told      int
	// outage is how long the part was last down: an outage the chat
	// could not hear of (Telegram's own) is told once it is over.
	outage time.Duration
}

func newParts(now func() time.Time) *parts {
	return &parts{now: now, state: map[string]*partState{}}
}

// add lists a part, off or starting.
func (p *parts) add(name string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := domain.PartOff
	if on {
		st = domain.PartStarting
	}
	p.order = append(p.order, name)
	p.state[name] = &partState{Part: domain.Part{Name: name, State: st, Since: p.now()}, announced: st}
}

// set records that the part answered (err nil) or did not.
func (p *parts) set(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.state[name]
	if !ok {
		return
	}
	if err == nil {
		s.failures = 0
		p.move(s, domain.PartUp, "")
		return
	}
	s.failures = downAfter
	p.move(s, domain.PartDown, err.Error())
}

// observe records one request's answer: a part is down only after
// downAfter unanswered requests in a row.
func (p *parts) observe(name string, answered bool, cause string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.state[name]
	if !ok {
		return
	}
	if answered {
		s.failures = 0
		p.move(s, domain.PartUp, "")
		return
	}
	if s.failures++; s.failures >= downAfter {
		p.move(s, domain.PartDown, cause)
	}
}

func (p *parts) move(s *partState, to domain.PartState, cause string) {
	if s.State != to {
		if s.State == domain.PartDown {
			s.outage = p.now().Sub(s.Since)
		}
		s.State, s.Since = to, p.now()
		s.changes++
	}
	s.Error = cause
}

// get is one part's state; ok is false for a part not listed.
func (p *parts) get(name string) (domain.Part, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.state[name]
	if !ok {
		return domain.Part{}, false
	}
	return s.Part, true
}

// list is every part, in the order they were added.
func (p *parts) list() []domain.Part {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]domain.Part, 0, len(p.order))
	for _, name := range p.order {
		out = append(out, p.state[name].Part)
	}
	return out
}

// toAnnounce returns the parts whose state the staff chat should hear of:
// down for at least settle, or up again after it was told of them down
// or after an outage of at least settle it could not be told of.
func (p *parts) toAnnounce(settle time.Duration) []domain.Part {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []domain.Part
	now := p.now()
	for _, name := range p.order {
		s := p.state[name]
		if s.told == s.changes {
			continue // told already
		}
		switch {
		case s.State == domain.PartDown && now.Sub(s.Since) >= settle:
			out = append(out, s.Part)
		case s.State == domain.PartUp && (s.announced == domain.PartDown || s.outage >= settle):
			out = append(out, s.Part)
		}
	}
	return out
}

// announced records that the staff chat heard of a part in state st.
func (p *parts) announced(name string, st domain.PartState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.state[name]; ok && s.State == st {
		s.announced, s.told = st, s.changes
	}
}
