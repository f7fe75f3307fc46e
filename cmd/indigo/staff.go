package main

import (
	"context"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// staffRelayEvery is the relay loop's fallback tick; the queue's NOTIFY
// wakes it at once.
const staffRelayEvery = 5 * time.Second

// newStaffDesk is the staff side, when TELEGRAM_SUPPORT_CHAT_ID names the
// staff group: seller messages relayed both ways, warehouse operations on
// return cards, and alerts about sellers pushes cannot reach. It is nil
// when the staff chat is off. Its relay loop starts with the others.
func (m *Main) newStaffDesk(deps conversations.Deps, senders map[domain.Channel]conversations.Sender) (*conversations.StaffDesk, error) {
	configured := m.Config.TelegramSupportChatID
	if configured == 0 {
		m.Log.Info("staff chat off: set TELEGRAM_SUPPORT_CHAT_ID to the staff group's id to switch it on")
		return nil, nil
	}
	support := storage.NewSupportService(m.DB)
	// A group upgraded to a supergroup has a new id; the move was recorded.
	current, err := support.CurrentStaffChat(domain.NewContextWithActor(context.Background(), domain.System), configured)
	if err != nil {
		return nil, err
	}
	desk := &conversations.StaffDesk{
		Services: deps,
		Support:  support,
		Audit:    storage.NewAuditService(m.DB),
		Chat:     m.Telegram.StaffChat(current, support),
		Senders:  senders,
		Lang:     m.Config.TelegramSupportLanguage,
		Lease:    m.Config.OutboxLease, // relays are an outbox too
		Now:      m.opts.Now,
		Log:      m.Log.With("part", "staff"),
		// The desk posts the inputs every worker sets aside, once each.
		Guard:    m.Guard,
		Poisoned: storage.NewPoisonService(m.DB),
		Status:   m.statusSource(),
		History:  support, // staff's answers, for the web view's support page
	}
	if _, ok := senders[domain.ChannelWeChat]; ok {
		desk.Unreached = storage.NewWeChatService(m.DB) // /unreached: followers templates do not reach
	}
	m.runLater("staff relay", func(ctx context.Context) error {
		desk.Run(ctx, m.DB.Listen(ctx, storage.SupportChannel, m.Log), staffRelayEvery)
		return nil
	})
	if current != configured {
		m.Log.Warn("the staff group was upgraded to a supergroup: set TELEGRAM_SUPPORT_CHAT_ID to its new id",
			"configured", configured, "current", current)
	}
	m.Log.Info("staff chat on", "chat", current)
	return desk, nil
}
