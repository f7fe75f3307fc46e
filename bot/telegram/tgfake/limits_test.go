package tgfake_test

import (
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

func TestRateLimits(t *testing.T) {
	for _, tt := range []struct {
		name       string
		chat       int64
		allowed    int           // sends that pass at one instant
		retryAfter int           // seconds in the 429 that follows
		wait       time.Duration // after this, one more passes
	}{
		{"PrivateChatBurst", alice, tgfake.PrivateChatBurst, 1, time.Second},
		{"Group20PerMinute", -1001000000003, tgfake.GroupLimit, 60, time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			srv := MustFake(t, tgfake.Options{Now: clock.Now})
			srv.AddGroup(-1001000000003, "Staff", true)
			bot := MustBot(t, srv)
			for i := range tt.allowed {
				if _, err := bot.Send(tgbotapi.NewMessage(tt.chat, "ok")); err != nil {
					t.Fatalf("send %d: %v", i+1, err)
				}
			}
			_, err := bot.Send(tgbotapi.NewMessage(tt.chat, "one too many"))
			e := apiError(t, err)
			if e.Code != 429 || e.RetryAfter != tt.retryAfter {
				t.Errorf("got %d %q retry_after=%d, want 429 retry_after=%d", e.Code, e.Message, e.RetryAfter, tt.retryAfter)
			}
			if srv.Count429() != 1 {
				t.Errorf("Count429 = %d", srv.Count429())
			}
			if r := srv.Refusals(); len(r) != 1 || r[0].Method != "sendMessage" || r[0].ChatID != strconv.FormatInt(tt.chat, 10) ||
				r[0].RetryAfter != tt.retryAfter {
				t.Errorf("Refusals = %+v", r)
			}
			clock.Advance(tt.wait)
			if _, err := bot.Send(tgbotapi.NewMessage(tt.chat, "after waiting")); err != nil {
				t.Errorf("after retry_after: %v", err)
			}
		})
	}
}

func TestGlobalRateLimit(t *testing.T) {
	clock := newClock()
	srv := MustFake(t, tgfake.Options{Now: clock.Now})
	bot := MustBot(t, srv)
	for i := range tgfake.GlobalLimit + 1 {
		id := int64(5000 + i)
		srv.AddUser(tgfake.User{ID: id})
		srv.SendText(id, "/start")
		_, err := bot.Send(tgbotapi.NewMessage(id, "broadcast"))
		switch {
		case i < tgfake.GlobalLimit && err != nil:
			t.Fatalf("send %d: %v", i+1, err)
		case i == tgfake.GlobalLimit:
			if e := apiError(t, err); e.Code != 429 || e.RetryAfter != 1 {
				t.Errorf("31st send in a second: %d retry_after=%d", e.Code, e.RetryAfter)
			}
		}
	}
}

func TestUploadRateLimitedWithoutCode(t *testing.T) {
	clock := newClock()
	srv := MustFake(t, tgfake.Options{Now: clock.Now})
	bot := MustBot(t, srv)
	for range tgfake.PrivateChatBurst {
		bot.Send(tgbotapi.NewMessage(alice, "x"))
	}
	_, err := bot.Send(tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "p.jpg", Bytes: jpegBytes(t, 8, 8)}))
	// The library drops error_code on uploads; retry_after is what survives.
	if e := apiError(t, err); e.Code != 0 || e.RetryAfter != 1 {
		t.Errorf("upload 429: code=%d retry_after=%d", e.Code, e.RetryAfter)
	}
}

func TestRateLimitsOff(t *testing.T) {
	srv := MustFake(t, tgfake.Options{DisableRateLimits: true})
	bot := MustBot(t, srv)
	for i := range 3 * tgfake.PrivateChatBurst {
		if _, err := bot.Send(tgbotapi.NewMessage(alice, "x")); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
}
