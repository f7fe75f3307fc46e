package telegram_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// The seller's flows after onboarding, through the real client and the
// fake Telegram. The bot paces itself to about one new message a second
// per chat after a burst of three, while edits and toasts are free: so
// each case keeps to a few new messages, and cases that need many use a
// chat of their own.

// TestLanguage: /language switches the seller's language; the button's
// message answers in the new one, and so does everything after. The first
// case is a seller fresh from onboarding, the slowest case here (the
// bot paces the onboarding messages), so it comes first.
func TestLanguage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		from, to string
		onboard  bool
	}{
		{"en", "ru", true},
		{"ru", "zh", false},
	} {
		t.Run(tt.from+"To"+tt.to, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(17001, tt.from)
			if tt.onboard {
				u.Onboard(tt.from, false)
				u.Send("/cancel")
				u.Expect(u.L.T("flow.cancel.done"))
			} else {
				sellerFor(t, h, u, tt.from)
			}
			if s := sellerOf(t, h, u); string(s.Language) != tt.from {
				t.Fatalf("seller speaks %s before the switch, want %s", s.Language, tt.from)
			}
			to := bundle.For(tt.to)

			u.Send("/language")
			ask := u.Expect(u.L.T("flow.language.ask"))
			pressOn(t, u, ask.MessageID, to.Label("language", tt.to))
			if m := expectEdit(t, u, ask.MessageID, to.T("flow.language.set")); m.ReplyMarkup != nil {
				t.Errorf("the language buttons stay after the choice: %q", labels(m))
			}
			u.Send("/help")
			u.Expect(to.T("flow.help"))
			if s := sellerOf(t, h, u); string(s.Language) != tt.to {
				t.Errorf("seller speaks %s after the switch, want %s", s.Language, tt.to)
			}
		})
	}
}

// TestStores: /stores lists the store; opening it, renaming it, replacing
// its token and removing it all start from the one card, which is edited
// in place.
func TestStores(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(11001, lang)
			l := u.L
			seller := sellerFor(t, h, u, lang)
			stores := storage.NewStoreService(h.db)
			store := pgtest.Store(t, h.db, seller.ID, func(s *domain.Store) { s.Name = "Main store" })

			u.Send("/stores")
			list := u.Expect(l.Plural("flow.stores.list", 1, nil))
			if got, want := labels(list), []string{"Main store", l.T("button.add_store"), l.T("button.team")}; !slices.Equal(got, want) {
				t.Errorf("store list buttons = %q, want %q", got, want)
			}
			pressOn(t, u, list.MessageID, "Main store")
			expectEdit(t, u, list.MessageID, l.T("flow.stores.card", map[string]any{
				"Store": "Main store", "Hint": domain.TokenHint(store.Token), "Rejected": false, "Expires": nil,
			}))

			pressOn(t, u, list.MessageID, l.T("button.rename"))
			u.Expect(l.T("flow.store.name"))
			u.Send("Moscow outlet")
			u.Expect(l.T("flow.store.renamed", map[string]any{"Store": "Moscow outlet"}))

			pressOn(t, u, list.MessageID, l.T("button.replace_token"))
			u.Expect(l.T("flow.store.token"))
			token := h.wb.IssueToken(wbfake.TokenOptions{})
			pasted := u.Send(token)
			u.Expect(l.T("flow.store.token_replaced", map[string]any{"Store": "Moscow outlet", "Hint": domain.TokenHint(token)}))
			if slices.ContainsFunc(h.tg.Messages(u.ID), func(m tgfake.Message) bool { return m.MessageID == pasted.MessageID }) {
				t.Errorf("the message with the new token is still in the chat")
			}
			got, err := stores.FindStoreByID(pgtest.System(), store.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Moscow outlet" || got.Token != token || got.SupplierID == "" || got.TokenRejected {
				t.Errorf("store after rename and new token = %+v", got)
			}

			pressOn(t, u, list.MessageID, l.T("button.remove"))
			expectEdit(t, u, list.MessageID, l.T("flow.stores.remove_confirm", map[string]any{"Store": "Moscow outlet"}))
			if _, err := stores.FindStoreByID(pgtest.System(), store.ID); err != nil {
				t.Fatalf("the store went before the removal was confirmed: %v", err)
			}
			pressOn(t, u, list.MessageID, l.T("button.remove"))
			expectEdit(t, u, list.MessageID, l.T("flow.stores.removed", map[string]any{"Store": "Moscow outlet"}))
			if _, err := stores.FindStoreByID(pgtest.System(), store.ID); domain.ErrorCode(err) != domain.CodeNotFound {
				t.Errorf("find the removed store: %v, want not found", err)
			}
			if sent := h.tg.Sent(u.ID); len(sent) != 5 {
				t.Errorf("the store card was not kept in one message:\n%s", dump(sent))
			}
		})
	}
}

