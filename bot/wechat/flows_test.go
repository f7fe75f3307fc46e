package wechat_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestOnboarding: a new follower is greeted in Chinese, answers every
// choice with its number, registers, adds a store and pastes a WB token.
// WeChat cannot delete the message with the token: the seller is asked to
// recall it.
func TestOnboarding(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	u := h.user("oLiWei", "zh")
	l := u.L

	u.Follow()
	ask := u.Expect(head(l.T("flow.onboarding.language")))
	if !strings.Contains(ask.Text, "2. "+l.T("language.zh")) || !strings.Contains(ask.Text, l.T("msg.wechat.choose")) {
		t.Fatalf("the languages are not numbered choices:\n%s", ask.Text)
	}
	u.Choose(l.T("language.zh"))
	u.Expect(head(l.T("flow.onboarding.terms")))
	u.Choose(l.T("button.accept"))
	u.Expect(l.T("flow.onboarding.name"))
	u.Send("李伟贸易")
	u.Expect(head(l.T("flow.onboarding.phone")))
	u.Choose(l.T("button.skip"))
	u.Expect(l.T("flow.onboarding.welcome", map[string]any{"Name": "李伟贸易"}))
	u.Expect(l.T("flow.store.marketplace"))
	u.Choose(l.T("marketplace.wildberries"))
	u.Expect(head(l.T("flow.store.name")))
	u.Send("主店")
	u.Expect(head(l.T("flow.store.token")))

	u.Send("hello-i-am-not-a-token")
	u.Expect(head(l.T("msg.wechat.recall")))
	u.Expect(head(l.T("error.token.not_jwt")))
	u.Send(h.wb.IssueToken(wbfake.TokenOptions{}))
	u.Expect(head(l.T("flow.store.checklist")))

	seller, err := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(),
		domain.Identity{Channel: domain.ChannelWeChat, ExternalID: "oLiWei"})
	if err != nil {
		t.Fatal(err)
	}
	if seller.Language != domain.LangChinese || seller.Name != "李伟贸易" {
		t.Errorf("seller = %+v", seller)
	}
	// Nothing the follower wrote stays in the callback table once handled.
	var payloads int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM wechat_callbacks WHERE length(payload) > 0`).Scan(&payloads); err != nil {
		t.Fatal(err)
	}
	if payloads != 0 {
		t.Errorf("%d handled callbacks keep their payload", payloads)
	}
}

// TestPickupQR: a screenshot of the pickup QR code, fetched through the
// media API, is read as the code of the return waiting at the point.
func TestPickupQR(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oQR", domain.LangChinese)
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Москва, Тверская 1"
	})
	u := h.user("oQR", "zh")

	u.SendPicture(qrPNG(t, "WB-PICKUP-77123"))
	u.Expect("WB-PICKUP-77123")
	u.Choose(u.L.T("button.confirm"))
	u.Expect(head(u.L.T("flow.pickup.sent", map[string]any{"Count": 1, "Returns": r.ReturnNumber})))

	got, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), r.ID)
	if err != nil || got.PickupCode != "WB-PICKUP-77123" {
		t.Fatalf("return = %+v, %v", got, err)
	}
}

// TestDecisionWithPhotos: a return inspected at the warehouse is pushed
// with its photos as image messages and the decisions as numbered
// choices; the seller decides by number and confirms.
func TestDecisionWithPhotos(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oDecide", domain.LangChinese)
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status = domain.StatusAwaitingSellerDecision
	})
	photos := [][]byte{photo(t, 10), photo(t, 200)}
	for i, data := range photos {
		err := storage.NewAttachmentService(h.db).CreateAttachment(pgtest.System(), &domain.Attachment{
			SellerID: seller.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto,
			FileName: "inspection-" + string(rune('a'+i)) + ".png", ContentType: "image/png", Size: int64(len(data)), Data: data,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	u := h.user("oDecide", "zh")
	l := u.L
	u.Send("你好") // the seller wrote today: the window is open
	u.Expect(head(l.T("flow.support.off")))

	h.notify(&domain.Notification{SellerID: seller.ID, Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID, StoreID: &store.ID})
	if n := h.deliver(); n != 1 {
		t.Fatalf("delivered %d", n)
	}
	for i, want := range photos {
		if got := u.ExpectImage(); !bytes.Equal(got.Image, want) {
			t.Errorf("image %d is not the inspection photo", i)
		}
	}
	card := u.Expect(r.ReturnNumber)
	for _, want := range []string{"1. " + l.Label("decision", "sell_on_wb"), l.T("msg.wechat.invite")} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("the card lacks %q:\n%s", want, card.Text)
		}
	}

	u.Choose(l.Label("decision", "sell_on_wb"))
	u.Expect(l.T("flow.decision.confirm", map[string]any{
		"Decision": l.Label("decision", "sell_on_wb"), "Explain": l.T("flow.decision.explain.sell_on_wb")}))
	u.Choose(l.T("button.confirm"))
	u.Expect(l.T("flow.decision.done", map[string]any{
		"Decision": l.Label("decision", "sell_on_wb"), "Return": r.ReturnNumber, "Product": r.ProductName}))

	got, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), r.ID)
	if err != nil || got.Decision != domain.DecisionSellOnWB {
		t.Fatalf("return = %+v, %v", got, err)
	}
}

// TestMenuCommands: the account menu is published with every command, in
// Chinese by default and for English and Russian WeChat clients; a tap
// runs the command; a second replica does not publish it again.
func TestMenuCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	waitFor(t, func() bool { return len(h.acct.Menu()) == 3 && len(h.acct.ConditionalMenus()) == 2 })
	zh := bundle.For("zh")
	menu := h.acct.Menu()
	if menu[0].Name != zh.T("msg.wechat.menu.returns_group") || menu[0].SubButtons[0].Key != "returns" ||
		menu[0].SubButtons[0].Name != zh.T("msg.wechat.menu.returns") {
		t.Errorf("default menu = %+v", menu)
	}
	for _, c := range h.acct.ConditionalMenus() {
		l := bundle.For(c.Rule["language"])
		if c.Buttons[2].Name != l.T("msg.wechat.menu.help_group") {
			t.Errorf("the %s menu = %+v", c.Rule["language"], c.Buttons)
		}
	}
	h.newBot() // a second replica
	if err := h.bot.PublishMenu(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if n := h.acct.MenuCreates(); n != 1 {
		t.Errorf("the menu was created %d times", n)
	}

	h.seller("oTap", domain.LangEnglish)
	u := h.user("oTap", "en")
	u.Tap("help")
	u.Expect(head(u.L.T("flow.help")))
	u.Tap("no-such-command")
	u.quiet()
}
