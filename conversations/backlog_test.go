package conversations_test

import (
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestQuietHoursSwitchedOff: what quiet hours held at night goes in the
// next pass once the seller switches them off, not at 08:00.
func TestQuietHoursSwitchedOff(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	seller := sellerWithReturns(t, h, 2, nil) // quiet hours on, as onboarding leaves them
	night := nextUTCHour(23)
	sender := &recordingSender{}
	d := newDeliverer(h, sender, nil, night)
	if _, err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := unsent(t, h, seller.ID); got != 2 || sender.calls != 0 {
		t.Fatalf("at 23:00 %d calls, %d unsent; want all held", sender.calls, got)
	}
	c := h.chat(seller.Identities[0].ExternalID, "en")
	c.send("/notifications")
	c.press(l.T("button.quiet_hours"))
	d.Now = func() time.Time { return night.Add(time.Minute) }
	if _, err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := len(sender.sent[c.userID]); got != 2 || unsent(t, h, seller.ID) != 0 {
		t.Fatalf("after switching quiet hours off: %d replies, %d unsent; want both sent", got, unsent(t, h, seller.ID))
	}
}

// TestBacklogDigest: a backlog of notifications about returns that moved
// on meanwhile reaches the seller as one message whose counts are those of
// /returns, each return once, whatever it went through.
func TestBacklogDigest(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	seller := sellerWithReturns(t, h, 6, func(s *domain.Seller) { s.QuietHours = false })
	returns := storage.NewReturnService(h.db)
	list, _, err := returns.FindReturns(pgtest.System(), domain.ReturnFilter{SellerID: &seller.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Two returns go on to the pickup point, one of them on to the warehouse and a decision.
	steps := [][]domain.Event{{domain.EventArriveAtPickupPoint}, {domain.EventArriveAtPickupPoint, domain.EventPickUp, domain.EventReceive}}
	for i, events := range steps {
		for _, ev := range events {
			if _, err := returns.ApplyEvent(pgtest.System(), list[i].ID, domain.ReturnChange{Event: ev}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sender := &recordingSender{}
	if _, err := newDeliverer(h, sender, nil, nextUTCHour(12)).Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := h.chat(seller.Identities[0].ExternalID, "en")
	got := sender.sent[c.userID]
	if len(got) != 1 {
		t.Fatalf("%d messages for a backlog of 10 notifications, want one digest:\n%s", len(got), dump(got))
	}
	// /returns' own lines, tab by tab; one return waits for a code.
	glance := texts(c.send("/returns"))
	var tabs []string
	for _, tab := range domain.AllTabs() {
		tabs = append(tabs, lineWith(glance, l.Label("tab", string(tab))+":"))
	}
	want := l.Plural("notify.digest_returns", 6, map[string]any{"Tabs": strings.Join(tabs, "\n"), "Codes": 1, "Other": ""})
	if got[0].Text != want {
		t.Errorf("digest:\n%s\nwant (news on 6 returns, not 10 updates; /returns' counts):\n%s", got[0].Text, want)
	}
}

func lineWith(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}