// TestReturnsGlance: /returns shows the four tabs with counts and sums; a
// tab, its pages and a return's card replace that one message in place;
// 🔄 answers with a toast only.
func TestReturnsGlance(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(12001, lang)
			l := u.L
			seller := sellerFor(t, h, u, lang)
			store := pgtest.Store(t, h.db, seller.ID, nil)
			sums := map[domain.Tab]*domain.Summary{}
			var inTransit []*domain.Return
			n := 0
			for _, seed := range []struct {
				status domain.Status
				n      int
			}{
				{domain.StatusAwaitingReceiptAtWB, 6}, {domain.StatusInTransitToWarehouse, 4},
				{domain.StatusAwaitingVerification, 1}, {domain.StatusAwaitingSellerDecision, 2}, {domain.StatusDisposed, 1},
			} {
				for range seed.n {
					n++
					i := n
					r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
						r.Status, r.ProductName = seed.status, fmt.Sprintf("Item %02d", i)
						r.PriceRUB, r.PriceCNY = int64(i)*10_000+99, int64(i)*900+1
					})
					s := sums[r.Tab()]
					if s == nil {
						s = &domain.Summary{Tab: r.Tab()}
						sums[r.Tab()] = s
					}
					s.Count++
					s.PriceRUB += r.PriceRUB
					s.PriceCNY += r.PriceCNY
					if r.Tab() == domain.TabInTransit {
						inTransit = append(inTransit, r)
					}
				}
			}

			u.Send("/returns")
			glance := u.Expect(glanceTitle(l))
			var wantButtons []string
			for _, tab := range domain.AllTabs() {
				s := sums[tab]
				line := l.T("flow.returns.tab_line", map[string]any{
					"Tab": l.Label("tab", string(tab)), "Count": s.Count, "RUB": l.FormatRUB(s.PriceRUB), "CNY": l.FormatCNY(s.PriceCNY),
				})
				if !strings.Contains(glance.Text, line) {
					t.Errorf("the glance lacks %q:\n%s", line, glance.Text)
				}
				wantButtons = append(wantButtons, fmt.Sprintf("%s (%d)", l.Label("tab", string(tab)), s.Count))
			}
			wantButtons = append(wantButtons, l.T("button.refresh"))
			if diff := cmp.Diff(wantButtons, labels(glance)); diff != "" {
				t.Errorf("glance buttons (-want +got):\n%s", diff)
			}

			page := func(n int) string {
				return l.T("flow.returns.page", map[string]any{"Tab": l.Label("tab", string(domain.TabInTransit)), "Page": n, "Pages": 2, "Total": 10})
			}
			seen := map[string]bool{}
			for _, tt := range []struct {
				name    string
				press   string
				want    string
				returns int      // return buttons on the page
				nav     []string // the last row
			}{
				{"OpenTab", l.Label("tab", string(domain.TabInTransit)), page(1), 8, []string{l.T("button.back"), "▶"}},
				{"Next", "▶", page(2), 2, []string{"◀", l.T("button.back")}},
				{"Previous", "◀", page(1), 8, []string{l.T("button.back"), "▶"}},
			} {
				pressOn(t, u, glance.MessageID, tt.press)
				m := expectEdit(t, u, glance.MessageID, tt.want)
				rows := m.ReplyMarkup.InlineKeyboard
				if len(rows) != tt.returns+1 {
					t.Fatalf("%s: %d rows, want %d returns and the navigation:\n%q", tt.name, len(rows), tt.returns, labels(m))
				}
				if got := rowLabels(rows[len(rows)-1]); !slices.Equal(got, tt.nav) {
					t.Errorf("%s: navigation = %q, want %q", tt.name, got, tt.nav)
				}
				for _, row := range rows[:tt.returns] {
					seen[row[0].Text] = true
				}
			}
			if len(seen) != len(inTransit) {
				t.Errorf("the pages list %d distinct returns, want %d: %v", len(seen), len(inTransit), seen)
			}

			r := inTransit[len(inTransit)-1] // the newest: on the first page
			pressOn(t, u, glance.MessageID, r.ProductName)
			card := expectEdit(t, u, glance.MessageID, r.ProductName)
			for _, f := range [][2]string{
				{"column.product_name", r.ProductName},
				{"column.vendor_code", r.VendorCode},
				{"column.barcode", r.Barcode},
				{"column.return_number", r.ReturnNumber},
				{"column.request_date", l.FormatDate(r.RequestDate)},
				{"column.status", l.Label("status", string(r.Status))},
				{"column.price", l.FormatRUB(r.PriceRUB) + " / " + l.FormatCNY(r.PriceCNY)},
				{"column.needs_verification", l.T("label.no")},
				{"column.photo_video_required", l.T("label.no")},
			} {
				if line := l.T(f[0]) + ": " + f[1]; !strings.Contains(card.Text, line) {
					t.Errorf("the card lacks %q:\n%s", line, card.Text)
				}
			}
			// Not claimed defective: the field is left out, as the manual's tables dash it.
			if strings.Contains(card.Text, l.T("column.defective")) {
				t.Errorf("the card shows a defect nobody claimed:\n%s", card.Text)
			}

			pressOn(t, u, glance.MessageID, l.T("button.back"))
			expectEdit(t, u, glance.MessageID, page(1))
			pressOn(t, u, glance.MessageID, l.T("button.back"))
			expectEdit(t, u, glance.MessageID, glanceTitle(l))
			q := pressOn(t, u, glance.MessageID, l.T("button.refresh"))
			if got, want := h.answer(t, q), l.T("flow.returns.refreshing"); got != want {
				t.Errorf("refresh answered %q, want %q", got, want)
			}
			if sent := h.tg.Sent(u.ID); len(sent) != 1 {
				t.Errorf("browsing sent new messages instead of editing the one:\n%s", dump(sent))
			}
		})
	}
}

