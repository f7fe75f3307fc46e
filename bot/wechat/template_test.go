package wechat_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// template_test.go: what reaches a seller outside the 48-hour window.

const publicURL = "https://indigo.example.com"

// templateSpecs are the operator's templates, as configuration gives them;
// the resale and statement kinds have none.
var templateSpecs = map[conversations.NoticeKind]string{
	conversations.NoticePickupCode: "tplPickup thing1=title character_string2=return thing3=product thing4=point number5=days_left time6=deadline",
	conversations.NoticeDecision:   "tplDecision thing1=title character_string2=return thing3=product time4=deadline thing5=hint",
	conversations.NoticeToken:      "tplToken thing1=title thing2=store phrase3=status",
}

// withTemplates makes the harness's bots send templates, registered with
// the fake account as the operator chose them in the MP backend.
func withTemplates(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	opts.templates = wechat.Templates{Kinds: map[conversations.NoticeKind]wechat.Template{}, Every: 24 * time.Hour, PublicURL: publicURL}
	for kind, spec := range templateSpecs {
		tpl, err := wechat.ParseTemplate(kind, spec)
		if err != nil {
			t.Fatal(err)
		}
		opts.templates.Kinds[kind] = tpl
	}
	opts.staff = true
	h := newHarness(t, opts)
	for _, tpl := range opts.templates.Kinds {
		var keys []string
		for _, f := range tpl.Fields {
			keys = append(keys, f.Key)
		}
		h.acct.AddTemplate(tpl.ID, keys...)
	}
	return h
}

// returnAt makes a return of the seller's in status, at the pickup point
// since two days for one awaiting its code.
func (h *harness) returnAt(seller *domain.Seller, status domain.Status) *domain.Return {
	store := pgtest.Store(h.t, h.db, seller.ID, nil)
	ready := time.Now().Add(-50 * time.Hour)
	return pgtest.Return(h.t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.ReadyAt, r.PickupPointAddress = status, &ready, "上海市浦东新区世纪大道 100 号"
	})
}

func (h *harness) notifyReturn(seller *domain.Seller, kind domain.NotificationKind, r *domain.Return) {
	h.notify(&domain.Notification{SellerID: seller.ID, Kind: kind, ReturnID: &r.ID, StoreID: &r.StoreID})
}

