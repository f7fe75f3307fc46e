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

// startConversations wires the engine every channel feeds and the sender
// that drains the outbox into the channels that are on.
func (m *Main) startConversations() error {
	bundle, err := locales.New()
	if err != nil {
		return err
	}
	m.Engine = conversations.NewEngine(conversations.Deps{
		Sessions:    storage.NewSessionService(m.DB),
		Sellers:     storage.NewSellerService(m.DB),
		Stores:      storage.NewStoreService(m.DB),
		Returns:     storage.NewReturnService(m.DB),
		Attachments: storage.NewAttachmentService(m.DB),
		Polls:       storage.NewPollScheduleService(m.DB),
		Shelf:       m.shelf(),
		Audit:       storage.NewAuditService(m.DB),
		Marketplace: wb.Marketplace{Client: m.WB},
		Links:       m.webLinks,
		Locales:     bundle,
		Log:         m.Log,
	})
	m.Deliverer = &conversations.Deliverer{
		Render:      m.Engine,
		Sellers:     m.Engine.Sellers,
		Outbox:      storage.NewNotificationService(m.DB),
		Senders:     map[domain.Channel]conversations.Sender{},
		Now:         m.Now,
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
	}
	if m.Config.TelegramEnabled() {
		if err := m.startTelegram(bundle); err != nil {
			return err
		}
		if err := m.startStaff(); err != nil {
			return err
		}
	}
	if err := m.startWeChat(); err != nil {
		return err
	}
	// Every part is wired (engine deps, senders, the staff desk) before any
	// channel takes its first update: nothing is set while it is read.
	for _, start := range m.starters {
		go start()
	}
	m.starters = nil
	return nil
}

// runLater queues a channel's loop to start once every part is wired.
func (m *Main) runLater(name string, run func(ctx context.Context) error) {
	m.starters = append(m.starters, func() {
		if err := run(m.jobsCtx); err != nil && m.jobsCtx.Err() == nil {
			m.Log.Error(name+" stopped", "err", err)
		}
	})
}

// startTelegram connects the bot, sets its command menus and starts its
// intake: long polling, or the webhook route when TELEGRAM_WEBHOOK_URL is set.
func (m *Main) startTelegram(bundle *locales.Bundle) error {
	bot, err := telegram.New(telegram.Config{
		Token:         m.Config.TelegramBotToken,
		APIEndpoint:   m.Config.TelegramAPIEndpoint,
		WebhookURL:    m.Config.TelegramWebhookURL,
		WebhookSecret: m.derivedSecret("telegram-webhook"),
		Workers:       telegramWorkers,
		Log:           m.Log,
		Guard:         m.Guard,
		// Shared in the database: every replica sends as the same bot
		// and so draws on one ceiling.
		Budget: storage.NewSendBudget(m.DB),
	}, m.Engine, storage.NewSessionService(m.DB), bundle)
	if err != nil {
		return err
	}
	if err := bot.SetCommands(m.jobsCtx); err != nil {
		m.Log.Warn("telegram: set command menus", "err", err)
	}
	m.Telegram = bot
	m.Deliverer.Senders[domain.ChannelTelegram] = bot
	m.runLater("telegram intake", bot.Run)
	m.Log.Info("telegram channel on", "bot", bot.Username(), "webhook", m.Config.TelegramWebhookURL != "")
	return nil
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