// TestBeforeArrival: on the card of a return in transit the seller asks
// for verification and photos; a card drawn before that change cannot
// undo it.
func TestBeforeArrival(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(13001, lang)
			l := u.L
			returns := storage.NewReturnService(h.db)
			seller := sellerFor(t, h, u, lang)
			r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, seller.ID, nil).ID, func(r *domain.Return) {
				r.Status, r.ProductName = domain.StatusInTransitToWarehouse, "Silk scarf"
			})
			// Two cards of the same return: an old one stays in the chat.
			old, card := openCard(t, u, r), openCard(t, u, r)
			line := func(column string, on bool) string {
				v := l.T("label.no")
				if on {
					v = l.T("label.yes")
				}
				return l.T(column) + ": " + v
			}

			for _, tt := range []struct {
				name     string
				on       int // message pressed
				button   string
				wantCard []string
				toast    string
				nv, pvr  bool // the return afterwards
			}{
				{"NeedsVerification", card, "button.needs_verification",
					[]string{line("column.needs_verification", true), line("column.photo_video_required", false)},
					"flow.returns.saved", true, false},
				{"PhotoVideoRequired", card, "button.photo_video_required",
					[]string{line("column.needs_verification", true), line("column.photo_video_required", true)},
					"flow.returns.saved", true, true},
				{"StaleCard", old, "button.needs_verification",
					[]string{line("column.needs_verification", true), line("column.photo_video_required", true)},
					"error.input.stale_button", true, true},
			} {
				t.Run(tt.name, func(t *testing.T) {
					q := pressOn(t, u, tt.on, l.T(tt.button))
					if got, want := h.answer(t, q), l.T(tt.toast); got != want {
						t.Errorf("toast = %q, want %q", got, want)
					}
					m := expectEdit(t, u, tt.on, tt.wantCard[0])
					for _, w := range tt.wantCard[1:] {
						if !strings.Contains(m.Text, w) {
							t.Errorf("the card lacks %q:\n%s", w, m.Text)
						}
					}
					got, err := returns.FindReturnByID(pgtest.System(), r.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got.NeedsVerification != tt.nv || got.PhotoVideoRequired != tt.pvr || got.Status != r.Status {
						t.Errorf("return = verification %v, photo/video %v, %s; want %v, %v, %s",
							got.NeedsVerification, got.PhotoVideoRequired, got.Status, tt.nv, tt.pvr, r.Status)
					}
				})
			}
			if sent := h.tg.Sent(u.ID); len(sent) != 2 {
				t.Errorf("the toggles sent new messages:\n%s", dump(sent))
			}
		})
	}
}

