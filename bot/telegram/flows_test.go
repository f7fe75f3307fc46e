package telegram_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestOnboarding walks a new seller from /start to the token step through
// Telegram, in two languages, then pastes a malformed token: the answer is
// translated and the message carrying the token is gone from the chat.
func TestOnboarding(t *testing.T) {
	for _, tt := range []struct {
		lang       string
		sharePhone bool
	}{
		{"en", true},
		{"ru", false},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(1001, tt.lang)
			u.Onboard(tt.lang, tt.sharePhone)

			token := u.Send("hello-i-am-not-a-token")
			u.Expect(head(u.L.T("error.token.not_jwt")))
			u.Expect(head(u.L.T("flow.store.token")))
			if slices.ContainsFunc(h.tg.Messages(u.ID), func(m tgfake.Message) bool { return m.MessageID == token.MessageID }) {
				t.Errorf("the message with the token is still in the chat")
			}

			seller, err := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(),
				domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "1001"})
			if err != nil {
				t.Fatal(err)
			}
			wantPhone := ""
			if tt.sharePhone {
				wantPhone = "+8613800000000"
			}
			if string(seller.Language) != tt.lang || seller.Phone != wantPhone || seller.Name != "Li Wei Trading" {
				t.Errorf("seller = %+v", seller)
			}
		})
	}
}

// TestRestartMidToken: a new process (new engine, new bot, same database)
// continues the conversation at the token step where the old one stopped.
func TestRestartMidToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(2002, "en")
	u.Onboard("en", false)

	h.restart()
	u.Send("still-not-a-token")
	u.Expect(head(u.L.T("error.token.not_jwt")))
	u.Send(h.wb.IssueToken(wbfake.TokenOptions{}))
	u.Expect(head(u.L.T("flow.store.checklist")))
	u.Press(u.L.T("button.done"))
	u.Expect(u.L.T("flow.store.ready"))
}

// TestBadInput: what a person may get wrong mid-flow, each answered in
// their language with the flow left where it was.
func TestBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	u := h.user(3003, "ru")
	l := u.L
	u.Send("/start")
	u.Expect(head(l.T("flow.onboarding.language")))
	languages := u.TG.Sent(u.ID)[0]
	u.Press(l.T("language.ru"))
	u.Expect(head(l.T("flow.onboarding.terms")))
	u.Press(l.T("button.accept"))
	u.Expect(l.T("flow.onboarding.name"))

	ask := l.T("flow.onboarding.name")
	for _, tt := range []struct {
		name  string
		act   func()
		want  []string // in order; the step's question comes again last
		toast string
	}{
		{"UnknownCommand", func() { u.Send("/frobnicate") }, []string{l.T("error.input.unknown_command", map[string]any{"Command": "/frobnicate"}), ask}, ""},
		{"PhotoForText", func() { u.SendPhoto("") }, []string{l.T("error.input.expected_text"), l.T("flow.resume", map[string]any{"Flow": l.T("flow.onboarding.title")}), ask}, ""},
		{"StaleButton", func() { u.PressOn(languages, mustData(t, languages, l.T("language.en"))) }, []string{ask}, l.T("error.input.stale_button")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			answered := len(h.tg.CallbackAnswers())
			tt.act()
			for _, w := range tt.want {
				u.Expect(w)
			}
			if tt.toast != "" {
				if got := h.tg.CallbackAnswers(); len(got) != answered+1 || got[answered].Text != tt.toast {
					t.Errorf("callback answers = %+v, want one with %q", got[answered:], tt.toast)
				}
			}
			if flow, state := h.session(t, u.ID); state != "onboarding.name" {
				t.Errorf("session moved to %s/%s", flow, state)
			}
		})
	}
}

// TestQRDocument: a screenshot sent as a file (full resolution) is read as
// a pickup code, downloaded through getFile and the file URL of the fake.
func TestQRDocument(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.start()
	seller := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "4004"}}
	})
	store := pgtest.Store(t, h.db, seller.ID, nil)
	pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Moscow, Tverskaya 1"
	})
	u := h.user(4004, "en")

	m := h.tg.SendDocument(u.ID, "screenshot.png", qrPNG(t, "WB-PICKUP-77123"), "")
	u.After = m.MessageID
	u.Expect("WB-PICKUP-77123")
}

func mustData(t *testing.T, m tgfake.Message, label string) string {
	t.Helper()
	data, ok := tgtest.ButtonData(m, label)
	if !ok {
		t.Fatalf("no button %q on %+v", label, m)
	}
	return data
}

// session reads where a chat's conversation is.
func (h *harness) session(t *testing.T, chatID int64) (flow, state string) {
	t.Helper()
	err := h.sessions.WithSession(t.Context(), domain.ChannelTelegram, strconv.FormatInt(chatID, 10), func(_ context.Context, s *domain.ChatSession) error {
		flow, state = s.Flow, s.State
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow, state
}

var qrPNG = convtest.QRPNG
