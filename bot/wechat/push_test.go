package wechat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// tokenExpiring queues a push naming a store.
func (h *harness) tokenExpiring(seller *domain.Seller, store string) {
	h.notify(&domain.Notification{SellerID: seller.ID, Kind: domain.NotifyTokenExpiring,
		Data: map[string]any{"Store": store, "Days": 3}})
}

// kept counts every row kept for the follower: held pushes and replies
// on their way.
func (h *harness) kept(openID string) int {
	h.t.Helper()
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM wechat_held_pushes WHERE openid = $1`,
		openID).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) held(openID string) int {
	h.t.Helper()
	n, err := h.store.HeldPushes(context.Background(), openID)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) unsent() int {
	h.t.Helper()
	ns, err := storage.NewNotificationService(h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{Unsent: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(ns)
}

// TestPushWithinWindow: the seller wrote today, so a push goes at once,
// ending with the invitation to reply.
func TestPushWithinWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oNear", domain.LangChinese)
	u := h.user("oNear", "zh")
	u.Send("你好")
	u.Expect(head(u.L.T("flow.support.off")))

	h.tokenExpiring(seller, "主店")
	h.deliver()
	m := u.Expect(u.L.T("notify.token_expiring", map[string]any{"Store": "主店", "Days": 3}))
	if !strings.HasSuffix(m.Text, u.L.T("msg.wechat.invite")) {
		t.Errorf("the push does not end with the invitation:\n%s", m.Text)
	}
	if h.unsent() != 0 || h.held("oNear") != 0 {
		t.Error("the push is still waiting")
	}
}

// TestPushOutsideWindow: a seller who has not written for 48 hours cannot
// be sent anything. The pushes wait, are marked delivered in the outbox,
// and reach the seller, newest first, with the answer to their next
// message.
func TestPushOutsideWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oAway", domain.LangChinese)
	u := h.user("oAway", "zh")
	l := u.L

	h.tokenExpiring(seller, "甲店")
	h.deliver()
	h.tokenExpiring(seller, "乙店")
	h.deliver()
	u.quiet()
	if h.held("oAway") != 2 || h.unsent() != 0 {
		t.Fatalf("held %d, unsent %d", h.held("oAway"), h.unsent())
	}

	u.Send("你好")
	u.Expect(head(l.T("flow.support.off")))
	m := u.Expect(l.T("msg.wechat.held_header"))
	older, newer := strings.Index(m.Text, "甲店"), strings.Index(m.Text, "乙店")
	if older < 0 || newer < 0 || newer > older {
		t.Errorf("want both pushes, newest first:\n%s", m.Text)
	}
	// A held push is deleted once the message carrying it went, a moment
	// after WeChat has it.
	waitFor(t, func() bool { return h.held("oAway") == 0 })
	u.quiet()
}

// TestQuotaSpent: one message from the seller allows five; the answer
// takes one, pushes the next four, and the sixth waits. A push too big for
// what is left (photos and a card) waits too, announced once.
func TestQuotaSpent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oBusy", domain.LangEnglish)
	u := h.user("oBusy", "en")
	l := u.L
	u.Send("hello")
	u.Expect(head(l.T("flow.support.off")))
	for _, store := range []string{"S1", "S2", "S3"} {
		h.tokenExpiring(seller, store)
		h.deliver()
		u.Expect(store)
	}
	// One message left: a decision with two photos needs three.
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	for _, shade := range []uint8{1, 2} {
		data := photo(t, shade)
		if err := storage.NewAttachmentService(h.db).CreateAttachment(pgtest.System(), &domain.Attachment{
			SellerID: seller.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto, FileName: "p.png",
			ContentType: "image/png", Size: int64(len(data)), Data: data,
		}); err != nil {
			t.Fatal(err)
		}
	}
	h.notify(&domain.Notification{SellerID: seller.ID, Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID, StoreID: &store.ID})
	h.deliver()
	u.Expect(l.T("msg.wechat.held_notice"))
	h.tokenExpiring(seller, "S4")
	h.deliver()
	u.quiet()
	if left := h.acct.WindowLeft("oBusy"); left != 0 {
		t.Errorf("WeChat's window has %d left", left)
	}
	if h.held("oBusy") != 2 {
		t.Fatalf("held %d", h.held("oBusy"))
	}

	// "0" brings what waited: the newest first, photos included.
	u.Send("0")
	if digest := u.Expect(l.T("msg.wechat.held_header")); !strings.Contains(digest.Text, "S4") {
		t.Errorf("the newest push does not come first:\n%s", digest.Text)
	}
	u.ExpectImage()
	u.ExpectImage()
	u.Expect(r.ReturnNumber)
	u.Choose(l.Label("decision", "dispose"))
	u.Expect(l.T("flow.decision.confirm", map[string]any{
		"Decision": l.Label("decision", "dispose"), "Explain": l.T("flow.decision.explain.dispose")}))

	u.Send("0")
	u.Expect(l.T("msg.wechat.nothing_held"))
}

// TestWeChatSaysOutOfWindow: our count said yes, WeChat says 45015 (the
// follower's window closed on its side): the push waits for the next
// message all the same.
func TestWeChatSaysOutOfWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oDrift", domain.LangRussian)
	u := h.user("oDrift", "ru")
	u.Send("привет")
	u.Expect(head(u.L.T("flow.support.off")))

	h.acct.FailNext("/cgi-bin/message/custom/send", 45015)
	h.tokenExpiring(seller, "Склад-1")
	h.deliver()
	u.quiet()
	if h.held("oDrift") != 1 || h.unsent() != 0 {
		t.Fatalf("held %d, unsent %d", h.held("oDrift"), h.unsent())
	}
	u.Send("/help")
	u.Expect(head(u.L.T("flow.help")))
	u.Expect("Склад-1")
}

// TestUnfollowed: a follower who left cannot be written to: the outbox
// hears the chat is unreachable, and the seller is marked so.
func TestUnfollowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oGone", domain.LangChinese)
	u := h.user("oGone", "zh")
	u.Send("你好")
	u.Expect(head(u.L.T("flow.support.off")))
	h.acct.FailNext("/cgi-bin/message/custom/send", 43004)
	h.tokenExpiring(seller, "主店")
	h.deliver()
	s, err := storage.NewSellerService(h.db).FindSellerByID(pgtest.System(), seller.ID)
	if err != nil || !s.Unreachable {
		t.Fatalf("seller = %+v, %v", s, err)
	}
}

// TestMenuOutlivesPush: a push that offers no choice leaves the list the
// follower was answering: the number they type next still picks from it.
// (An answer that offers none ends the list: the story StoreNamedOne.)
func TestMenuOutlivesPush(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oList", domain.LangEnglish)
	u := h.user("oList", "en")
	u.Send("/language")
	u.Expect(u.L.T("flow.language.ask"))

	h.tokenExpiring(seller, "Main store")
	h.deliver()
	u.Expect(u.L.T("notify.token_expiring", map[string]any{"Store": "Main store", "Days": 3}))
	u.Choose(u.L.T("language.ru"))
	u.Expect(bundle.For("ru").T("flow.language.set"))
}
