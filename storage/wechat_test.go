package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestWeChatAccessToken(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()
	var fetches atomic.Int64
	fetch := func(ttl time.Duration) func(context.Context) (string, time.Time, error) {
		return func(context.Context) (string, time.Time, error) {
			n := fetches.Add(1)
			return fmt.Sprintf("AT-%d", n), time.Now().Add(ttl), nil
		}
	}

	t.Run("NoneYet", func(t *testing.T) {
		tok, _, err := ws.AccessToken(ctx, "wxA")
		if err != nil || tok != "" {
			t.Fatalf("token = %q, %v", tok, err)
		}
	})
	t.Run("FetchedOnceBySeveral", func(t *testing.T) {
		// Five callers find the same (empty) token missing at once: one fetch.
		var wg sync.WaitGroup
		got := make([]string, 5)
		for i := range got {
			wg.Go(func() {
				tok, _, err := ws.RefreshAccessToken(ctx, "wxA", "", 10*time.Minute, fetch(2*time.Hour))
				if err != nil {
					t.Error(err)
				}
				got[i] = tok
			})
		}
		wg.Wait()
		if fetches.Load() != 1 {
			t.Fatalf("%d fetches, want 1", fetches.Load())
		}
		for _, tok := range got {
			if tok != "AT-1" {
				t.Fatalf("tokens = %v", got)
			}
		}
		tok, exp, err := ws.AccessToken(ctx, "wxA")
		if err != nil || tok != "AT-1" || time.Until(exp) < time.Hour {
			t.Fatalf("stored = %q until %s, %v", tok, exp, err)
		}
	})
	t.Run("SealedAtRest", func(t *testing.T) {
		var raw []byte
		if err := db.Pool.QueryRow(ctx, `SELECT access_token FROM wechat_accounts WHERE app_id = 'wxA'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("AT-1")) {
			t.Fatal("the access token is stored in clear")
		}
	})
	t.Run("StaleReplacedOnce", func(t *testing.T) {
		for range 2 { // the second caller finds AT-2 already there
			tok, _, err := ws.RefreshAccessToken(ctx, "wxA", "AT-1", 10*time.Minute, fetch(2*time.Hour))
			if err != nil || tok != "AT-2" {
				t.Fatalf("token = %q, %v", tok, err)
			}
		}
		if fetches.Load() != 2 {
			t.Fatalf("%d fetches, want 2", fetches.Load())
		}
	})
	t.Run("RefreshedBeforeExpiry", func(t *testing.T) {
		if _, _, err := ws.RefreshAccessToken(ctx, "wxA", "AT-2", 10*time.Minute, fetch(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		// AT-3 lives 5 minutes, less than the 10 wanted: replaced although not stale.
		tok, _, err := ws.RefreshAccessToken(ctx, "wxA", "", 10*time.Minute, fetch(2*time.Hour))
		if err != nil || tok != "AT-4" {
			t.Fatalf("token = %q, %v", tok, err)
		}
	})
	t.Run("FetchFails", func(t *testing.T) {
		boom := errors.New("boom")
		_, _, err := ws.RefreshAccessToken(ctx, "wxA", "AT-4", 10*time.Minute, func(context.Context) (string, time.Time, error) {
			return "", time.Time{}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if tok, _, _ := ws.AccessToken(ctx, "wxA"); tok != "AT-4" {
			t.Fatalf("a failed fetch changed the token to %q", tok)
		}
	})
}

func TestWeChatMenu(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()
	published := 0
	publish := func(context.Context) error { published++; return nil }
	for _, tt := range []struct {
		digest string
		want   bool
	}{{"v1", true}, {"v1", false}, {"v2", true}} {
		got, err := ws.UpdateMenu(ctx, "wxA", tt.digest, publish)
		if err != nil || got != tt.want {
			t.Fatalf("UpdateMenu(%s) = %v, %v; want %v", tt.digest, got, err, tt.want)
		}
	}
	if _, err := ws.UpdateMenu(ctx, "wxA", "v3", func(context.Context) error { return errors.New("45009") }); err == nil {
		t.Fatal("a failed publish went unreported")
	}
	if got, _ := ws.UpdateMenu(ctx, "wxA", "v3", publish); !got || published != 3 {
		t.Fatalf("a failed publish was remembered as done (published %d)", published)
	}
}

func TestWeChatCallbacks(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()

	for i, want := range []bool{true, false} { // WeChat's retry of the same message
		isNew, err := ws.ReceiveCallback(ctx, "msg:1", "oA", []byte("<xml>1</xml>"))
		if err != nil || isNew != want {
			t.Fatalf("receive #%d = %v, %v", i, isNew, err)
		}
	}
	if _, err := ws.ReceiveCallback(ctx, "msg:2", "oA", []byte("<xml>2</xml>")); err != nil {
		t.Fatal(err)
	}

	keys, err := ws.UnhandledCallbacks(ctx, time.Now().Add(time.Second), 10)
	if err != nil || !cmp.Equal(keys, []string{"msg:1", "msg:2"}) {
		t.Fatalf("unhandled = %v, %v", keys, err)
	}

	// A failed attempt rolls back and leaves the callback to do again.
	boom := errors.New("boom")
	err = ws.InTx(ctx, func(ctx context.Context) error {
		payload, ok, err := ws.ClaimCallback(ctx, "msg:1")
		if err != nil || !ok || string(payload) != "<xml>1</xml>" {
			t.Fatalf("claim = %q, %v, %v", payload, ok, err)
		}
		if err := ws.MarkCallbackHandled(ctx, "msg:1"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, err := ws.CallbackFailed(ctx, "msg:1", "boom"); err != nil || n != 1 {
		t.Fatalf("attempts = %d, %v", n, err)
	}

	// While one worker holds it, another skips it.
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- ws.InTx(ctx, func(ctx context.Context) error {
			if _, ok, err := ws.ClaimCallback(ctx, "msg:1"); err != nil || !ok {
				return fmt.Errorf("claim: %v %v", ok, err)
			}
			close(held)
			<-release
			return ws.MarkCallbackHandled(ctx, "msg:1")
		})
	}()
	<-held
	err = ws.InTx(ctx, func(ctx context.Context) error {
		_, ok, err := ws.ClaimCallback(ctx, "msg:1")
		if ok {
			t.Error("two workers claimed one callback")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	err = ws.InTx(ctx, func(ctx context.Context) error {
		if _, ok, _ := ws.ClaimCallback(ctx, "msg:1"); ok {
			t.Error("a handled callback was claimed again")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var payload []byte
	if err := db.Pool.QueryRow(ctx, `SELECT payload FROM wechat_callbacks WHERE dedupe_key = 'msg:1'`).Scan(&payload); err != nil || len(payload) != 0 {
		t.Fatalf("the handled payload is kept: %q, %v", payload, err)
	}
	if keys, _ := ws.UnhandledCallbacks(ctx, time.Now().Add(time.Second), 10); !cmp.Equal(keys, []string{"msg:2"}) {
		t.Fatalf("unhandled = %v", keys)
	}
	if n, err := ws.PruneCallbacks(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
}

func TestWeChatWindow(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	left := func(at time.Time) int {
		t.Helper()
		n, err := ws.WindowLeft(ctx, "oA", at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	spend := func(n int) int {
		t.Helper()
		got, err := ws.SpendWindow(ctx, "oA", now, n)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	if left(now) != 0 || spend(1) != 0 {
		t.Fatal("a follower who never wrote has a window")
	}
	must(ws.OpenWindow(ctx, "oA", now, now.Add(48*time.Hour), 5, true)) // a message
	if left(now) != 5 || spend(3) != 3 || spend(5) != 2 || left(now) != 0 {
		t.Fatal("the message window does not allow exactly 5")
	}
	must(ws.RefundWindow(ctx, "oA", 1))
	if left(now) != 1 {
		t.Fatal("refund")
	}
	must(ws.OpenWindow(ctx, "oA", now, now.Add(time.Minute), 3, false)) // a menu tap with 1 left
	if left(now) != 3 || left(now.Add(2*time.Minute)) != 0 {
		t.Fatal("a menu tap with fewer left opens 3 for a minute")
	}
	must(ws.OpenWindow(ctx, "oA", now, now.Add(48*time.Hour), 5, true))
	must(ws.OpenWindow(ctx, "oA", now, now.Add(time.Minute), 3, false)) // 5 left: kept
	if left(now.Add(time.Hour)) != 5 {
		t.Fatal("a menu tap shrank a better window")
	}
	if left(now.Add(49*time.Hour)) != 0 {
		t.Fatal("the window outlives 48 hours")
	}
	must(ws.CloseWindow(ctx, "oA"))
	if left(now) != 0 {
		t.Fatal("close")
	}

	// Senders racing for the last sends get exactly what is there.
	must(ws.OpenWindow(ctx, "oA", now, now.Add(48*time.Hour), 5, true))
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := ws.SpendWindow(ctx, "oA", now, 1)
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(got))
		})
	}
	wg.Wait()
	if total.Load() != 5 {
		t.Fatalf("racing senders got %d sends, want 5", total.Load())
	}

	must(ws.SetMenu(ctx, "oA", []string{"f|zh|3", "f|en|3"}))
	menu, err := ws.Menu(ctx, "oA")
	if err != nil || !cmp.Equal(menu, []string{"f|zh|3", "f|en|3"}) {
		t.Fatalf("menu = %v, %v", menu, err)
	}
	if menu, err := ws.Menu(ctx, "oNobody"); err != nil || len(menu) != 0 {
		t.Fatalf("menu of a stranger = %v, %v", menu, err)
	}
}