// relays are what was queued for staff in the seller's thread, as
// "kind text" lines.
func (h *harness) relays(seller *domain.Seller) []string {
	h.t.Helper()
	rows, err := h.db.Pool.Query(context.Background(),
		`SELECT kind || ' ' || text FROM support_relays WHERE seller_id = $1 ORDER BY id`, seller.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// checkLink checks a template opens page through the account's web
// authorization.
func checkLink(t *testing.T, appID, link, page string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "open.weixin.qq.com" || u.Path != "/connect/oauth2/authorize" || u.Fragment != "wechat_redirect" ||
		q.Get("appid") != appID || q.Get("scope") != "snsapi_base" || q.Get("response_type") != "code" {
		t.Errorf("link %s is not the account's web authorization", link)
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Scheme+"://"+back.Host != publicURL || back.Path != wechat.OAuthPath || back.Query().Get("next") != page {
		t.Errorf("link %s does not come back to %s", link, page)
	}
}

// TestTemplateOutsideWindow: a seller silent for 49 hours gets one
// template for a return at the pickup point and one for a decision, in
// Chinese, each opening the return's page; more news of the same kinds
// waits without another. Everything comes with their next message, and
// staff see the templates in the seller's thread.
func TestTemplateOutsideWindow(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	h := withTemplates(t, harnessOptions{now: now})
	seller := h.seller("oSilent", domain.LangChinese)
	u := h.user("oSilent", "zh")
	l := u.L
	u.Send("你好")
	u.Expect(head(l.T("flow.support.off")))

	skew.Store(int64(49 * time.Hour))
	atPoint := h.returnAt(seller, domain.StatusAwaitingPickupCode)
	deciding := h.returnAt(seller, domain.StatusAwaitingSellerDecision)
	h.notifyReturn(seller, domain.NotifyPickupCodeNeeded, atPoint)
	h.notifyReturn(seller, domain.NotifyAwaitingDecision, deciding)
	h.deliver()
	h.notifyReturn(seller, domain.NotifyPickupExpiring, atPoint)
	h.notifyReturn(seller, domain.NotifyDecisionDueSoon, deciding)
	h.deliver()
	u.quiet()

	sent := h.acct.Templates("oSilent")
	if len(sent) != 2 {
		t.Fatalf("want one template per kind, got %+v", sent)
	}
	zone, _ := time.LoadLocation(seller.TimeZone)
	pickupEnd, _ := domain.PickupDeadline(atPoint)
	dl, _, err := storage.NewDecisionService(h.db).Deadline(pgtest.System(), deciding)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"tplPickup": {
			"thing1": l.Label("notice_kind", "pickup_code"), "character_string2": atPoint.ReturnNumber,
			"thing3": atPoint.ProductName, "thing4": "上海市浦东新区世纪大道 100 号",
			"number5": strconv.Itoa(domain.DaysLeft(time.Now(), pickupEnd, zone)),
			"time6":   pickupEnd.In(zone).Format("2006年1月2日 15:04"),
		},
		"tplDecision": {
			"thing1": l.Label("notice_kind", "decision"), "character_string2": deciding.ReturnNumber,
			"thing3": deciding.ProductName, "time4": dl.DueAt.In(zone).Format("2006年1月2日 15:04"),
			"thing5": l.T("notice.hint_open"),
		},
	}
	pages := map[string]int64{"tplPickup": atPoint.ID, "tplDecision": deciding.ID}
	for _, tpl := range sent {
		for k, v := range want[tpl.TemplateID] {
			if tpl.Data[k] != v {
				t.Errorf("%s %s = %q, want %q", tpl.TemplateID, k, tpl.Data[k], v)
			}
		}
		checkLink(t, h.acct.AppID, tpl.URL, "/web/returns/"+strconv.FormatInt(pages[tpl.TemplateID], 10))
	}
	if got := h.relays(seller); len(got) != 2 || !strings.HasPrefix(got[0], "notice_sent pickup_code") || !strings.HasPrefix(got[1], "notice_sent decision") {
		t.Errorf("staff relays = %q", got)
	}

	// The seller's next message brings what waited.
	c := u.TextCallback("在吗")
	c.Resign(now())
	u.mark()
	u.acked(u.Act(c))
	u.Expect(l.T("msg.wechat.held_header"))
	waitFor(t, func() bool { return h.held("oSilent") == 0 })
	for _, r := range []*domain.Return{atPoint, deciding} {
		if h.times("oSilent", r.ReturnNumber) == 0 {
			t.Errorf("return %s never reached the seller", r.ReturnNumber)
		}
	}
}

// TestTemplateInsideWindow: a seller who wrote today gets the push as a
// customer-service message, and no template.
func TestTemplateInsideWindow(t *testing.T) {
	t.Parallel()
	h := withTemplates(t, harnessOptions{})
	seller := h.seller("oHere", domain.LangChinese)
	u := h.user("oHere", "zh")
	u.Send("你好")
	u.Expect(head(u.L.T("flow.support.off")))

	r := h.returnAt(seller, domain.StatusAwaitingPickupCode)
	h.notifyReturn(seller, domain.NotifyPickupCodeNeeded, r)
	h.deliver()
	u.Expect(r.ReturnNumber)
	if got := h.acct.Templates("oHere"); len(got) != 0 {
		t.Errorf("templates inside the window: %+v", got)
	}
	if got := h.relays(seller); len(got) != 0 {
		t.Errorf("staff relays = %q", got)
	}
}

// TestTemplateRefused: a seller who turned the account's messages off
// (43101), and news with no template configured, leave the pushes
// waiting; staff hear once since when the seller cannot be reached, and
// again only after the seller was reached and lost anew.
func TestTemplateRefused(t *testing.T) {
	t.Parallel()
	h := withTemplates(t, harnessOptions{})
	seller := h.seller("oNoTpl", domain.LangChinese)
	u := h.user("oNoTpl", "zh")
	h.acct.DeclineTemplates("oNoTpl")

	h.tokenExpiring(seller, "主店")
	h.deliver()
	h.notify(&domain.Notification{SellerID: seller.ID, Kind: domain.NotifyResaleSold,
		Data: map[string]any{"Product": "连衣裙", "Return": "R-1", "Price": 150000}})
	h.deliver()
	if got := h.acct.Templates("oNoTpl"); len(got) != 0 {
		t.Fatalf("templates to a seller who declined: %+v", got)
	}
	if h.held("oNoTpl") != 2 || h.unsent() != 0 {
		t.Fatalf("held %d, unsent %d", h.held("oNoTpl"), h.unsent())
	}
	got := h.relays(seller)
	if len(got) != 1 || !strings.HasPrefix(got[0], "notice_refused token|") || !strings.HasSuffix(got[0], "|declined") {
		t.Fatalf("staff relays = %q", got)
	}

	u.Send("你好")
	u.Expect(u.L.T("msg.wechat.held_header"))
	waitFor(t, func() bool { return h.held("oNoTpl") == 0 })
	h.notify(&domain.Notification{SellerID: seller.ID, Kind: domain.NotifyResaleSold,
		Data: map[string]any{"Product": "连衣裙", "Return": "R-2", "Price": 90000}})
	h.closeWindow("oNoTpl")
	h.deliver()
	got = h.relays(seller)
	if len(got) != 2 || !strings.HasPrefix(got[1], "notice_refused resale_sold|") || !strings.HasSuffix(got[1], "|not_configured") {
		t.Errorf("staff relays = %q", got)
	}
}

func (h *harness) closeWindow(openID string) {
	h.t.Helper()
	if err := h.store.CloseWindow(context.Background(), openID); err != nil {
		h.t.Fatal(err)
	}
}

// TestTemplateReceipt: WeChat's TEMPLATESENDJOBFINISH receipt is
// recorded; one that says the template was not delivered tells staff.
func TestTemplateReceipt(t *testing.T) {
	t.Parallel()
	h := withTemplates(t, harnessOptions{})
	for _, tt := range []struct {
		openID, status string
		undelivered    bool
	}{
		{"oReceipt", "success", false},
		{"oBlocked", "failed:user block", true},
	} {
		seller := h.seller(tt.openID, domain.LangChinese)
		h.user(tt.openID, "zh")
		if tt.undelivered {
			h.acct.FailTemplateDelivery(tt.openID)
		}
		h.tokenExpiring(seller, "主店")
		h.deliver()
		sent, err := h.acct.WaitForTemplate(h.ctx(), tt.openID, 1)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool {
			status, err := h.store.TemplateStatus(context.Background(), sent[0].MsgID)
			return err == nil && status == tt.status
		})
		// The receipt may be handled before or after the send's answer.
		want := []string{"notice_sent token"} // sorted, as got is
		if tt.undelivered {
			want = []string{"notice_refused token|…|undelivered", "notice_sent token"}
		}
		waitFor(t, func() bool { return len(h.relays(seller)) == len(want) })
		got := h.relays(seller)
		slices.Sort(got)
		for i, w := range want {
			prefix, suffix, _ := strings.Cut(w, "…")
			if !strings.HasPrefix(got[i], prefix) || !strings.HasSuffix(got[i], suffix) {
				t.Errorf("%s: staff relays = %q, want %q", tt.openID, got, want)
			}
		}
	}
}

// TestTemplateOnceAcrossReplicas: two replicas deliver the same outbox at
// once, and push the same news side by side, as a retry after a lost
// claim would: each template goes once.
func TestTemplateOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	h := withTemplates(t, harnessOptions{staff: true})
	other := h.newBot() // a second replica, staff told as by the first
	seller := h.seller("oTwice", domain.LangChinese)
	h.user("oTwice", "zh")
	r := h.returnAt(seller, domain.StatusAwaitingPickupCode)
	h.notifyReturn(seller, domain.NotifyPickupCodeNeeded, r)
	h.tokenExpiring(seller, "主店")

	var wg sync.WaitGroup
	for _, bot := range []*wechat.Bot{h.bot, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.deliverWith(bot)
		}()
	}
	wg.Wait()
	// The same news pushed by both replicas at once, as a retry would.
	push := conversations.Push{Channel: domain.ChannelWeChat, ChatID: "oTwice",
		Replies: []conversations.Reply{{Text: "again"}},
		Notices: []conversations.Notice{{Kind: conversations.NoticeDecision, Key: "n-again", Fields: map[string]string{"title": "再次"}}}}
	for _, bot := range []*wechat.Bot{h.bot, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := bot.SendPush(h.ctx(), push); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	byTemplate := map[string]int{}
	for _, tpl := range h.acct.Templates("oTwice") {
		byTemplate[tpl.TemplateID]++
	}
	if byTemplate["tplPickup"] != 1 || byTemplate["tplToken"] != 1 || byTemplate["tplDecision"] != 1 || len(byTemplate) != 3 {
		t.Errorf("templates sent: %v", byTemplate)
	}
	if got := h.relays(seller); len(got) != 3 {
		t.Errorf("staff relays = %q", got)
	}
}

