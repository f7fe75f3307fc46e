package tgfake_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

const (
	alice int64 = 1001
	bob   int64 = 1002
	staff int64 = 1003
)

// manualClock lets a test cross a rate-limit window without sleeping.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *manualClock { return &manualClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustFake starts a fake with alice and bob known, alice having started the bot.
func MustFake(tb testing.TB, opts tgfake.Options) *tgfake.Server {
	tb.Helper()
	srv := tgfake.New(opts)
	tb.Cleanup(srv.Close)
	srv.AddUser(tgfake.User{ID: alice, FirstName: "Alice", Username: "alice", LanguageCode: "en"})
	srv.AddUser(tgfake.User{ID: bob, FirstName: "Bob", LanguageCode: "ru"})
	srv.AddUser(tgfake.User{ID: staff, FirstName: "Sam", Username: "sam_staff"})
	srv.SendCommand(alice, "start", "")
	return srv
}

// MustBot connects the real client library to the fake.
func MustBot(tb testing.TB, srv *tgfake.Server) *tgbotapi.BotAPI {
	tb.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.URL()+"/bot%s/%s", &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		tb.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

// apiError unwraps the library's *tgbotapi.Error (a pointer, see chat-platforms.md §B4).
func apiError(tb testing.TB, err error) *tgbotapi.Error {
	tb.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		tb.Fatalf("want *tgbotapi.Error, got %T: %v", err, err)
	}
	return e
}

func jpegBytes(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestGetMe(t *testing.T) {
	srv := MustFake(t, tgfake.Options{BotUsername: "indigo_wh_bot"})
	bot := MustBot(t, srv)
	if bot.Self.ID != 123456789 || !bot.Self.IsBot || bot.Self.UserName != "indigo_wh_bot" {
		t.Errorf("Self = %+v", bot.Self)
	}
	if n := srv.Requests("getMe"); n != 1 {
		t.Errorf("getMe requests = %d, want 1 (the constructor's)", n)
	}
}

func TestWireErrors(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	for _, tt := range []struct {
		name, path, want string
		status           int
	}{
		{"UnknownMethod", "/bot" + srv.Token() + "/noSuchMethod", `{"ok":false,"error_code":404,"description":"Not Found"}`, 404},
		{"WrongToken", "/bot1:wrong/getMe", `{"ok":false,"error_code":401,"description":"Unauthorized"}`, 401},
		{"CaseInsensitiveMethod", "/bot" + srv.Token() + "/GETME", `"username":"indigo_test_bot"`, 200},
		{"UnknownFile", "/file/bot" + srv.Token() + "/photos/none.jpg", `{"ok":false,"error_code":404,"description":"Not Found"}`, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL()+tt.path, "application/x-www-form-urlencoded", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
}

func TestFailNext(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.FailNext("sendMessage", 500, "Internal Server Error")
	_, err := bot.Send(tgbotapi.NewMessage(alice, "hi"))
	if e := apiError(t, err); e.Code != 500 {
		t.Errorf("code = %d, want 500", e.Code)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "hi")); err != nil {
		t.Errorf("second send: %v", err)
	}
}
