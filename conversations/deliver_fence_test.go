package conversations_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// stallingSender stands for a replica that stalls in Send (a long wait
// for the platform's pace, a process paused): its first send blocks until
// released or cancelled, then records like recordingSender.
type stallingSender struct {
	recordingSender
	entered chan struct{} // closed when the stalled send began
	release chan struct{}
	once    sync.Once
}

func (s *stallingSender) Send(ctx context.Context, chatID string, rs []conversations.Reply) error {
	stall := false
	s.once.Do(func() { stall = true; close(s.entered) })
	if stall {
		select {
		case <-s.release:
		case <-ctx.Done():
			return context.Cause(ctx) // cancelled before the platform got it
		}
	}
	return s.recordingSender.Send(ctx, chatID, rs)
}

// decisionWithPhotos queues an "awaiting decision" push of two replies:
// the album of inspection photos, then the card that decides.
func decisionWithPhotos(t *testing.T, h *harness) *domain.Seller {
	t.Helper()
	seller := pgtest.Seller(t, h.db, nil)
	r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, seller.ID, nil).ID, func(r *domain.Return) {
		r.Status, r.ProductName = domain.StatusAwaitingSellerDecision, "Down jacket"
	})
	for i := range 2 {
		if err := storage.NewAttachmentService(h.db).CreateAttachment(pgtest.System(), &domain.Attachment{
			SellerID: seller.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto, FileName: "p.png",
			ContentType: "image/png", Data: qrPNG(t, strings.Repeat("x", i+1)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.NewNotificationService(h.db).CreateNotification(pgtest.System(), &domain.Notification{
		SellerID: seller.ID, Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID}); err != nil {
		t.Fatal(err)
	}
	return seller
}

// TestDeliverStalledReplica: replica A stalls in its first send past the
// lease; replica B, whose clock is past A's lease, claims the push and
// delivers it. A's claim is lost: its stalled send is cancelled when its
// heartbeat finds out, and otherwise its mark is refused and the rest of
// the push does not go from A.
func TestDeliverStalledReplica(t *testing.T) {
	for _, tt := range []struct {
		name      string
		heartbeat time.Duration // A's
		release   bool          // A's send returns on its own; otherwise only a cancel ends it
		// what the chat gets: photos albums, cards
		wantAlbums, wantCards int
	}{
		// A's heartbeat sees B's claim and cancels the send still waiting.
		{name: "HeartbeatCancels", heartbeat: 5 * time.Millisecond, wantAlbums: 1, wantCards: 1},
		// A never looks while it stalls: the album in flight goes twice (the
		// one double a fence cannot prevent), the card once.
		{name: "MarkRefused", heartbeat: time.Hour, release: true, wantAlbums: 2, wantCards: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			seller := decisionWithPhotos(t, h)
			chatID := seller.Identities[0].ExternalID
			now := nextUTCHour(12)
			record := &recordingSender{}
			stalled := &stallingSender{entered: make(chan struct{}), release: make(chan struct{})}
			a := newDeliverer(h, stalled, nil, now)
			a.Lease, a.Heartbeat = time.Minute, tt.heartbeat
			b := newDeliverer(h, record, nil, now.Add(2*time.Minute))
			b.Lease = time.Minute

			aDone := make(chan int)
			go func() {
				n, err := a.Deliver(t.Context())
				if err != nil {
					t.Error(err)
				}
				aDone <- n
			}()
			<-stalled.entered
			// A's heartbeat renews its claim every few milliseconds, holding
			// the row locked for a moment each time, and a claim skips a
			// locked row: B's next pass takes it, as a replica's would.
			n, err := 0, error(nil)
			for pass := 0; pass < 200 && err == nil && n == 0; pass++ {
				n, err = b.Deliver(t.Context())
			}
			if err != nil || n != 1 {
				t.Fatalf("B delivered %d, %v; want 1", n, err)
			}
			if tt.release {
				close(stalled.release)
			}
			if n := <-aDone; n != 0 {
				t.Fatalf("A delivered %d under a lost claim", n)
			}

			all := append(append([]conversations.Reply{}, record.sent[chatID]...), stalled.sent[chatID]...)
			albums, cards := 0, 0
			for _, r := range all {
				if len(r.Photos) > 0 {
					albums++
				} else {
					cards++
				}
			}
			if albums != tt.wantAlbums || cards != tt.wantCards {
				t.Fatalf("chat got %d albums and %d cards, want %d and %d:\n%s", albums, cards, tt.wantAlbums, tt.wantCards, dump(all))
			}
			if n := unsent(t, h, seller.ID); n != 0 {
				t.Fatalf("%d unsent", n)
			}
		})
	}
}

// TestDeliverResumesPush: a push whose second reply fails is retried from
// there; the album that went is not sent again.
func TestDeliverResumesPush(t *testing.T) {
	h := newHarness(t)
	seller := decisionWithPhotos(t, h)
	chatID := seller.Identities[0].ExternalID
	clk := &clock{now: nextUTCHour(12)}
	sender := &failingAfter{ok: 1}
	d := newDeliverer(h, sender, nil, clk.now)
	d.Now = clk.Now
	if n, err := d.Deliver(t.Context()); err != nil || n != 0 {
		t.Fatalf("first pass delivered %d, %v", n, err)
	}
	sender.ok = -1 // the platform is back
	clk.pass(time.Hour)
	if n, err := d.Deliver(t.Context()); err != nil || n != 1 {
		t.Fatalf("retry delivered %d, %v", n, err)
	}
	got := sender.sent[chatID]
	if len(got) != 2 || len(got[0].Photos) == 0 || len(got[1].Photos) != 0 {
		t.Fatalf("chat got, in order:\n%s\nwant the album once, then the card", dump(got))
	}
}

// failingAfter accepts ok replies, then fails every send (ok < 0: none fail).
type failingAfter struct {
	recordingSender
	ok int
}

func (s *failingAfter) Send(ctx context.Context, chatID string, rs []conversations.Reply) error {
	if s.ok == 0 {
		return errTelegram502
	}
	s.ok -= len(rs)
	return s.recordingSender.Send(ctx, chatID, rs)
}

var errTelegram502 = &domain.Error{Code: domain.CodeUnavailable, MsgID: "error.unavailable"}

// TestStaffRelayClaimFitsLease: a claim of relays holds no more sellers
// than their posts take within its lease at the staff group's pace (20 a
// minute), each seller's waiting relays merged into one post, so a flush
// never outlasts what it claimed.
func TestStaffRelayClaimFitsLease(t *testing.T) {
	const lease, pace, sellers, each = 30 * time.Second, 3 * time.Second, 12, 20
	f := newStaffFixture(t, true)
	f.desk.Lease = lease
	ss := storage.NewSupportService(f.h.db)
	for range sellers {
		seller := pgtest.Seller(t, f.h.db, nil)
		for i := range each {
			if err := ss.QueueRelay(pgtest.As(seller), &domain.SupportRelay{SellerID: seller.ID, Kind: domain.RelayMessage,
				Channel: domain.ChannelTelegram, ChatID: "1", MessageID: strings.Repeat("1", i%5+1), Text: "where is it?"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for posted := 0; posted < sellers*each; {
		before := len(f.chat.posts)
		n := f.flush(t)
		posts := len(f.chat.posts) - before
		if n == 0 || n%each != 0 || time.Duration(posts)*pace > lease {
			t.Fatalf("one claim took %d relays in %d posts; %v at 20 a minute outlasts the %v lease",
				n, posts, time.Duration(posts)*pace, lease)
		}
		posted += n
	}
}
