package main

import (
	"strings"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/storage"
)

// newWeChat is the WeChat Official Account channel, when its credentials
// are set: the callback endpoint (/wechat, mounted by routes), the sender
// of pushes, and the loop that publishes the account menu and takes up
// callbacks a stopped replica left unhandled, started with the others.
func (m *Main) newWeChat() (*wechat.Bot, error) {
	bot, err := wechat.New(wechat.Config{
		AppID:      m.Config.WeChatAppID,
		AppSecret:  m.Config.WeChatAppSecret,
		Token:      m.Config.WeChatToken,
		AESKey:     m.Config.WeChatAESKey,
		APIBaseURL: m.Config.WeChatAPIBaseURL,
		// The menu's web item opens the web view signed in by WeChat.
		WebURL:    strings.TrimRight(m.Config.PublicURL, "/") + "/web/wx?next=%2Fweb%2F",
		Log:       m.Log,
		Guard:     m.Guard,
		Workers:   wechatWorkers,
		HeldLease: m.Config.OutboxLease, // what is held for followers is an outbox too
	}, m.Engine, storage.NewWeChatService(m.DB))
	if err != nil {
		return nil, err
	}
	m.runLater("wechat channel", bot.Run)
	m.Log.Info("wechat channel on", "app_id", m.Config.WeChatAppID, "safe_mode", m.Config.WeChatAESKey != "")
	return bot, nil
}

// wechatWebURL is the web view's WeChat sign-in, "" without a public URL
// (the menu item then sends the link as the chat's /web does).
func wechatWebURL(public string) string {
	if public == "" {
		return ""
	}
	return strings.TrimRight(public, "/") + "/web/wx?next=%2Fweb%2F"
}