// TestDecisionProfile: Return to seller waits for a complete profile,
// which the seller fills in the chat (address, then a document as a
// file); the decision is then confirmed once and final.
func TestDecisionProfile(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(14001, lang)
			l := u.L
			returns := storage.NewReturnService(h.db)
			seller := sellerFor(t, h, u, lang)
			r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, seller.ID, nil).ID, func(r *domain.Return) {
				r.Status, r.ProductName = domain.StatusAwaitingSellerDecision, "Silk scarf"
			})
			card := openCard(t, u, r)
			toSeller := l.Label("decision", string(domain.DecisionReturnToSeller))

			pressOn(t, u, card, toSeller)
			refused := u.Expect(l.T("error.return.profile_incomplete"))
			if got := labels(refused); !slices.Equal(got, []string{l.T("button.complete_profile")}) {
				t.Errorf("the refusal offers %q, want the profile", got)
			}
			pressOn(t, u, refused.MessageID, l.T("button.complete_profile"))
			u.Expect(l.T("flow.profile.address", map[string]any{"Current": ""}))
			const address = "Shanghai, Century Avenue 100, floor 8, 200120, Li Wei, +86 138 0000 0000"
			u.Send(address)
			u.Expect(l.T("flow.profile.documents", map[string]any{"Count": 0}))
			m := h.tg.SendDocument(u.ID, "licence.pdf", []byte("%PDF-1.4 business licence"), "")
			u.After = m.MessageID
			u.Expect(l.T("flow.profile.documents", map[string]any{"Count": 1}))
			u.Press(l.T("button.done"))
			u.Expect(l.T("flow.profile.complete"))
			if s := sellerOf(t, h, u); s.ReturnAddress != address || s.LegalDocuments != 1 {
				t.Errorf("profile = %q with %d documents", s.ReturnAddress, s.LegalDocuments)
			}
			if got := findReturn(t, h, r.ID); got.Status != domain.StatusAwaitingSellerDecision {
				t.Fatalf("the profile steps changed the return: %s", got.Status)
			}

			pressOn(t, u, card, toSeller)
			u.Expect(l.T("flow.decision.confirm", map[string]any{"Decision": toSeller, "Explain": l.T("flow.decision.explain.return_to_seller")}))
			u.Press(l.T("button.confirm"))
			u.Expect(l.T("flow.decision.done", map[string]any{"Decision": toSeller, "Return": r.ReturnNumber, "Product": r.ProductName}))

			got := findReturn(t, h, r.ID)
			if got.Status != domain.StatusAwaitingShipmentToSeller || got.Decision != domain.DecisionReturnToSeller {
				t.Errorf("return = %s / %q, want %s / %s", got.Status, got.Decision, domain.StatusAwaitingShipmentToSeller, domain.DecisionReturnToSeller)
			}
			hist, err := returns.FindTransitions(pgtest.System(), r.ID)
			if err != nil || len(hist) == 0 {
				t.Fatalf("history = %v, %v", hist, err)
			}
			if last := hist[len(hist)-1]; last.Event != domain.EventDecideReturnToSeller ||
				last.Actor.Kind != domain.ActorSeller || last.Actor.ID != seller.ID {
				t.Errorf("last transition = %s by %+v, want the seller's decision", last.Event, last.Actor)
			}

			// The same card, drawn again from the Processing tab.
			pressOn(t, u, card, l.T("button.back"))
			expectEdit(t, u, card, l.Label("tab", string(domain.TabPendingDecision)))
			pressOn(t, u, card, l.T("button.back"))
			expectEdit(t, u, card, glanceTitle(l))
			pressOn(t, u, card, l.Label("tab", string(domain.TabProcessing)))
			waitButton(t, u, card, r.ProductName)
			pressOn(t, u, card, r.ProductName)
			decided := expectEdit(t, u, card, l.Label("status", string(domain.StatusAwaitingShipmentToSeller)))
			if !strings.Contains(decided.Text, toSeller) || !strings.Contains(decided.Text, seller.Name) {
				t.Errorf("the card does not say who decided what:\n%s", decided.Text)
			}
			if got := labels(decided); !slices.Equal(got, []string{l.T("button.back")}) {
				t.Errorf("a decided return offers %q", got)
			}
		})
	}
}

