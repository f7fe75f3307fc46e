package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestStaffChatEndToEnd: with TELEGRAM_SUPPORT_CHAT_ID set, a seller's
// message lands in their topic of the staff group and a staff answer there
// reaches the seller, signed as Indigo support.
func TestStaffChatEndToEnd(t *testing.T) {
	f := newFakes(t)
	const group = int64(-1002000002024)
	f.tg.AddGroup(group, "Indigo staff", true)
	f.tg.AddUser(tgfake.User{ID: 9100, FirstName: "Olga"})
	env := f.env(pgtest.NewURL(t))
	env["TELEGRAM_SUPPORT_CHAT_ID"] = strconv.FormatInt(group, 10)
	m := f.run(t, env)
	if m.Deliverer.Staff == nil || m.Engine.Support == nil {
		t.Fatal("the staff desk is not wired")
	}
	seller := pgtest.Seller(t, m.DB, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "7001"}}
	})
	u := tgtest.NewUser(t, f.tg, 7001, "en")
	u.Send("Is my parcel there yet?")
	u.Expect(u.L.T("flow.support.sent"))

	ctx, cancel := context.WithTimeout(context.Background(), 2*tgtest.WaitLimit)
	defer cancel()
	post, err := f.tg.WaitForMessage(ctx, group, func(m tgfake.Message) bool {
		return strings.Contains(m.Text, "Is my parcel there yet?")
	})
	if err != nil {
		t.Fatalf("no relay in the staff group: %v", err)
	}
	f.tg.SendGroupMessage(group, post.MessageThreadID, 9100, "Yes, since this morning", 0)
	u.Expect(u.L.T("staff.reply.signed", map[string]any{"Text": "Yes, since this morning"}))

	th, err := storage.NewSupportService(m.DB).FindSupportThread(pgtest.System(), group, seller.ID)
	if err != nil || th.ThreadID != int64(post.MessageThreadID) {
		t.Fatalf("thread = %+v, %v", th, err)
	}
}

// TestStaffChatWeChatSeller: a WeChat seller's message lands in their
// topic of the Telegram staff group, and the staff answer reaches them in
// WeChat as a customer-service message.
func TestStaffChatWeChatSeller(t *testing.T) {
	f := newFakes(t)
	const group = int64(-1002000002025)
	f.tg.AddGroup(group, "Indigo staff", true)
	f.tg.AddUser(tgfake.User{ID: 9101, FirstName: "Olga"})
	acct := weChatFake().NewAccount(wxfake.AccountOptions{})
	env := f.env(pgtest.NewURL(t))
	for k, v := range map[string]string{
		"TELEGRAM_SUPPORT_CHAT_ID": strconv.FormatInt(group, 10),
		"WECHAT_APP_ID":            acct.AppID, "WECHAT_APP_SECRET": acct.AppSecret,
		"WECHAT_TOKEN": acct.Token, "WECHAT_API_BASE_URL": weChatFake().URL(),
	} {
		env[k] = v
	}
	m := f.run(t, env)
	acct.SetCallbackURL(m.URL() + "/wechat")
	pgtest.Seller(t, m.DB, func(s *domain.Seller) {
		s.Language = domain.LangChinese
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: "oStaff"}}
	})

	u := acct.User("oStaff")
	u.SendText("我的包裹到了吗？")
	ctx, cancel := context.WithTimeout(context.Background(), 2*tgtest.WaitLimit)
	defer cancel()
	post, err := f.tg.WaitForMessage(ctx, group, func(m tgfake.Message) bool {
		return strings.Contains(m.Text, "我的包裹到了吗？")
	})
	if err != nil {
		t.Fatalf("no relay in the staff group: %v", err)
	}
	if !strings.Contains(f.tg.Topics(group)[0].Name, "WeChat") {
		t.Errorf("the topic does not say the seller is on WeChat: %+v", f.tg.Topics(group))
	}
	f.tg.SendGroupMessage(group, post.MessageThreadID, 9101, "今天早上到的", 0)
	if _, err := acct.WaitForMessage(ctx, "oStaff", 0, func(m wxfake.Message) bool {
		return strings.Contains(m.Text, "今天早上到的")
	}); err != nil {
		t.Fatalf("the staff answer did not reach WeChat: %v", err)
	}
}
