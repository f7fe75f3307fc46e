package telegram_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// Browsing returns as only Telegram shows it, one message edited in
// place, and the helpers Telegram's own tests use to press a button on a
// given message and wait for its edit. (The stories every channel tells
// are in stories_test.go.)

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
					"Tab": l.Label("tab", string(tab)), "Count": s.Count, "Money": l.FormatMoney(s.PriceRUB, s.PriceCNY),
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
				{"column.price", l.FormatMoney(r.PriceRUB, r.PriceCNY)},
				{"column.needs_verification", l.T("label.no")},
				{"column.photo_video_required", l.T("label.no")},
			} {
				if line := l.Field(l.T(f[0]), f[1]); !strings.Contains(card.Text, line) {
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