// TestDecisionPush: the outbox sender pushes "awaiting decision" through
// the bot as an album of the inspection photos and a card whose buttons
// decide, with the confirm step.
func TestDecisionPush(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(15001, lang)
			l := u.L
			seller := sellerFor(t, h, u, lang)
			quiet := false // quiet hours would hold the push at night
			if _, err := storage.NewSellerService(h.db).UpdateSeller(pgtest.System(), seller.ID, domain.SellerUpdate{QuietHours: &quiet}); err != nil {
				t.Fatal(err)
			}
			store := pgtest.Store(t, h.db, seller.ID, nil)
			r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
				r.Status, r.ProductName = domain.StatusAwaitingSellerDecision, "Silk scarf"
			})
			for i := range 2 {
				if err := storage.NewAttachmentService(h.db).CreateAttachment(pgtest.System(), &domain.Attachment{
					ReturnID: &r.ID, Kind: domain.AttachmentPhoto, FileName: fmt.Sprintf("inspection-%d.png", i),
					ContentType: "image/png", Data: pngImage(t),
				}); err != nil {
					t.Fatal(err)
				}
			}
			outbox := storage.NewNotificationService(h.db)
			if err := outbox.CreateNotification(pgtest.System(), &domain.Notification{
				SellerID: seller.ID, Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID, StoreID: &store.ID,
			}); err != nil {
				t.Fatal(err)
			}
			u.Send("/help") // Telegram lets a bot write only to those who wrote first
			u.Expect(l.T("flow.help"))
			before := len(h.tg.Sent(u.ID))

			engine := h.newEngine()
			d := &conversations.Deliverer{
				Render: engine, Sellers: engine.Sellers, Outbox: outbox,
				Senders: map[domain.Channel]conversations.Sender{domain.ChannelTelegram: h.bot},
				Now:     func() time.Time { return time.Now().Add(time.Minute) },
				Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
				Batch:   10, DigestAbove: 3, MaxAttempts: 3, Workers: 1,
			}
			if n, err := d.Deliver(h.ctx()); n != 1 || err != nil {
				t.Fatalf("deliver = %d, %v; want the one notification", n, err)
			}
			pushed := h.tg.Sent(u.ID)[before:]
			if len(pushed) != 3 {
				t.Fatalf("pushed %d messages, want an album of 2 and a card:\n%s", len(pushed), dump(pushed))
			}
			album, card := pushed[:2], pushed[2]
			for _, m := range album {
				if len(m.Photo) == 0 || m.MediaGroupID == "" || m.MediaGroupID != album[0].MediaGroupID {
					t.Errorf("album item %d: %d photo sizes, media group %q; want photos of one group", m.MessageID, len(m.Photo), m.MediaGroupID)
				}
			}
			if intro := l.T("notify.awaiting_decision", map[string]any{"Product": r.ProductName, "Return": r.ReturnNumber}); !strings.HasPrefix(card.Text, intro) {
				t.Errorf("card = %q, want it to start with %q", card.Text, intro)
			}
			var decisions []string
			for _, dec := range domain.AllDecisions() {
				decisions = append(decisions, l.Label("decision", string(dec)))
			}
			if got := labels(card); !slices.Equal(got, append(decisions, l.T("button.back"))) {
				t.Errorf("card buttons = %q", got)
			}

			// Staff look again before the seller acts: the pushed card is now outdated.
			comment := "Re-checked: a stain on the sleeve"
			if _, err := storage.NewReturnService(h.db).UpdateReturn(pgtest.System(), r.ID, domain.ReturnUpdate{InspectionComment: &comment}); err != nil {
				t.Fatal(err)
			}
			dispose := l.Label("decision", string(domain.DecisionDispose))
			t.Run("StaleCard", func(t *testing.T) {
				q := pressOn(t, u, card.MessageID, dispose)
				if got, want := h.answer(t, q), l.T("error.input.stale_button"); got != want {
					t.Errorf("toast = %q, want %q", got, want)
				}
				// The stale card is redrawn as the return is now; no confirm step.
				if flow, _ := h.session(t, u.ID); flow == "decision" {
					t.Fatal("a stale decision button opened the confirm step")
				}
			})
			pressOn(t, u, card.MessageID, dispose)
			u.Expect(l.T("flow.decision.confirm", map[string]any{"Decision": dispose, "Explain": l.T("flow.decision.explain.dispose")}))
			u.Press(l.T("button.confirm"))
			u.Expect(l.T("flow.decision.done", map[string]any{"Decision": dispose, "Return": r.ReturnNumber, "Product": r.ProductName}))
			if got := findReturn(t, h, r.ID); got.Status != domain.StatusAwaitingDisposal || got.Decision != domain.DecisionDispose {
				t.Errorf("return = %s / %q, want awaiting disposal", got.Status, got.Decision)
			}
			if left, err := outbox.FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Unsent: true}); err != nil || len(left) != 0 {
				t.Errorf("unsent notifications = %d, %v", len(left), err)
			}
		})
	}
}

