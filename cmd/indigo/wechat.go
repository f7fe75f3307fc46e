package main

import (
	"context"
	"strings"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
)

// newWeChat is the WeChat Official Account channel, when its credentials
// are set: the callback endpoint (/wechat, mounted by routes), the sender
// of pushes, and the loop that publishes the account menu and takes up
// callbacks a stopped replica left unhandled, started with the others.
func (m *Main) newWeChat(bundle *locales.Bundle) (*wechat.Bot, error) {
	bot, err := wechat.New(wechat.Config{
		AppID:      m.Config.WeChatAppID,
		AppSecret:  m.Config.WeChatAppSecret,
		Token:      m.Config.WeChatToken,
		AESKey:     m.Config.WeChatAESKey,
		APIBaseURL: m.Config.WeChatAPIBaseURL,
		Log:        m.Log,
		Guard:      m.Guard,
		Workers:    wechatWorkers,
		HeldLease:  m.Config.OutboxLease, // what is held for followers is an outbox too
		Locales:    bundle,
		Sellers:    storage.NewSellerService(m.DB),
		Templates: wechat.Templates{
			Kinds: m.Config.WeChatTemplates, Every: m.Config.WeChatTemplateEvery, PublicURL: m.Config.PublicURL,
		},
		Staff: m.noticeRelays(),
		// The menu's web item opens the web view signed in by WeChat.
		WebURL:  wechatWebURL(m.Config.PublicURL),
		Observe: m.observeWeChat,
	}, storage.NewWeChatService(m.DB))
	if err != nil {
		return nil, err
	}
	m.runLater("wechat channel", func(ctx context.Context) error { return bot.Run(ctx, m.Engine) })
	m.Log.Info("wechat channel on", "app_id", m.Config.WeChatAppID, "safe_mode", m.Config.WeChatAESKey != "",
		"templates", len(m.Config.WeChatTemplates))
	return bot, nil
}

// noticeRelays tell staff what WeChat's templates did, in the seller's
// topic, when the staff chat is on; nil otherwise.
func (m *Main) noticeRelays() wechat.Staff {
	if m.Config.TelegramSupportChatID == 0 || !m.Config.TelegramEnabled() {
		return nil
	}
	return conversations.NoticeRelays{Sellers: storage.NewSellerService(m.DB), Support: storage.NewSupportService(m.DB)}
}

// wechatWebURL is the web view's WeChat sign-in, "" without a public URL
// (the menu item then sends the link as the chat's /web does).
func wechatWebURL(public string) string {
	if public == "" {
		return ""
	}
	return strings.TrimRight(public, "/") + "/web/wx?next=%2Fweb%2F"
}
