package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// demo_template.go: WeChat's template messages in the demo. The demo
// account has a template for each kind of news that cannot wait, chosen
// as an operator would from the category library; "Away 2 days" closes
// Wang Fang's 48-hour window and lets WB's pickup clock run, so the next
// push about her return at the pickup point comes as a template.

// demoTemplates are the account's templates and the settings naming them.
var demoTemplates = []struct{ env, id, spec string }{
	{"WECHAT_TEMPLATE_PICKUP_CODE", "demoPickupCode", "thing1=title character_string2=return thing3=point number4=days_left time5=deadline"},
	{"WECHAT_TEMPLATE_DECISION", "demoDecision", "thing1=title character_string2=return thing3=product time4=deadline"},
	{"WECHAT_TEMPLATE_TOKEN", "demoToken", "thing1=title thing2=store phrase3=status"},
	{"WECHAT_TEMPLATE_RESALE_SOLD", "demoResaleSold", "thing1=title thing2=product amount3=amount"},
	{"WECHAT_TEMPLATE_STATEMENT", "demoStatement", "thing1=title thing2=period amount3=amount"},
}

// addDemoTemplates registers the templates with the account and names
// them in the service's settings.
func addDemoTemplates(acct *wxfake.Account, settings map[string]string) {
	for _, t := range demoTemplates {
		var keys []string
		for _, f := range strings.Fields(t.spec) {
			key, _, _ := strings.Cut(f, "=")
			keys = append(keys, key)
		}
		acct.AddTemplate(t.id, keys...)
		settings[t.env] = t.id + " " + t.spec
	}
}

// templateMessages are the templates Wang Fang got, as the pane shows them.
func (w *demoWeChat) templateMessages() []demoWXMessage {
	var out []demoWXMessage
	for _, t := range w.acct.Templates(demoWeChatOpenID) {
		keys := make([]string, 0, len(t.Data))
		for k := range t.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines := []string{"📋 模板消息 " + t.TemplateID}
		for _, k := range keys {
			lines = append(lines, k+": "+t.Data[k])
		}
		if t.URL != "" {
			lines = append(lines, "🔗 "+t.URL)
		}
		out = append(out, demoWXMessage{Seq: t.MsgID, FromBot: true, Text: strings.Join(lines, "\n"), At: t.At})
	}
	return out
}

// away is two days without a word from Wang Fang: her window closes, and
// a return of hers at the pickup point gets WB's reminder that its
// storage ends, as the pickup clock would send it.
func (w *demoWeChat) away(ctx context.Context) error {
	if w.db == nil {
		return fmt.Errorf("the service is not running")
	}
	if err := storage.NewWeChatService(w.db).CloseWindow(ctx, demoWeChatOpenID); err != nil {
		return err
	}
	system := domain.NewContextWithActor(ctx, domain.System)
	seller, err := storage.NewSellerService(w.db).FindSellerByIdentity(system,
		domain.Identity{Channel: domain.ChannelWeChat, ExternalID: demoWeChatOpenID})
	if err != nil {
		return nil // not a seller yet: nothing of hers waits
	}
	st := domain.StatusAwaitingPickupCode
	list, _, err := storage.NewReturnService(w.db).FindReturns(system, domain.ReturnFilter{SellerID: &seller.ID, Status: &st})
	if err != nil || len(list) == 0 {
		return err
	}
	r := list[0]
	return storage.NewNotificationService(w.db).CreateNotification(system, &domain.Notification{
		SellerID: seller.ID, Kind: domain.NotifyPickupExpiring, ReturnID: &r.ID, StoreID: &r.StoreID,
	})
}