// TestPickupCode: two returns wait at one pickup point; one code, typed
// or read from a QR screenshot sent as a photo, goes to both.
func TestPickupCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, lang string
		qr         bool
		code       string
	}{
		{"TypedEN", "en", false, "48210937"},
		{"TypedRU", "ru", false, "48210937"},
		{"QRPhotoEN", "en", true, "WB-PICKUP-77123"},
		{"QRPhotoRU", "ru", true, "WB-PICKUP-77123"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(16001, tt.lang)
			l := u.L
			seller := sellerFor(t, h, u, tt.lang)
			store := pgtest.Store(t, h.db, seller.ID, nil)
			const address = "Moscow, Tverskaya 1"
			var waiting []*domain.Return
			for range 2 {
				waiting = append(waiting, pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
					r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, address
				}))
			}

			if tt.qr {
				m := h.tg.SendPhoto(u.ID, qrPNG(t, tt.code), "")
				u.After = m.MessageID
			} else {
				u.Send("/pickup")
			}
			u.Expect(l.Plural("flow.pickup.ask", 2, map[string]any{"Address": address}))
			if !tt.qr {
				u.Send("4821 0937")
			}
			u.Expect(l.T("flow.pickup.confirm", map[string]any{"Code": tt.code, "Address": address}))
			u.Press(l.T("button.confirm"))
			sent := u.Expect(head(l.T("flow.pickup.sent", map[string]any{"Count": 2, "Returns": ""})))
			for _, w := range waiting {
				if !strings.Contains(sent.Text, w.ReturnNumber) {
					t.Errorf("the confirmation does not name %s: %q", w.ReturnNumber, sent.Text)
				}
				if got := findReturn(t, h, w.ID); got.PickupCode != tt.code {
					t.Errorf("return %s has code %q, want %q", w.ReturnNumber, got.PickupCode, tt.code)
				}
			}
		})
	}
}

