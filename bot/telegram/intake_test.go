package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

// TestWebhook: Telegram's posts are handled before they are acknowledged;
// anything without the secret header is refused unread; presses of buttons
// that were never on screen are answered and change nothing.
func TestWebhook(t *testing.T) {
	t.Parallel()
	var hook atomic.Value // http.Handler, set once the bot exists
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t, harnessOptions{webhookURL: srv.URL + "/telegram"})
	hook.Store(h.bot.WebhookHandler(h.engine))
	h.start()

	u := h.user(5005, "en")
	u.Send("/start")
	languages := u.Expect(head(u.L.T("flow.onboarding.language")))
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatalf("the webhook never acknowledged the update: %v", err)
	}

	// Ids far above the fake's keep the engine from skipping these as seen.
	const forged = 1 << 40
	help := map[string]any{"update_id": forged, "message": map[string]any{
		"message_id": 999, "date": 1, "text": "/help",
		"chat": map[string]any{"id": u.ID, "type": "private"},
		"from": map[string]any{"id": u.ID, "first_name": "Li", "language_code": "en"},
	}}
	press := func(id int, data string) map[string]any {
		return map[string]any{"update_id": forged + id, "callback_query": map[string]any{
			"id": "forged-query", "chat_instance": "1", "data": data,
			"from":    map[string]any{"id": u.ID, "first_name": "Li", "language_code": "en"},
			"message": map[string]any{"message_id": languages.MessageID, "date": 1, "chat": map[string]any{"id": u.ID, "type": "private"}},
		}}
	}
	for _, tt := range []struct {
		name       string
		secret     string
		update     map[string]any
		wantStatus int
		wantReply  string // sent before the webhook answered
	}{
		{"NoSecret", "", help, http.StatusUnauthorized, ""},
		{"WrongSecret", secret + "x", help, http.StatusUnauthorized, ""},
		{"OK", secret, help, http.StatusOK, u.L.T("flow.help")},
		{"ForgedButton", secret, press(1, "q7Yx1Lm0"), http.StatusOK, ""},
		{"ForgedVersion", secret, press(2, "f|en|99999"), http.StatusOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sent, answers := len(h.tg.Sent(u.ID)), h.tg.Requests("answerCallbackQuery")
			body, _ := json.Marshal(tt.update)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/telegram", bytes.NewReader(body))
			if tt.secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tt.secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			after := h.tg.Sent(u.ID)
			switch {
			case tt.wantStatus != http.StatusOK && len(after) != sent:
				t.Errorf("a refused request was handled: %s", dump(after[sent:]))
			case tt.wantReply != "" && !slices.ContainsFunc(after[sent:], func(m tgfake.Message) bool { return m.Text == tt.wantReply }):
				t.Errorf("answered before the reply was sent: %s", dump(after[sent:]))
			}
			if _, isPress := tt.update["callback_query"]; isPress && h.tg.Requests("answerCallbackQuery") != answers+1 {
				t.Errorf("the press was not answered")
			}
			if flow, state := h.session(t, u.ID); state != "onboarding.language" {
				t.Errorf("session moved to %s/%s", flow, state)
			}
		})
	}
}

// crashingOffsets dies the moment the bot tries to save its offset: the
// update is handled and answered, but neither the store nor Telegram
// learn that it was.
type crashingOffsets struct {
	telegram.OffsetStore
	kill context.CancelFunc
}

func (c crashingOffsets) SetBotOffset(context.Context, string, int64) error {
	c.kill()
	return errors.New("killed")
}

// TestCrashBeforeOffsetSave: an update handled just before a crash comes
// again to the next process, which must not answer it a second time.
func TestCrashBeforeOffsetSave(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ctx, kill := context.WithCancel(context.Background())
	h.bot = h.newBot(crashingOffsets{OffsetStore: h.sessions, kill: kill}, "")
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx, h.engine) }()

	u := h.user(6006, "en")
	u.Send("/start")
	u.Expect(head(u.L.T("flow.onboarding.language")))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-h.ctx().Done():
		t.Fatal("the bot did not stop")
	}
	if n := h.tg.PendingUpdates(); n != 1 {
		t.Fatalf("pending updates after the crash = %d, want the handled one still unconfirmed", n)
	}
	sent := len(h.tg.Sent(u.ID))

	h.bot = h.newBot(h.sessions, "")
	h.start()
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatalf("the re-delivered update was never confirmed: %v", err)
	}
	if again := h.tg.Sent(u.ID)[sent:]; len(again) != 0 {
		t.Fatalf("the re-delivered update was answered again: %s", dump(again))
	}
	u.Press(u.L.T("language.en"))
	u.Expect(head(u.L.T("flow.onboarding.terms")))
}

// TestWebhookSetOnce: a replica that starts registers the webhook only when
// Telegram does not have it with this secret: registering again would drop
// the delivery in flight to another replica, which Telegram then makes
// again. A new secret is registered.
func TestWebhookSetOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{webhookURL: "http://127.0.0.1:9/telegram"})
	for range 2 {
		if err := h.bot.SetWebhook(h.ctx()); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.tg.Requests("setWebhook"); n != 1 {
		t.Errorf("two starts registered the webhook %d times, want once", n)
	}
	rotated, err := telegram.New(telegram.Config{Token: h.tg.Token(), APIEndpoint: h.tg.URL() + "/bot%s/%s",
		WebhookURL: "http://127.0.0.1:9/telegram", WebhookSecret: "another-secret", Clock: h.clock}, h.sessions, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := rotated.SetWebhook(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if n := h.tg.Requests("setWebhook"); n != 2 {
		t.Errorf("setWebhook called %d times in all, want 2: the new secret registered", n)
	}
}
