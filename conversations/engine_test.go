package conversations_test

import (
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestOnboardingAndToken walks a new seller from /start to a connected
// store, in two languages, with every kind of bad token on the way.
func TestOnboardingAndToken(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			l := bundle.For(lang)
			c := h.chat("1001", lang)
			c.onboard(t, lang)

			for _, tt := range []struct {
				name  string
				token string
				want  string
			}{
				{"NotJWT", "hello", "error.token.not_jwt"},
				{"Expired", h.wb.IssueToken(wbfake.TokenOptions{ExpiresAt: time.Now().Add(-time.Hour)}), "error.token.expired"},
				{"Test", h.wb.IssueToken(wbfake.TokenOptions{Test: true}), "error.token.test_token"},
				{"ReadOnly", h.wb.IssueToken(wbfake.TokenOptions{ReadOnly: true}), "error.token.read_only"},
			} {
				replies := c.send(tt.token)
				expect(t, replies, l.T(tt.want)[:20], l.T("flow.store.token"))
				if replies[0].DeleteMessage == "" {
					t.Errorf("%s: the token message was not deleted", tt.name)
				}
			}
			good := h.wb.IssueToken(wbfake.TokenOptions{})
			expect(t, c.send(good), l.T("flow.store.checklist")[:20])
			expect(t, c.press(l.T("button.done")), l.T("flow.store.ready"))

			seller, err := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(),
				domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "1001"})
			if err != nil {
				t.Fatal(err)
			}
			if seller.Name != "Li Wei Trading" || string(seller.Language) != lang {
				t.Fatalf("seller = %+v", seller)
			}
			stores, _ := storage.NewStoreService(h.db).FindStores(pgtest.As(seller), domain.StoreFilter{})
			if len(stores) != 1 || stores[0].Token != good || stores[0].SupplierID == "" {
				t.Fatalf("stores = %+v", stores)
			}
		})
	}
}

// TestRestartMidToken: a new process continues the conversation where the
// old one stopped, and a redelivered update is not handled twice.
func TestRestartMidToken(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("2002", "en")
	c.onboard(t, "en")
	h.restart()
	expect(t, c.send("not-a-token"), l.T("error.token.not_jwt")[:20])

	replies, err := h.engine.Handle(t.Context(), inputWithID(c, c.h.updates.Load(), "/help"))
	if err != nil || len(replies) != 0 {
		t.Fatalf("redelivered update answered: %v %v", dump(replies), err)
	}
}

// TestBadInput: what a person may get wrong, each with a clear answer and
// nothing changed.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("3003", "en")
	c.onboard(t, "en")

	expect(t, c.send("/frobnicate"), l.T("error.input.unknown_command", map[string]any{"Command": "/frobnicate"}), l.T("flow.store.token"))
	// A picture at the token step is for support (off in this harness),
	// and the token step goes on.
	expect(t, c.sendFile(domain.AttachmentPhoto, "x.png", qrPNG(t, "x")), l.T("flow.support.off"),
		l.T("flow.resume", map[string]any{"Flow": l.T("flow.store.title")}), l.T("flow.store.token")[:20])
	expect(t, c.handle(inputButton("garbage")), l.T("error.input.stale_button"))
	expect(t, c.handle(inputButton("f|accept|1")), l.T("error.input.stale_button"), l.T("flow.store.token"))

	// A stranger's button naming someone else's return finds nothing.
	other := pgtest.Seller(t, h.db, nil)
	r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, other.ID, nil).ID, nil)
	c.send("/cancel")
	expect(t, c.handle(inputButton("rc|"+itoa(r.ID)+"|0")), l.T("error.return.not_found"))
}

// TestDecision: the prompt's buttons, the profile gate for Return to
// seller, the confirm step, and finality.
func TestDecision(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("zh")
	c := h.chat("4004", "zh")
	c.onboard(t, "zh")
	c.send("/cancel")
	seller, _ := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(), domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "4004"})
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })

	c.send("/returns")
	c.press(l.Label("tab", string(domain.TabPendingDecision)))
	c.press(r.ProductName)
	expect(t, c.press(l.Label("decision", string(domain.DecisionReturnToSeller))), l.T("error.return.profile_incomplete"))
	c.press(l.T("button.complete_profile"))
	c.send("上海市浦东新区世纪大道 100 号 8 楼")
	c.sendFile(domain.AttachmentDocument, "license.pdf", []byte("%PDF-1.4"))
	expect(t, c.press(l.T("button.done")), l.T("flow.profile.complete"))

	c.send("/returns")
	c.press(l.Label("tab", string(domain.TabPendingDecision)))
	c.press(r.ProductName)
	c.press(l.Label("decision", string(domain.DecisionReturnToSeller)))
	expect(t, c.press(l.T("button.confirm")), l.Label("decision", string(domain.DecisionReturnToSeller)))

	got, _ := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), r.ID)
	if got.Status != domain.StatusAwaitingShipmentToSeller || got.Decision != domain.DecisionReturnToSeller {
		t.Fatalf("return = %s / %s", got.Status, got.Decision)
	}
	hist, _ := storage.NewReturnService(h.db).FindTransitions(pgtest.System(), r.ID)
	if last := hist[len(hist)-1]; last.Actor.Kind != domain.ActorSeller || last.Actor.ID != seller.ID {
		t.Fatalf("decided by %+v", last.Actor)
	}
	// The card now shows the decision and offers no decision buttons.
	c.send("/returns")
	c.press(l.Label("tab", string(domain.TabProcessing)))
	replies := c.press(r.ProductName)
	expect(t, replies, "Li Wei Trading") // who decided
	for _, row := range replies[0].Buttons {
		for _, b := range row {
			if b.Text == l.Label("decision", string(domain.DecisionDispose)) {
				t.Fatal("a decided return still offers decisions")
			}
		}
	}
}

// TestPickup: a typed code and a QR screenshot, one code for every return
// waiting at the same pickup point.
func TestPickup(t *testing.T) {
	for _, tt := range []struct {
		name string
		send func(c *chat) // what the seller sends for the code
		code string
	}{
		{"Typed", func(c *chat) { c.send("/pickup"); c.send("4821 0937") }, "48210937"},
		{"QRScreenshot", func(c *chat) { c.sendFile(domain.AttachmentPhoto, "qr.png", qrPNG(c.h.tb, "WB-PICKUP-77123")) }, "WB-PICKUP-77123"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			l := bundle.For("en")
			c := h.chat("5005", "en")
			c.onboard(t, "en")
			c.send("/cancel")
			seller, _ := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(), domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "5005"})
			store := pgtest.Store(t, h.db, seller.ID, nil)
			var ids []int64
			for range 2 {
				r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
					r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Moscow, Tverskaya 1"
				})
				ids = append(ids, r.ID)
			}
			tt.send(c)
			expect(t, c.last, tt.code)
			c.press(l.T("button.confirm"))
			for _, id := range ids {
				r, _ := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), id)
				if r.PickupCode != tt.code {
					t.Fatalf("return %d code = %q", id, r.PickupCode)
				}
			}
		})
	}
}

// TestIdlePhoto: a picture outside any flow is a pickup code only while a
// return waits for one; otherwise it goes to support.
func TestIdlePhoto(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("7007", "en")
	c.onboard(t, "en")
	c.send("/cancel")
	expect(t, c.sendFile(domain.AttachmentPhoto, "p.png", qrPNG(t, "x")), l.T("flow.support.off"))
}
