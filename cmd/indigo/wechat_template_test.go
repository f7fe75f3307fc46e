package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// TestWeChatTemplateEndToEnd: the service with the demo's templates, and
// a WeChat seller whose window is closed: the demo's "Away 2 days" lets
// WB's pickup clock remind her of a return at the pickup point, and the
// reminder reaches her as a template opening the return's page; its
// receipt is recorded.
func TestWeChatTemplateEndToEnd(t *testing.T) {
	wx := weChatFake()
	acct := wx.NewAccount(wxfake.AccountOptions{})
	wbf := wbfake.New()
	t.Cleanup(wbf.Close)
	settings := map[string]string{
		"WB_API_BASE_URL": wbf.URL, "PUBLIC_URL": "https://indigo.example.com",
		"WECHAT_APP_ID": acct.AppID, "WECHAT_APP_SECRET": acct.AppSecret, "WECHAT_TOKEN": acct.Token,
		"WECHAT_API_BASE_URL": wx.URL(),
	}
	addDemoTemplates(acct, settings)
	m := MustRunMain(t, settings)
	seller := pgtest.Seller(t, m.DB, func(s *domain.Seller) {
		s.Language, s.QuietHours = domain.LangChinese, false
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: demoWeChatOpenID}}
	})
	store := pgtest.Store(t, m.DB, seller.ID, nil)
	ready := time.Now().Add(-5 * 24 * time.Hour)
	r := pgtest.Return(t, m.DB, store.ID, func(r *domain.Return) {
		r.Status, r.ReadyAt, r.PickupPointAddress = domain.StatusAwaitingPickupCode, &ready, "Москва, ул. Тверская, д. 12"
	})
	w := &demoWeChat{acct: acct}
	w.connect(m.URL(), m.DB)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.away(ctx); err != nil {
		t.Fatal(err)
	}
	sent, err := acct.WaitForTemplate(ctx, demoWeChatOpenID, 1)
	if err != nil {
		t.Fatal(err)
	}
	tpl := sent[0]
	if tpl.TemplateID != "demoPickupCode" || tpl.Data["character_string2"] != r.ReturnNumber || tpl.Data["number4"] != "2" ||
		!strings.Contains(tpl.URL, "redirect_uri=https%3A%2F%2Findigo.example.com%2Fweb%2Fwechat%2Foauth") {
		t.Errorf("template %+v", tpl)
	}
	if len(w.templateMessages()) != 1 {
		t.Error("the demo's pane does not show the template")
	}
	wxStore := storage.NewWeChatService(m.DB)
	for status := ""; status != "success"; time.Sleep(20 * time.Millisecond) {
		if status, err = wxStore.TemplateStatus(ctx, tpl.MsgID); err != nil {
			t.Fatal(err)
		}
	}
}
