package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
)

// newDeps are the services the conversations engine, which every channel
// feeds, and the staff desk are built from.
func (m *Main) newDeps(bundle *locales.Bundle, client *wb.Client, links conversations.LinkMaker) conversations.Deps {
	return conversations.Deps{
		Sessions:    storage.NewSessionService(m.DB),
		Sellers:     storage.NewSellerService(m.DB),
		Stores:      storage.NewStoreService(m.DB),
		Returns:     storage.NewReturnService(m.DB),
		Attachments: storage.NewAttachmentService(m.DB),
		Polls:       storage.NewPollScheduleService(m.DB),
		Shelf:       m.shelf(),
		Audit:       storage.NewAuditService(m.DB),
		Marketplace: wb.Marketplace{Client: client},
		Links:       links,
		Locales:     bundle,
		Log:         m.Log,
		Economics:   storage.NewEconomicsService(m.DB),
		Decisions:   storage.NewDecisionService(m.DB),
		Rules:       storage.NewRuleService(m.DB),
		Tariffs:     storage.NewTariffService(m.DB),
		PickupClock: storage.NewPickupClockService(m.DB),
		Accounts:    m.accounts(),
		Now:         m.opts.Now,
		OnTurn:      m.Metrics.observeTurn,
	}
}

// newDeliverer is the sender that drains the outbox into the channels
// that are on; desk, when the staff chat is on, hears of sellers it
// cannot reach.
func (m *Main) newDeliverer(senders map[domain.Channel]conversations.Sender, desk *conversations.StaffDesk) *conversations.Deliverer {
	d := &conversations.Deliverer{
		Render:      m.Engine,
		Sellers:     m.Engine.Sellers,
		Outbox:      storage.NewNotificationService(m.DB),
		Senders:     senders,
		Now:         m.opts.Now,
		Log:         m.Log.With("part", "deliver"),
		Batch:       200,
		DigestAbove: 5,
		MaxAttempts: 12,
		// A burst (a store's first import, a warehouse shift) goes as one
		// digest once it has been quiet for a moment; every push waits
		// that moment, which a chat does not notice.
		Settle:  domain.Settle{Quiet: 3 * time.Second, Max: 30 * time.Second},
		Workers: deliverWorkers,
		Guard:   m.Guard,
		Lease:   m.Config.OutboxLease, // renewed every quarter of it
		// metrics.go: delivery latency per channel.
		OnDelivered: m.Metrics.observeDelivery,
	}
	if desk != nil { // a nil *StaffDesk in the interface would be called
		d.Staff = desk
	}
	return d
}

// buildChannels makes the channels that are on and adds each to senders;
// their intake runs the engine once everything is built (Main.start).
func (m *Main) buildChannels(bundle *locales.Bundle, senders map[domain.Channel]conversations.Sender) error {
	if m.Config.TelegramEnabled() {
		bot, err := m.newTelegram(bundle)
		if err != nil {
			return err
		}
		m.Telegram, senders[domain.ChannelTelegram] = bot, bot
	}
	if m.Config.WeChatEnabled() {
		bot, err := m.newWeChat(bundle) // wechat.go
		if err != nil {
			return err
		}
		m.WeChat, senders[domain.ChannelWeChat] = bot, bot
	}
	return nil
}

// runLater queues a loop to start once every part is wired.
func (m *Main) runLater(name string, run func(ctx context.Context) error) {
	m.loops = append(m.loops, func() {
		if err := run(m.jobsCtx); err != nil && m.jobsCtx.Err() == nil {
			m.Log.Error(name+" stopped", "err", err)
		}
	})
}

// newTelegram is the bot, not connected yet; it connects, sets its
// command menus and starts its intake (long polling, or the webhook route
// when TELEGRAM_WEBHOOK_URL is set) with the other loops.
func (m *Main) newTelegram(bundle *locales.Bundle) (*telegram.Bot, error) {
	bot, err := telegram.Open(telegram.Config{
		Token:         m.Config.TelegramBotToken,
		APIEndpoint:   m.Config.TelegramAPIEndpoint,
		WebhookURL:    m.Config.TelegramWebhookURL,
		WebhookSecret: m.derivedSecret("telegram-webhook"),
		Workers:       telegramWorkers,
		Clock:         m.opts.Clock,
		Log:           m.Log,
		Guard:         m.Guard,
		// Shared in the database: every replica sends as the same bot
		// and so draws on one ceiling.
		Budget:  storage.NewSendBudget(m.DB),
		Observe: m.observeTelegram,
	}, storage.NewSessionService(m.DB), bundle)
	if err != nil {
		return nil, err
	}
	// Connected, its menus set and its intake run by the supervisor,
	// which retries while Telegram cannot be reached (degrade.go).
	m.runLater("telegram channel", func(ctx context.Context) error { return m.superviseTelegram(ctx, bot) })
	return bot, nil
}

// derivedSecret is a per-purpose secret derived from INDIGO_SECRET_KEY, so
// replicas agree on it without another setting, in the characters Telegram
// accepts for a webhook secret.
func (m *Main) derivedSecret(purpose string) string {
	mac := hmac.New(sha256.New, m.Config.SecretKey)
	mac.Write([]byte(purpose))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// deliverLoop sends notifications as soon as the outbox trigger signals,
// and every few seconds in case a signal was missed or a retry came due.
func (m *Main) deliverLoop(ctx context.Context) {
	wake := m.DB.Listen(ctx, storage.OutboxChannel, m.Log)
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
		if len(m.Deliverer.Senders) == 0 {
			continue // no channel on: notifications wait in the outbox
		}
		for ctx.Err() == nil {
			n, err := m.Deliverer.Deliver(ctx)
			if err != nil {
				m.Log.Error("deliver", "err", err)
			}
			if n == 0 {
				break
			}
		}
	}
}
