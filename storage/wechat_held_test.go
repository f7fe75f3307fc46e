package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func holdN(t *testing.T, ws *storage.WeChatService, openID string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		held, err := ws.HoldPush(context.Background(), openID, []byte(fmt.Sprint("push ", i)))
		if err != nil || held != i {
			t.Fatalf("held = %d, %v", held, err)
		}
	}
}

func texts(payloads [][]byte) []string {
	var out []string
	for _, p := range payloads {
		out = append(out, string(p))
	}
	return out
}

// TestWeChatHeldPushes: a claim takes the follower's pushes newest first
// and deletes nothing; what the claimant settles is gone, what it leaves
// is offered again: at once after a release, after the lease otherwise.
func TestWeChatHeldPushes(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lease := 2 * time.Minute
	for _, tt := range []struct {
		name string
		// settle is what the first claimant reports (by index into what
		// it claimed), then whether it releases its claim.
		done    []int
		left    map[int]string
		release bool
		// at is when the second claim is made.
		at   time.Time
		want []string
	}{
		{name: "AllSent", done: []int{0, 1, 2}, release: true, at: t0, want: nil},
		{name: "NothingSentReleased", release: true, at: t0, want: []string{"push 3", "push 2", "push 1"}},
		{name: "NothingSentStillHeld", at: t0.Add(lease - time.Second), want: nil},
		{name: "NothingSentLeaseLapsed", at: t0.Add(lease), want: []string{"push 3", "push 2", "push 1"}},
		{name: "SentInPart", done: []int{0}, left: map[int]string{1: "rest of 2"}, release: true, at: t0,
			want: []string{"rest of 2", "push 1"}},
		{name: "SentInPartThenDied", done: []int{0}, left: map[int]string{1: "rest of 2"}, at: t0.Add(lease),
			want: []string{"rest of 2", "push 1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := storage.NewWeChatService(pgtest.New(t))
			ctx := context.Background()
			holdN(t, ws, "oA", 3)
			if _, err := ws.HoldPush(ctx, "oB", []byte("other")); err != nil {
				t.Fatal(err)
			}
			token, ids, got, err := ws.ClaimPushes(ctx, "oA", t0, t0.Add(lease))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"push 3", "push 2", "push 1"}, texts(got)); diff != "" {
				t.Fatalf("claimed, newest first (-want +got):\n%s", diff)
			}
			var done []int64
			for _, i := range tt.done {
				done = append(done, ids[i])
			}
			left := map[int64][]byte{}
			for i, p := range tt.left {
				left[ids[i]] = []byte(p)
			}
			if ok, err := ws.SettlePushes(ctx, token, done, left); err != nil || !ok {
				t.Fatalf("settle = %v, %v", ok, err)
			}
			if tt.release {
				if err := ws.ReleasePushes(ctx, token); err != nil {
					t.Fatal(err)
				}
			}
			_, _, again, err := ws.ClaimPushes(ctx, "oA", tt.at, tt.at.Add(lease))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, texts(again)); diff != "" {
				t.Errorf("offered again (-want +got):\n%s", diff)
			}
			if n, _ := ws.HeldPushes(ctx, "oB"); n != 1 {
				t.Error("another follower's push was touched")
			}
		})
	}
}

// TestWeChatHeldPushesStaleClaimant: a claimant whose lease lapsed while
// another claimed the pushes can settle none of them, not even in part,
// and cannot release the new claim.
func TestWeChatHeldPushesStaleClaimant(t *testing.T) {
	t.Parallel()
	ws := storage.NewWeChatService(pgtest.New(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	holdN(t, ws, "oA", 2)
	stale, ids, _, err := ws.ClaimPushes(ctx, "oA", t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	fresh, freshIDs, _, err := ws.ClaimPushes(ctx, "oA", t0.Add(time.Minute), t0.Add(2*time.Minute))
	if err != nil || len(freshIDs) != 2 {
		t.Fatalf("claimed after the lease: %v, %v", freshIDs, err)
	}
	if ok, err := ws.SettlePushes(ctx, stale, ids[:1], map[int64][]byte{ids[1]: []byte("x")}); err != nil || ok {
		t.Fatalf("stale settle = %v, %v", ok, err)
	}
	if err := ws.ReleasePushes(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if _, _, got, _ := ws.ClaimPushes(ctx, "oA", t0.Add(time.Minute), t0.Add(2*time.Minute)); len(got) != 0 {
		t.Fatalf("a stale release freed the new claim: %q", got)
	}
	if ok, err := ws.SettlePushes(ctx, fresh, freshIDs, nil); err != nil || !ok {
		t.Fatalf("fresh settle = %v, %v", ok, err)
	}
	if n, _ := ws.HeldPushes(ctx, "oA"); n != 0 {
		t.Fatalf("held after settling = %d", n)
	}
}

// TestWeChatKeptReplies: a reply kept with its turn is no held push (a
// push need not wait behind it) but is claimed with them; the sweep finds
// it once it is old enough and nobody's claim covers it, and a renewed
// claim keeps covering it past the first lease.
func TestWeChatKeptReplies(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()
	holdN(t, ws, "oA", 1)
	if err := ws.HoldReply(ctx, "oA", []byte("reply")); err != nil {
		t.Fatal(err)
	}
	if n, err := ws.HeldPushes(ctx, "oA"); err != nil || n != 1 {
		t.Fatalf("held pushes = %d, %v; want the one push", n, err)
	}
	now := db.Now().Add(time.Second)
	unsent := func(at time.Time) []string {
		t.Helper()
		got, err := ws.FollowersWithReplies(ctx, now, at, 10)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if diff := cmp.Diff([]string{"oA"}, unsent(now)); diff != "" {
		t.Fatalf("unclaimed (-want +got):\n%s", diff)
	}
	if got, err := ws.FollowersWithReplies(ctx, now.Add(-time.Hour), now, 10); err != nil || len(got) != 0 {
		t.Fatalf("a reply kept just now is listed as old: %v, %v", got, err)
	}
	token, ids, payloads, err := ws.ClaimPushes(ctx, "oA", now, now.Add(time.Minute))
	if err != nil || len(ids) != 2 {
		t.Fatalf("claimed %q, %v", texts(payloads), err)
	}
	if got := unsent(now.Add(30 * time.Second)); len(got) != 0 {
		t.Fatalf("a claimed reply is listed: %v", got)
	}
	if n, err := ws.RenewPushes(ctx, token, now.Add(3*time.Minute)); err != nil || n != 2 {
		t.Fatalf("renewed %d, %v", n, err)
	}
	if got := unsent(now.Add(2 * time.Minute)); len(got) != 0 {
		t.Fatalf("a renewed claim's reply is listed: %v", got)
	}
	if diff := cmp.Diff([]string{"oA"}, unsent(now.Add(3*time.Minute))); diff != "" {
		t.Fatalf("after the renewed lease (-want +got):\n%s", diff)
	}
}