// deliverWith drains the outbox into bot, one replica's loop.
func (h *harness) deliverWith(bot *wechat.Bot) {
	d := &conversations.Deliverer{
		Render: h.engine, Sellers: h.engine.Sellers, Outbox: storage.NewNotificationService(h.db),
		Senders: map[domain.Channel]conversations.Sender{domain.ChannelWeChat: bot},
		Now:     time.Now, Log: h.engine.Log, Batch: 50, DigestAbove: 5, MaxAttempts: 3, Workers: 2,
	}
	if _, err := d.Deliver(h.ctx()); err != nil {
		h.t.Error(err)
	}
}

// BenchmarkPushOutsideWindow: a push to a follower whose window is
// closed: held in PostgreSQL, and announced by a template through the
// real client and the fake WeChat on loopback.
func BenchmarkPushOutsideWindow(b *testing.B) {
	db := pgtest.New(b)
	acct := fake.NewAccount(wxfake.AccountOptions{})
	tpl, err := wechat.ParseTemplate(conversations.NoticeToken, templateSpecs[conversations.NoticeToken])
	if err != nil {
		b.Fatal(err)
	}
	acct.AddTemplate(tpl.ID, "thing1", "thing2", "phrase3")
	bot, err := wechat.New(wechat.Config{AppID: acct.AppID, AppSecret: acct.AppSecret, Token: acct.Token, APIBaseURL: fake.URL(),
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Templates: wechat.Templates{Kinds: map[conversations.NoticeKind]wechat.Template{conversations.NoticeToken: tpl}, PublicURL: publicURL},
		Locales:   bundle, Sellers: storage.NewSellerService(db),
	}, storage.NewWeChatService(db))
	if err != nil {
		b.Fatal(err)
	}
	push := conversations.Push{Channel: domain.ChannelWeChat, Replies: []conversations.Reply{{Text: "WB 不再接受您店铺的令牌"}}}
	b.ResetTimer()
	for i := range b.N {
		push.ChatID = "oBench" + strconv.Itoa(i)
		acct.User(push.ChatID)
		push.Notices = []conversations.Notice{{Kind: conversations.NoticeToken, Key: "b" + strconv.Itoa(i),
			Fields: map[string]string{"title": "请检查 WB 令牌", "store": "主店", "status": "已被拒绝"}}}
		if err := bot.SendPush(context.Background(), push); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := len(acct.Templates("")); n != b.N {
		b.Fatalf("%d templates for %d pushes", n, b.N)
	}
}
