package storage_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func staffCtx() context.Context {
	return domain.NewContextWithActor(context.Background(), domain.StaffActor(777, "Olga"))
}

// claimAll claims every pending relay, as the relay loop does.
func claimAll(t *testing.T, ss *storage.SupportService, now time.Time) []*domain.SupportRelay {
	t.Helper()
	got, err := ss.ClaimRelays(staffCtx(), now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSupportRelays(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSupportService(db)
	seller := pgtest.Seller(t, db, nil)
	other := pgtest.Seller(t, db, nil)
	now := time.Now()

	msg := &domain.SupportRelay{SellerID: seller.ID, Kind: domain.RelayMessage, Channel: domain.ChannelTelegram,
		ChatID: "42", MessageID: "7", Text: "where is my parcel?",
		Files: []*domain.RelayFile{{Kind: domain.AttachmentPhoto, Name: "a.jpg", ContentType: "image/jpeg", Data: []byte("jpeg")}}}
	if err := ss.QueueRelay(pgtest.As(seller), msg); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOtherSeller", func(t *testing.T) {
		err := ss.QueueRelay(pgtest.As(other), &domain.SupportRelay{SellerID: seller.ID, Kind: domain.RelayMessage})
		if domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})
	t.Run("ErrSellerClaims", func(t *testing.T) {
		if _, err := ss.ClaimRelays(pgtest.As(seller), now, time.Minute, 10); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})

	got := claimAll(t, ss, now)
	if len(got) != 1 || got[0].Text != msg.Text || got[0].MessageID != "7" || len(got[0].Files) != 1 ||
		got[0].Files[0].Data != nil || got[0].Files[0].Size != 4 || got[0].Files[0].Name != "a.jpg" {
		t.Fatalf("claimed %+v", got)
	}
	// A claim describes the files; each is loaded alone, by staff only.
	if data, err := ss.FindRelayFileData(staffCtx(), got[0].Files[0].ID); err != nil || string(data) != "jpeg" {
		t.Fatalf("FindRelayFileData = %q, %v", data, err)
	}
	if _, err := ss.FindRelayFileData(pgtest.As(seller), got[0].Files[0].ID); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("a seller loading a relay file: err = %v, want forbidden", err)
	}
	if again := claimAll(t, ss, now.Add(30*time.Second)); len(again) != 0 {
		t.Fatalf("claimed again within the lease: %+v", again)
	}
	expired := claimAll(t, ss, now.Add(2*time.Minute))
	if len(expired) != 1 || expired[0].Claim == got[0].Claim {
		t.Fatalf("a lapsed lease is not claimed again under a new token: %+v", expired)
	}
	// The first claim lost the relay: it may neither renew nor mark it.
	if held, err := ss.RenewRelayClaim(staffCtx(), got[0].Claim, now.Add(time.Hour)); err != nil || len(held) != 0 {
		t.Fatalf("stale claim renewed %v, %v", held, err)
	}
	if n, err := ss.MarkRelayed(staffCtx(), []int64{msg.ID}, got[0].Claim); err != nil || n != 0 {
		t.Fatalf("stale claim marked %d, %v", n, err)
	}
	// The live claim renews past the original lease, so nobody takes it meanwhile.
	if held, err := ss.RenewRelayClaim(staffCtx(), expired[0].Claim, now.Add(time.Hour)); err != nil || len(held) != 1 {
		t.Fatalf("live claim renewed %v, %v", held, err)
	}
	if again := claimAll(t, ss, now.Add(30*time.Minute)); len(again) != 0 {
		t.Fatalf("renewed claim taken: %+v", again)
	}
	if n, err := ss.MarkRelayed(staffCtx(), []int64{msg.ID}, expired[0].Claim); err != nil || n != 1 {
		t.Fatalf("live claim marked %d, %v", n, err)
	}
	if left := claimAll(t, ss, now.Add(time.Hour)); len(left) != 0 {
		t.Fatalf("relayed relay claimed: %+v", left)
	}
	var files int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM support_relay_files`).Scan(&files); err != nil || files != 0 {
		t.Fatalf("files kept after relaying: %d, %v", files, err)
	}
}

// TestSupportRelaysBySeller: a claim takes whole sellers, the longest
// waiting first, and leaves a seller another live claim is posting for:
// what they write meanwhile waits for that post, so the thread keeps its
// order and a new seller gets one topic, whichever replica flushes.
func TestSupportRelaysBySeller(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSupportService(db)
	a, b := pgtest.Seller(t, db, nil), pgtest.Seller(t, db, nil)
	queue := func(s *domain.Seller, text string) {
		t.Helper()
		if err := ss.QueueRelay(pgtest.As(s), &domain.SupportRelay{SellerID: s.ID, Kind: domain.RelayMessage, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	texts := func(rs []*domain.SupportRelay) (out []string) {
		for _, r := range rs {
			out = append(out, r.Text)
		}
		return out
	}
	queue(a, "a1")
	queue(b, "b1")
	queue(a, "a2")
	now := time.Now()
	first, err := ss.ClaimRelays(staffCtx(), now, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a1", "a2"}, texts(first)); diff != "" {
		t.Fatalf("first claim, one seller (-want +got):\n%s", diff)
	}
	queue(a, "a3")
	if diff := cmp.Diff([]string{"b1"}, texts(claimAll(t, ss, now))); diff != "" {
		t.Fatalf("second claim, while a's post goes (-want +got):\n%s", diff)
	}
	if n, err := ss.MarkRelayed(staffCtx(), []int64{first[0].ID, first[1].ID}, first[0].Claim); err != nil || n != 2 {
		t.Fatalf("marked %d, %v", n, err)
	}
	if diff := cmp.Diff([]string{"a3"}, texts(claimAll(t, ss, now))); diff != "" {
		t.Fatalf("after a's post (-want +got):\n%s", diff)
	}
}

// TestSupportTriggers: a confirmed pickup code and a seller's decision are
// queued for staff in the transaction of the change, whoever makes it.
func TestSupportTriggers(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSupportService(db)
	rs := storage.NewReturnService(db)
	seller := pgtest.Seller(t, db, nil)
	r := pgtest.Return(t, db, pgtest.Store(t, db, seller.ID, nil).ID, func(r *domain.Return) {
		r.Status = domain.StatusAwaitingSellerDecision
	})
	code := "48210937"
	if _, err := rs.UpdateReturn(pgtest.As(seller), r.ID, domain.ReturnUpdate{PickupCode: &code}); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.UpdateReturn(pgtest.As(seller), r.ID, domain.ReturnUpdate{PickupCode: &code}); err != nil {
		t.Fatal(err) // the same code again is no news
	}
	if _, err := rs.ApplyEvent(pgtest.As(seller), r.ID, domain.ReturnChange{Event: domain.EventDecideDispose, Decision: domain.DecisionDispose}); err != nil {
		t.Fatal(err)
	}
	got := claimAll(t, ss, time.Now())
	type row struct {
		Kind   domain.RelayKind
		Text   string
		Return int64
		Seller int64
	}
	var rows []row
	for _, g := range got {
		rows = append(rows, row{g.Kind, g.Text, *g.ReturnID, g.SellerID})
	}
	want := []row{
		{domain.RelayPickupCode, code, r.ID, seller.ID},
		{domain.RelayTask, string(domain.EventDecideDispose), r.ID, seller.ID},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("queued (-want +got):\n%s", diff)
	}
}

func TestSupportThreadsAndPosts(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSupportService(db)
	seller := pgtest.Seller(t, db, nil)
	ctx := staffCtx()
	const oldChat, newChat = int64(-4001), int64(-1004001)

	th := &domain.SupportThread{ChatID: oldChat, SellerID: seller.ID, ThreadID: 5, Name: "Seller · Telegram"}
	if err := ss.SaveSupportThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	th.ThreadID = 9 // recreated after "message thread not found"
	if err := ss.SaveSupportThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	if got, err := ss.FindSupportThreadByTopic(ctx, oldChat, 9); err != nil || got.SellerID != seller.ID {
		t.Fatalf("by topic: %+v, %v", got, err)
	}
	if _, err := ss.FindSupportThreadByTopic(ctx, oldChat, 5); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("old topic: %v, want not found", err)
	}
	if _, err := ss.FindSupportThread(pgtest.As(seller), oldChat, seller.ID); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("seller reads threads: %v", err)
	}

	post := &domain.StaffPost{ChatID: oldChat, MessageID: 11, Kind: domain.StaffPostRelay, SellerID: seller.ID, SellerMessageID: "3"}
	if err := ss.SaveStaffPost(ctx, post); err != nil {
		t.Fatal(err)
	}
	got, err := ss.FindStaffPost(ctx, oldChat, 11)
	if err != nil || got.SellerMessageID != "3" || got.Kind != domain.StaffPostRelay {
		t.Fatalf("post = %+v, %v", got, err)
	}

	for range 2 { // the service message and a refused send both report the move
		if err := ss.MoveStaffChat(ctx, oldChat, newChat); err != nil {
			t.Fatal(err)
		}
	}
	if cur, err := ss.CurrentStaffChat(ctx, oldChat); err != nil || cur != newChat {
		t.Fatalf("current = %d, %v", cur, err)
	}
	if got, err := ss.FindSupportThread(ctx, newChat, seller.ID); err != nil || got.ThreadID != 9 {
		t.Fatalf("thread after move: %+v, %v", got, err)
	}
	if _, err := ss.FindStaffPost(ctx, oldChat, 11); err != nil {
		t.Fatalf("posts stay with the chat their ids belong to: %v", err)
	}
}

func TestSearchSellers(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSupportService(db)
	li := pgtest.Seller(t, db, func(s *domain.Seller) { s.Name, s.Company = "Li Wei", "Shenzhen Trading" })
	pgtest.Seller(t, db, func(s *domain.Seller) { s.Name = "Anna" })
	for _, q := range []string{"shenzhen", "li w", "#" + strconv.FormatInt(li.ID, 10), li.Identities[0].ExternalID} {
		got, err := ss.SearchSellers(staffCtx(), q, 5)
		if err != nil || len(got) != 1 || got[0].ID != li.ID {
			t.Errorf("search %q = %v, %v", q, got, err)
		}
	}
}
