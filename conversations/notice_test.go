package conversations_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestNoticeIDs: every notice kind and refusal has its label, which
// locales.Label builds at run time.
func TestNoticeIDs(t *testing.T) {
	ids := locales.IDs()
	var want []string
	for _, k := range conversations.AllNoticeKinds() {
		want = append(want, "notice_kind."+string(k))
	}
	for _, r := range conversations.AllNoticeRefusals() {
		want = append(want, "notice_refusal."+string(r))
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Errorf("locales lack %q", id)
		}
	}
	// A notice's title and hint fill template fields of 20 characters.
	for _, lang := range locales.Languages() {
		l := bundle.For(lang)
		texts := []string{l.T("notice.hint_reply"), l.T("notice.hint_open")}
		for _, k := range conversations.AllNoticeKinds() {
			texts = append(texts, l.Label("notice_kind", string(k)))
		}
		for _, s := range texts {
			if n := len([]rune(s)); n > 20 {
				t.Errorf("%s: %q has %d characters, a template shows 20", lang, s, n)
			}
		}
	}
}

// TestNotices: the pushes that cannot wait carry their notice, in the
// seller's language, with the return's page; other pushes carry none; a
// digest carries one per kind.
func TestNotices(t *testing.T) {
	h := newHarness(t)
	seller := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Language, s.TimeZone = domain.LangChinese, "Asia/Shanghai"
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: "oNotice"}}
	})
	store := pgtest.Store(t, h.db, seller.ID, func(s *domain.Store) { s.Name = "主店" })
	ready := time.Now().Add(-26 * time.Hour)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.ReadyAt, r.PickupPointAddress = domain.StatusAwaitingPickupCode, &ready, "北京市朝阳区建国路 1 号"
	})
	outbox := storage.NewNotificationService(h.db)
	add := func(kind domain.NotificationKind, ret *domain.Return, data map[string]any) *domain.Notification {
		n := &domain.Notification{SellerID: seller.ID, Kind: kind, Data: data}
		if ret != nil {
			n.ReturnID, n.StoreID = &ret.ID, &ret.StoreID
		}
		if err := outbox.CreateNotification(pgtest.System(), n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	l := bundle.For("zh")
	end, _ := domain.PickupDeadline(r)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	pickup := add(domain.NotifyPickupCodeNeeded, r, nil)
	token := add(domain.NotifyTokenRejected, nil, map[string]any{"Store": "主店", "Hint": ""})
	statement := add("statement", nil, map[string]any{"Month": "2026-11", "Amount": 1234567})
	picked := add(domain.NotifyPickedUp, r, nil)
	sold := add(domain.NotifyResaleSold, nil, map[string]any{"Product": "羽绒服", "Return": "R-77", "Price": 899000, "Currency": 643})
	for _, tt := range []struct {
		n    *domain.Notification
		want *conversations.Notice
	}{
		{pickup, &conversations.Notice{Kind: conversations.NoticePickupCode, Page: "/web/returns/" + itoa(r.ID), Fields: map[string]string{
			"title": l.Label("notice_kind", "pickup_code"), "hint": l.T("notice.hint_open"), "return": r.ReturnNumber,
			"product": r.ProductName, "point": "北京市朝阳区建国路 1 号",
			"days_left": itoa(int64(domain.DaysLeft(time.Now(), end, shanghai))), "deadline": end.In(shanghai).Format("2006年1月2日 15:04"),
		}}},
		{token, &conversations.Notice{Kind: conversations.NoticeToken, Fields: map[string]string{
			"title": l.Label("notice_kind", "token"), "hint": l.T("notice.hint_reply"), "store": "主店", "status": l.T("notice.token_rejected"),
		}}},
		{statement, &conversations.Notice{Kind: conversations.NoticeStatement, Fields: map[string]string{
			"title": l.Label("notice_kind", "statement"), "hint": l.T("notice.hint_reply"), "period": "2026-11", "amount": "₽12345.67",
		}}},
		{sold, &conversations.Notice{Kind: conversations.NoticeResaleSold, Fields: map[string]string{
			"title": l.Label("notice_kind", "resale_sold"), "product": "羽绒服", "return": "R-77", "amount": "₽8990.00",
		}}},
		{picked, nil},
	} {
		push, err := h.engine.RenderNotification(context.Background(), tt.n)
		if err != nil {
			t.Fatal(err)
		}
		checkNotices(t, string(tt.n.Kind), push.Notices, tt.want)
	}

	digest, err := h.engine.RenderDigest(pgtest.System(), seller, []*domain.Notification{pickup, picked, token, add(domain.NotifyPickupExpiring, r, nil)})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []conversations.NoticeKind
	for _, n := range digest.Notices {
		kinds = append(kinds, n.Kind)
	}
	if !slices.Equal(kinds, []conversations.NoticeKind{conversations.NoticePickupCode, conversations.NoticeToken}) {
		t.Errorf("digest notices %v", kinds)
	}
}

func checkNotices(t *testing.T, name string, got []conversations.Notice, want *conversations.Notice) {
	t.Helper()
	if want == nil {
		if len(got) != 0 {
			t.Errorf("%s: notices %+v, want none", name, got)
		}
		return
	}
	if len(got) != 1 || got[0].Kind != want.Kind || got[0].Page != want.Page || got[0].Key == "" {
		t.Fatalf("%s: notices %+v, want %+v", name, got, want)
	}
	for k, v := range want.Fields {
		if got[0].Fields[k] != v {
			t.Errorf("%s: %s = %q, want %q", name, k, got[0].Fields[k], v)
		}
	}
}

// TestNoticeLines: staff read in their language that a template went out,
// and since when and why a seller cannot be reached.
func TestNoticeLines(t *testing.T) {
	since := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	for _, lang := range locales.Languages() {
		l := bundle.For(lang)
		sent := conversations.NoticeLineForTest(l, &domain.SupportRelay{Kind: domain.RelayNoticeSent, Channel: domain.ChannelWeChat, Text: "decision"})
		if !strings.Contains(sent, l.Label("notice_kind", "decision")) || !strings.Contains(sent, l.Label("channel", "wechat")) {
			t.Errorf("%s: %q", lang, sent)
		}
		refused := conversations.NoticeLineForTest(l, &domain.SupportRelay{Kind: domain.RelayNoticeRefused, Channel: domain.ChannelWeChat,
			Text: "pickup_code|" + since.Format(time.RFC3339) + "|declined"})
		for _, part := range []string{l.FormatDate(since) + " 09:30 UTC", l.Label("notice_refusal", "declined"), l.Label("notice_kind", "pickup_code")} {
			if !strings.Contains(refused, part) {
				t.Errorf("%s: %q lacks %q", lang, refused, part)
			}
		}
	}
}

// TestStaffNotices: what templates did reaches the seller's topic, and
// /unreached lists who cannot be reached, since when and why.
func TestStaffNotices(t *testing.T) {
	f := newStaffFixture(t, true)
	l := bundle.For("en")
	ctx := context.Background()
	seller := pgtest.Seller(t, f.h.db, func(s *domain.Seller) {
		s.Name, s.Language = "Wang Fang", domain.LangChinese
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: "oStaffSees"}}
	})
	id := seller.Identities[0]
	since := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/unreached"}})
	if got := f.chat.last(t).m.Text; got != l.T("staff.unreached.off") {
		t.Errorf("/unreached without a finder = %q", got)
	}
	f.desk.Unreached = storage.NewWeChatService(f.h.db)
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/unreached"}})
	if got := f.chat.last(t).m.Text; got != l.T("staff.unreached.none") {
		t.Errorf("/unreached with nobody = %q", got)
	}

	relays := conversations.NoticeRelays{Sellers: storage.NewSellerService(f.h.db), Support: storage.NewSupportService(f.h.db)}
	if err := relays.NoticeSent(ctx, id, conversations.NoticePickupCode); err != nil {
		t.Fatal(err)
	}
	if err := relays.NoticeRefused(ctx, id, conversations.NoticeDecision, conversations.RefusalDeclined, since); err != nil {
		t.Fatal(err)
	}
	if n := f.flush(t); n != 2 {
		t.Fatalf("posted %d relays", n)
	}
	post := f.chat.last(t)
	if post.at.Thread == 0 {
		t.Error("not posted in the seller's topic")
	}
	for _, want := range []string{
		l.T("staff.relay.notice_sent", map[string]any{"Channel": "WeChat", "Kind": l.Label("notice_kind", "pickup_code")}),
		l.FormatDate(since) + " 09:30 UTC", l.Label("notice_refusal", "declined"),
	} {
		if !strings.Contains(post.m.Text, want) {
			t.Errorf("the topic's post lacks %q:\n%s", want, post.m.Text)
		}
	}

	if _, _, err := storage.NewWeChatService(f.h.db).RefuseTemplate(ctx, "oStaffSees", "decision", "declined", since); err != nil {
		t.Fatal(err)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/unreached"}})
	got := f.chat.last(t).m.Text
	for _, want := range []string{l.Plural("staff.unreached.title", 1, nil), "Wang Fang", "/s_" + itoa(seller.ID),
		l.FormatDate(since) + " 09:30 UTC", l.Label("notice_refusal", "declined")} {
		if !strings.Contains(got, want) {
			t.Errorf("/unreached lacks %q:\n%s", want, got)
		}
	}
}
