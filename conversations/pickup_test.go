package conversations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

const pickupAddress = "Moscow, Tverskaya 1"

// pickupFixture is a seller with two returns waiting at one pickup point,
// a staff desk, and the seller's chat in lang.
type pickupFixture struct {
	*staffFixture
	c       *chat
	returns []*domain.Return
	store   *domain.Store
}

func newPickupFixture(t *testing.T) *pickupFixture {
	f := &pickupFixture{staffFixture: newStaffFixture(t, true)}
	seller, c := f.sellerChat(t)
	f.c = c
	stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	f.store = stores[0]
	for _, number := range []string{"R-1", "R-2"} {
		f.returns = append(f.returns, f.waiting(t, number))
	}
	return f
}

func (f *pickupFixture) waiting(t *testing.T, number string) *domain.Return {
	return pgtest.Return(t, f.h.db, f.store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress, r.ReturnNumber, r.ProductName = domain.StatusAwaitingPickupCode, pickupAddress, number, "Scarf "+number
	})
}

// sendCode runs /pickup with a typed code through to its confirmation.
func (f *pickupFixture) sendCode(t *testing.T, code string) {
	t.Helper()
	l := bundle.For("en")
	expect(t, f.c.send("/pickup"), l.Plural("flow.pickup.ask", 2, map[string]any{"Address": pickupAddress}))
	f.c.send(code)
	expect(t, f.c.press(l.T("button.confirm")), "R-1", "R-2")
}

func (f *pickupFixture) codes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range f.returns {
		got, err := storage.NewReturnService(f.h.db).FindReturnByID(pgtest.System(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got.PickupCode)
	}
	return out
}

// TestPickupCodeVisible: once the code is confirmed, the return reads
// "awaiting collection" with its code on the seller's card and on the
// staff card, where before it read "awaiting pickup code".
func TestPickupCodeVisible(t *testing.T) {
	f := newPickupFixture(t)
	l := bundle.For("en")
	status := func(id string) string { return l.T("column.status") + ": " + l.T(id) }
	sellerCard := func() string {
		f.c.send("/returns")
		f.c.press(l.Label("tab", string(domain.TabInTransit)))
		return texts(f.c.press("Scarf R-1"))
	}
	staffCard := func() string {
		f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/find R-1"}})
		return f.chat.last(t).m.Text
	}
	for _, card := range []string{sellerCard(), staffCard()} {
		if !strings.Contains(card, status("status.awaiting_pickup_code")) {
			t.Errorf("before the code the card lacks %q:\n%s", status("status.awaiting_pickup_code"), card)
		}
	}
	f.sendCode(t, "4821 0937")
	for name, card := range map[string]string{"seller": sellerCard(), "staff": staffCard()} {
		for _, want := range []string{status("label.awaiting_collection"), "48210937"} {
			if !strings.Contains(card, want) {
				t.Errorf("the %s card lacks %q:\n%s", name, want, card)
			}
		}
	}
}

// TestPickupShowsSentCode: /pickup at a point whose code the warehouse
// has shows that code instead of asking for it; the seller keeps it, or
// corrects it by the button or by sending the new code straight away. A
// return that arrives later at the point makes /pickup ask again.
func TestPickupShowsSentCode(t *testing.T) {
	l := bundle.For("en")
	sentText := l.Plural("flow.pickup.code_sent", 2, map[string]any{"Code": "48210937", "Address": pickupAddress})
	for _, tt := range []struct {
		name    string
		correct func(c *chat) // from the shown code to the confirmation of a new one
		want    string        // the code afterwards
	}{
		{"Keep", func(c *chat) {
			expect(c.h.tb, c.press(l.T("button.keep_code")), l.T("flow.pickup.kept", map[string]any{"Code": "48210937"}))
		}, "48210937"},
		{"CorrectByButton", func(c *chat) {
			expect(c.h.tb, c.press(l.T("button.correct_code")), l.Plural("flow.pickup.ask", 2, map[string]any{"Address": pickupAddress}))
			expect(c.h.tb, c.send("5555 1234"), l.T("flow.pickup.confirm", map[string]any{"Code": "55551234", "Address": pickupAddress}))
			c.press(l.T("button.confirm"))
		}, "55551234"},
		{"CorrectByTyping", func(c *chat) {
			expect(c.h.tb, c.send("5555 1234"), l.T("flow.pickup.confirm", map[string]any{"Code": "55551234", "Address": pickupAddress}))
			c.press(l.T("button.confirm"))
		}, "55551234"},
		{"CorrectByScreenshot", func(c *chat) {
			rs := c.sendFile(domain.AttachmentPhoto, "qr.png", qrPNG(c.h.tb, "WB-PICKUP-77123"))
			expect(c.h.tb, rs, l.T("flow.pickup.confirm", map[string]any{"Code": "WB-PICKUP-77123", "Address": pickupAddress}))
			c.press(l.T("button.confirm"))
		}, "WB-PICKUP-77123"},
		{"NotACode", func(c *chat) {
			expect(c.h.tb, c.send("?"), l.T("error.pickup.bad_code"), sentText)
			c.press(l.T("button.keep_code"))
		}, "48210937"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newPickupFixture(t)
			f.sendCode(t, "4821 0937")
			rs := f.c.send("/pickup")
			expect(t, rs, sentText)
			if strings.Contains(texts(rs), l.Plural("flow.pickup.ask", 2, map[string]any{"Address": pickupAddress})) {
				t.Errorf("/pickup asked for the code again:\n%s", dump(rs))
			}
			tt.correct(f.c)
			for i, got := range f.codes(t) {
				if got != tt.want {
					t.Errorf("%s has code %q, want %q", f.returns[i].ReturnNumber, got, tt.want)
				}
			}
			if flow, state := session(t, f.h, f.c); flow != "" {
				t.Errorf("the chat stayed in %s/%s", flow, state)
			}
		})
	}
	t.Run("NewArrival", func(t *testing.T) {
		f := newPickupFixture(t)
		f.sendCode(t, "4821 0937")
		f.waiting(t, "R-3")
		expect(t, f.c.send("/pickup"), l.Plural("flow.pickup.ask", 3, map[string]any{"Address": pickupAddress}))
	})
}

func session(t *testing.T, h *harness, c *chat) (flow, state string) {
	t.Helper()
	err := storage.NewSessionService(h.db).WithSession(t.Context(), c.channel, c.userID, func(_ context.Context, s *domain.ChatSession) error {
		flow, state = s.Flow, s.State
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow, state
}
