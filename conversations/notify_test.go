package conversations_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestDynamicMessageIDs covers the ids built at run time, which the
// locales scan of literals cannot see.
func TestDynamicMessageIDs(t *testing.T) {
	ids := locales.IDs()
	var want []string
	for _, k := range domain.AllNotificationKinds() {
		want = append(want, "notify."+string(k), "digest."+string(k))
	}
	for _, d := range domain.AllDecisions() {
		want = append(want, "flow.decision.explain."+string(d))
	}
	for _, name := range append([]string{}, commandNames()...) {
		want = append(want, "command."+name)
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Errorf("locales lack %q", id)
		}
	}
}

// TestDecisionPush: an inspected return reaches the seller as an album of
// its photos and a card whose buttons decide it.
func TestDecisionPush(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("ru")
	c := h.chat("6006", "ru")
	c.onboard(t, "ru")
	c.send("/cancel")
	seller, _ := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(), domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "6006"})
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.ProductName = domain.StatusAwaitingSellerDecision, "Пуховик"
	})
	comment := "Шов распорот на рукаве"
	if _, err := storage.NewReturnService(h.db).UpdateReturn(pgtest.System(), r.ID, domain.ReturnUpdate{InspectionComment: &comment}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := storage.NewAttachmentService(h.db).CreateAttachment(pgtest.System(), &domain.Attachment{
			SellerID: seller.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto, FileName: "p.png",
			ContentType: "image/png", Data: qrPNG(t, strings.Repeat("x", i+1)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	n := &domain.Notification{ID: 1, SellerID: seller.ID, Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID}
	push, err := h.engine.RenderNotification(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	if push.ChatID != "6006" || len(push.Replies) != 2 || len(push.Replies[0].Photos) != 2 {
		t.Fatalf("push = %s", dump(push.Replies))
	}
	expect(t, push.Replies, comment, l.T("flow.decision.explain.dispose"))

	c.last = push.Replies
	c.press(l.Label("decision", string(domain.DecisionDispose)))
	expect(t, c.press(l.T("button.confirm")), l.Label("decision", string(domain.DecisionDispose)))
	got, _ := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), r.ID)
	if got.Status != domain.StatusAwaitingDisposal {
		t.Fatalf("status = %s", got.Status)
	}
}
