package conversations_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// guard is the production guard on the harness's database.
func guard(h *harness) *domain.Guard {
	return &domain.Guard{Store: storage.NewPoisonService(h.db), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// panickySender panics for one chat, as a bug in rendering or sending
// would, and records the rest.
type panickySender struct {
	recordingSender
	chat string
}

func (s *panickySender) Send(ctx context.Context, chatID string, rs []conversations.Reply) error {
	if chatID == s.chat {
		panic("sender: index out of range")
	}
	return s.recordingSender.Send(ctx, chatID, rs)
}

// panickyChat is the staff chat panicking on posts that contain a text.
type panickyChat struct {
	*staffChat
	on string
}

func (c *panickyChat) Post(ctx context.Context, at conversations.StaffPlace, m conversations.StaffMessage) ([]string, error) {
	if strings.Contains(m.Text, c.on) {
		panic("staff chat: nil map")
	}
	return c.staffChat.Post(ctx, at, m)
}

// clock moves on by step at each call of pass, past every lease.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func (c *clock) pass(step time.Duration) { c.now = c.now.Add(step) }

// alertsPosted are the staff chat's posts about inputs set aside.
func alertsPosted(c *staffChat) []staffPost {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []staffPost
	for _, p := range c.posts {
		if strings.Contains(p.m.Text, "⚠️") && p.at == (conversations.StaffPlace{}) {
			out = append(out, p)
		}
	}
	return out
}

// TestDeliverPanicSetAside: a seller whose delivery panics is retried
// until the third panic sets the notifications aside; the other seller is
// served meanwhile, and staff are told once.
func TestDeliverPanicSetAside(t *testing.T) {
	f := newStaffFixture(t, true)
	h := f.h
	bad := sellerWithReturns(t, h, 2, nil)
	good := sellerWithReturns(t, h, 1, nil)
	sender := &panickySender{chat: bad.Identities[0].ExternalID}
	clk := &clock{now: nextUTCHour(12)}
	d := newDeliverer(h, sender, nil, clk.now)
	d.Now, d.Guard = clk.Now, guard(h)

	for pass := range 4 {
		if _, err := d.Deliver(t.Context()); err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		clk.pass(5 * time.Minute) // past the claims' lease
	}
	if got := len(sender.sent[good.Identities[0].ExternalID]); got != 1 {
		t.Errorf("the other seller got %d messages, want 1", got)
	}
	if n := unsent(t, h, bad.ID); n != 2 {
		t.Fatalf("%d of the panicking seller's notifications unsent, want both (set aside)", n)
	}
	before := sender.calls
	if _, err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if sender.calls != before {
		t.Errorf("notifications set aside were claimed again")
	}

	f.desk.Poisoned, f.desk.Now = storage.NewPoisonService(h.db), clk.Now
	f.flush(t)
	f.flush(t)
	alerts := alertsPosted(f.chat)
	if len(alerts) != 1 {
		t.Fatalf("staff were told %d times, want once: %+v", len(alerts), alerts)
	}
	for _, want := range []string{domain.WorkerOutbox, "/s_" + strconv.FormatInt(bad.ID, 10), "index out of range"} {
		if !strings.Contains(alerts[0].m.Text, want) {
			t.Errorf("the alert lacks %q:\n%s", want, alerts[0].m.Text)
		}
	}
}

// TestStaffRelayPanicSetAside: a relay whose post panics comes back after
// its lease until the third panic sets it aside; the alert about it, in
// the general thread, is posted once.
func TestStaffRelayPanicSetAside(t *testing.T) {
	f := newStaffFixture(t, true)
	_, c := f.sellerChat(t)
	l := bundle.For("en")
	expect(t, c.send("poison pill"), l.T("flow.support.sent"))
	clk := &clock{now: time.Now()}
	f.desk.Chat = &panickyChat{staffChat: f.chat, on: "poison pill"}
	f.desk.Guard, f.desk.Poisoned, f.desk.Now = guard(f.h), storage.NewPoisonService(f.h.db), clk.Now

	for pass := range 4 {
		if n := f.flush(t); n > 1 {
			t.Fatalf("pass %d posted %d", pass, n)
		}
		clk.pass(11 * time.Minute) // past the relay lease
	}
	if alerts := alertsPosted(f.chat); len(alerts) != 1 || !strings.Contains(alerts[0].m.Text, domain.WorkerStaffRelay) {
		t.Fatalf("alerts = %+v, want one about the relay", alerts)
	}
	if n := f.flush(t); n != 0 {
		t.Errorf("the relay set aside was posted again (%d)", n)
	}
	// The seller's next message goes through.
	expect(t, c.send("hello again"), l.T("flow.support.sent"))
	if n := f.flush(t); n != 1 {
		t.Fatalf("the next relay: posted %d, want 1", n)
	}
}