// TestSettings: the commands outside the returns, each in a chat of its
// own: /notifications toggles, /support and /web (both off here), /cancel
// mid-flow and with nothing to cancel, /help.
func TestSettings(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			l := bundle.For(lang)
			kind := domain.NotifyAwaitingDecision
			for i, tt := range []struct {
				name  string
				run   func(t *testing.T, u *user)
				check func(t *testing.T, s *domain.Seller)
			}{
				{"Notifications", func(t *testing.T, u *user) {
					u.Send("/notifications")
					menu := u.Expect(l.T("flow.notifications.ask"))
					if n := len(menu.ReplyMarkup.InlineKeyboard); n != len(domain.AllNotificationKinds())+1 {
						t.Errorf("%d rows, want one per kind and quiet hours", n)
					}
					mute := l.Label("digest", string(kind))
					pressOn(t, u, menu.MessageID, "✅ "+mute)
					waitMsg(t, u, menu.MessageID, "with "+mute+" off", func(m tgfake.Message) bool { return slices.Contains(labels(m), "◻️ "+mute) })
					quiet := l.T("button.quiet_hours")
					pressOn(t, u, menu.MessageID, "✅ "+quiet)
					waitMsg(t, u, menu.MessageID, "with quiet hours off", func(m tgfake.Message) bool { return slices.Contains(labels(m), "◻️ "+quiet) })
				}, func(t *testing.T, s *domain.Seller) {
					if !slices.Equal(s.MutedNotifications, []domain.NotificationKind{kind}) || s.QuietHours {
						t.Errorf("muted %v, quiet hours %v; want only %s muted, no quiet hours", s.MutedNotifications, s.QuietHours, kind)
					}
				}},
				{"Support", func(t *testing.T, u *user) {
					u.Send("/support")
					u.Expect(l.T("flow.support.ask"))
					u.Send("Where is my return?")
					u.Expect(l.T("flow.support.off"))
				}, nil},
				{"Web", func(t *testing.T, u *user) {
					u.Send("/web")
					u.Expect(l.T("flow.web.off"))
				}, nil},
				{"CancelMidFlow", func(t *testing.T, u *user) {
					u.Send("/profile")
					u.Expect(l.T("flow.profile.address", map[string]any{"Current": ""}))
					u.Send("/cancel")
					u.Expect(l.T("flow.cancel.done"))
					if flow, state := h.session(t, u.ID); flow != "" || state != "" {
						t.Errorf("session at %s/%s after /cancel", flow, state)
					}
					u.Send("/cancel")
					u.Expect(l.T("flow.cancel.nothing"))
				}, func(t *testing.T, s *domain.Seller) {
					if s.ReturnAddress != "" {
						t.Errorf("the cancelled profile saved %q", s.ReturnAddress)
					}
				}},
				{"Help", func(t *testing.T, u *user) {
					u.Send("/help")
					u.Expect(l.T("flow.help"))
				}, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					u := subtestUser(t, h, int64(18001+i), lang)
					sellerFor(t, h, u, lang)
					tt.run(t, u)
					if tt.check != nil {
						h.settle(t)
						tt.check(t, sellerOf(t, h, u))
					}
				})
			}
		})
	}
}

// sellerFor is the seller behind a Telegram user, as onboarding leaves
// it: registered, speaking lang, with no profile yet.
func sellerFor(t *testing.T, h *harness, u *user, lang string) *domain.Seller {
	t.Helper()
	return pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Name, s.Language = "Li Wei Trading", domain.Language(lang)
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(u.ID, 10)}}
	})
}

