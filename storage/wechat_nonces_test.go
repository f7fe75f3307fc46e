package storage_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestWeChatNonces: a (timestamp, nonce) pair is fresh once per account;
// later uses get the digest recorded first; a rolled-back use leaves it
// fresh; expired pairs are pruned.
func TestWeChatNonces(t *testing.T) {
	db := pgtest.New(t)
	ws := storage.NewWeChatService(db)
	ctx := context.Background()
	exp := time.Now().Add(5 * time.Minute)
	first, other := []byte("first"), []byte("other")

	for _, tt := range []struct {
		name, app, ts, nonce string
		digest, wantStored   []byte
		wantFresh            bool
	}{
		{"New", "wxA", "100", "n1", first, first, true},
		{"SameAgain", "wxA", "100", "n1", first, first, false},
		{"OtherContent", "wxA", "100", "n1", other, first, false},
		{"OtherNonce", "wxA", "100", "n2", other, other, true},
		{"OtherTimestamp", "wxA", "0100", "n1", other, other, true},
		{"OtherAccount", "wxB", "100", "n1", other, other, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stored, fresh, err := ws.UseNonce(ctx, tt.app, tt.ts, tt.nonce, tt.digest, exp)
			if err != nil || fresh != tt.wantFresh || !bytes.Equal(stored, tt.wantStored) {
				t.Fatalf("UseNonce = %q, %v, %v; want %q, %v", stored, fresh, err, tt.wantStored, tt.wantFresh)
			}
		})
	}

	t.Run("RolledBack", func(t *testing.T) {
		// The callback could not be stored: WeChat's retry finds the pair unused.
		boom := errors.New("store failed")
		err := ws.InTx(ctx, func(ctx context.Context) error {
			if _, fresh, err := ws.UseNonce(ctx, "wxA", "200", "n1", first, exp); err != nil || !fresh {
				t.Fatalf("in tx: fresh %v, %v", fresh, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, fresh, err := ws.UseNonce(ctx, "wxA", "200", "n1", first, exp); err != nil || !fresh {
			t.Fatalf("after rollback: fresh %v, %v", fresh, err)
		}
	})

	t.Run("WaitsForTheFirst", func(t *testing.T) {
		// A second use while the first one's transaction is open waits for
		// it, then sees what it recorded.
		inTx, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			ended <- ws.InTx(ctx, func(ctx context.Context) error {
				_, _, err := ws.UseNonce(ctx, "wxA", "300", "n1", first, exp)
				close(inTx)
				<-done
				return err
			})
		}()
		<-inTx
		time.AfterFunc(100*time.Millisecond, func() { close(done) })
		stored, fresh, err := ws.UseNonce(ctx, "wxA", "300", "n1", other, exp)
		if err != nil || fresh || !bytes.Equal(stored, first) {
			t.Fatalf("second use = %q, %v, %v", stored, fresh, err)
		}
		if err := <-ended; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Prune", func(t *testing.T) {
		if _, _, err := ws.UseNonce(ctx, "wxA", "400", "old", first, time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		n, err := ws.PruneNonces(ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want 1", n, err)
		}
		if _, fresh, err := ws.UseNonce(ctx, "wxA", "400", "old", other, exp); err != nil || !fresh {
			t.Fatalf("after prune: fresh %v, %v", fresh, err)
		}
	})
}
