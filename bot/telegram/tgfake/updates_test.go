package tgfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

func updateIDs(ups []tgbotapi.Update) []int {
	ids := []int{}
	for _, u := range ups {
		ids = append(ids, u.UpdateID)
	}
	return ids
}

func TestGetUpdatesOffset(t *testing.T) {
	srv := MustFake(t, tgfake.Options{}) // update 1: alice's /start
	bot := MustBot(t, srv)
	for _, text := range []string{"two", "three", "four"} {
		srv.SendText(alice, text)
	}
	// Steps run in order against one queue: each offset confirms what lies below it.
	for _, tt := range []struct {
		name    string
		cfg     tgbotapi.UpdateConfig
		want    []int
		pending int
	}{
		{"NoOffsetConfirmsNothing", tgbotapi.UpdateConfig{}, []int{1, 2, 3, 4}, 4},
		{"Limit", tgbotapi.UpdateConfig{Limit: 2}, []int{1, 2}, 4},
		{"OffsetDropsBelow", tgbotapi.UpdateConfig{Offset: 3}, []int{3, 4}, 2},
		{"LowerOffsetCannotUndo", tgbotapi.UpdateConfig{Offset: 1}, []int{3, 4}, 2},
		{"NegativeKeepsLast", tgbotapi.UpdateConfig{Offset: -1}, []int{4}, 1},
		{"PastTheEnd", tgbotapi.UpdateConfig{Offset: 5}, []int{}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ups, err := bot.GetUpdates(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, updateIDs(ups)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if n := srv.PendingUpdates(); n != tt.pending {
				t.Errorf("pending = %d, want %d", n, tt.pending)
			}
		})
	}
	srv.SendText(alice, "five")
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 5})
	if len(ups) != 1 || ups[0].UpdateID != 5 || ups[0].Message.Text != "five" {
		t.Errorf("next update = %+v", ups)
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	got := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2, Timeout: 10})
		got <- ups
	}()
	start := time.Now()
	time.Sleep(50 * time.Millisecond) // let the poll start waiting
	srv.SendText(alice, "/returns")
	ups := <-got
	if len(ups) != 1 || !ups[0].Message.IsCommand() || ups[0].Message.Command() != "returns" {
		t.Fatalf("updates = %+v", ups)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("long poll did not wake on the new update")
	}
}

func TestGetUpdatesChan(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	u := tgbotapi.NewUpdate(0)
	u.Timeout = 5
	ch := bot.GetUpdatesChan(u)
	srv.SendCommand(alice, "start", "ref_abc")
	for want := range 2 {
		select {
		case up := <-ch:
			if want == 1 && up.Message.CommandArguments() != "ref_abc" {
				t.Errorf("args = %q", up.Message.CommandArguments())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
		}
	}
	bot.StopReceivingUpdates()
}

func TestSecondPollerConflict(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2, Timeout: 10})
			errs <- err
		}()
	}
	// Whichever poll came first is ended by the other; an update then
	// releases the survivor.
	first := <-errs
	if e := apiError(t, first); e.Code != 409 || !strings.HasPrefix(e.Message, "Conflict: terminated by other getUpdates request") {
		t.Errorf("first poll: %d %q", e.Code, e.Message)
	}
	srv.SendText(alice, "wake up")
	if err := <-errs; err != nil {
		t.Errorf("surviving poll: %v", err)
	}
}

type hookRecorder struct {
	mu      sync.Mutex
	fails   int
	secrets []string
	ids     []int
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secrets = append(h.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	if h.fails > 0 {
		h.fails--
		http.Error(w, "not yet", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var u struct {
		UpdateID int `json:"update_id"`
	}
	json.Unmarshal(body, &u)
	h.ids = append(h.ids, u.UpdateID)
}

func (h *hookRecorder) snapshot() ([]string, []int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string{}, h.secrets...), append([]int{}, h.ids...)
}

func TestWebhookDelivery(t *testing.T) {
	srv := MustFake(t, tgfake.Options{WebhookRetryDelay: 5 * time.Millisecond})
	bot := MustBot(t, srv)
	hook := &hookRecorder{fails: 2}
	app := httptest.NewServer(hook)
	defer app.Close()

	// v5.5.1's WebhookConfig cannot carry secret_token, hence MakeRequest.
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": app.URL + "/telegram", "secret_token": "s3cr3t_-"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SendText(alice, "hello")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitUpdatesConfirmed(ctx); err != nil {
		t.Fatalf("webhook did not take the updates: %v", err)
	}
	secrets, ids := hook.snapshot()
	if diff := cmp.Diff([]int{1, 2}, ids); diff != "" {
		t.Errorf("delivered ids (-want +got):\n%s", diff)
	}
	if len(secrets) != 4 || secrets[0] != "s3cr3t_-" || secrets[3] != "s3cr3t_-" {
		t.Errorf("secrets = %q, want 4 attempts (2 failed) all with the secret", secrets)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != app.URL+"/telegram" || info.PendingUpdateCount != 0 || !strings.Contains(info.LastErrorMessage, "500") {
		t.Errorf("info = %+v, %v", info, err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiError(t, err); e.Code != 409 {
		t.Errorf("getUpdates with webhook: %d %q", e.Code, e.Message)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("getUpdates after deleteWebhook: %v", err)
	}
}

func TestWebhookRejectsBadSecret(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://example.com/x", "secret_token": "has space"})
	if e := apiError(t, err); e.Code != 400 {
		t.Errorf("err = %d %q", e.Code, e.Message)
	}
}