// sellerOf reads the seller behind a Telegram user as stored now.
func sellerOf(t *testing.T, h *harness, u *user) *domain.Seller {
	t.Helper()
	s, err := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(),
		domain.Identity{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(u.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func findReturn(t *testing.T, h *harness, id int64) *domain.Return {
	t.Helper()
	r, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// subtestUser is a user of the harness whose failures land on the
// subtest t.
func subtestUser(t *testing.T, h *harness, id int64, lang string) *user {
	u := h.user(id, lang)
	u.TB = t
	return u
}

// openCard sends /returns and walks to the return's card; it returns the
// message, which now shows the card.
func openCard(t *testing.T, u *user, r *domain.Return) int {
	t.Helper()
	l := u.L
	u.Send("/returns")
	m := u.Expect(glanceTitle(l))
	pressOn(t, u, m.MessageID, l.Label("tab", string(r.Tab())))
	waitButton(t, u, m.MessageID, r.ProductName)
	pressOn(t, u, m.MessageID, r.ProductName)
	expectEdit(t, u, m.MessageID, l.T("column.return_number")+": "+r.ReturnNumber)
	return m.MessageID
}

// settle waits until the bot has handled every update so far and sent
// its replies.
func (h *harness) settle(t *testing.T) {
	t.Helper()
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatalf("the bot did not finish its updates: %v", err)
	}
}

// answer is the toast a button press was answered with.
func (h *harness) answer(t *testing.T, queryID string) string {
	t.Helper()
	h.settle(t)
	for _, a := range h.tg.CallbackAnswers() {
		if a.CallbackQueryID == queryID {
			return a.Text
		}
	}
	t.Fatalf("the press %s was never answered", queryID)
	return ""
}

// pressOn presses the button labelled label on bot message id as the chat
// shows it now, and returns the callback query id.
func pressOn(t *testing.T, u *user, id int, label string) string {
	t.Helper()
	for _, m := range u.TG.Sent(u.ID) {
		if m.MessageID == id {
			return u.PressOn(m, mustData(t, m, label))
		}
	}
	t.Fatalf("message %d is not in the chat:\n%s", id, dump(u.TG.Messages(u.ID)))
	return ""
}

// waitMsg waits until bot message id matches, edits included.
func waitMsg(t *testing.T, u *user, id int, what string, match func(tgfake.Message) bool) tgfake.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	m, err := u.TG.WaitForMessage(ctx, u.ID, func(m tgfake.Message) bool { return m.MessageID == id && match(m) })
	if err != nil {
		t.Fatalf("message %d never showed %s: %v; the chat:\n%s", id, what, err, dump(u.TG.Messages(u.ID)))
	}
	return m
}

// expectEdit waits until bot message id has been edited to say want.
func expectEdit(t *testing.T, u *user, id int, want string) tgfake.Message {
	t.Helper()
	return waitMsg(t, u, id, fmt.Sprintf("%q", head(want)), func(m tgfake.Message) bool {
		return m.EditDate != 0 && strings.Contains(m.Text+m.Caption, want)
	})
}

// waitButton waits until bot message id offers a button labelled label.
func waitButton(t *testing.T, u *user, id int, label string) tgfake.Message {
	t.Helper()
	return waitMsg(t, u, id, "a button "+label, func(m tgfake.Message) bool {
		_, ok := tgtest.ButtonData(m, label)
		return ok
	})
}

// glanceTitle is the first line of /returns, before the tabs.
func glanceTitle(l *locales.Localizer) string {
	title, _, _ := strings.Cut(l.T("flow.returns.glance", map[string]any{"Tabs": ""}), "\n")
	return title
}

func labels(m tgfake.Message) []string {
	if m.ReplyMarkup == nil {
		return nil
	}
	var out []string
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		out = append(out, rowLabels(row)...)
	}
	return out
}

func rowLabels(row []tgfake.InlineKeyboardButton) []string {
	var out []string
	for _, b := range row {
		out = append(out, b.Text)
	}
	return out
}
