package conversations_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// The stories a seller goes through (onboarding, stores, decisions,
// pickup codes…) are told through each channel from one table,
// convtest.Stories(). What is left here is what no channel can show: the
// engine's own guards.

// TestRedelivered: an update handled once is not handled again, by a new
// process either, and answers nothing more.
func TestRedelivered(t *testing.T) {
	h := newHarness(t)
	c := h.chat("2002", "en")
	c.onboard(t, "en")
	h.restart()
	replies, err := h.engine.Handle(t.Context(), inputWithID(c, c.h.updates.Load(), "/help"))
	if err != nil || len(replies) != 0 {
		t.Fatalf("redelivered update answered: %v %v", dump(replies), err)
	}
}

// TestForgedButtons: button data no message ever carried (garbage, a
// flow button of no step now, another seller's return) is answered and
// changes nothing.
func TestForgedButtons(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("3003", "en")
	c.onboard(t, "en")

	expect(t, c.handle(inputButton("garbage")), l.T("error.input.stale_button"))
	expect(t, c.handle(inputButton("f|accept|1")), l.T("error.input.stale_button"), l.T("flow.store.token"))
	other := pgtest.Seller(t, h.db, nil)
	r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, other.ID, nil).ID, nil)
	c.send("/cancel")
	expect(t, c.handle(inputButton("rc|"+itoa(r.ID)+"|0")), l.T("error.return.not_found"))
}
