package main

import (
	"context"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/domain"
)

// degrade.go: a platform that cannot be reached takes only itself down
// (issue 22). Telegram is the one the service must reach before it can
// use it (getMe, then polling or the webhook's registration): its
// supervisor retries with backoff until it answers, and again whenever
// its intake stops on an error, while the web view, WeChat and the jobs
// run on. WB and WeChat are only called per request, each retried as
// its client's rules say; their state comes from the Observe hooks.

// Reconnect backoff: from the first wait, doubling, up to the last.
const (
	reconnectFirst = time.Second
	reconnectMax   = time.Minute
)

// superviseTelegram connects the bot, sets its menus and runs its intake,
// reconnecting with backoff when either fails, until ctx ends.
func (m *Main) superviseTelegram(ctx context.Context, bot *telegram.Bot) error {
	wait := time.Duration(0)
	for ctx.Err() == nil {
		if err := m.sleep(ctx, wait); err != nil {
			return nil
		}
		wait = min(max(2*wait, reconnectFirst), reconnectMax)
		if err := bot.Connect(ctx); err != nil {
			if ctx.Err() == nil {
				m.Parts.set(domain.PartTelegram, err)
				m.Log.Warn("telegram unreachable: the rest of the service runs on; retrying", "err", err, "retry_in", wait)
			}
			continue
		}
		m.Parts.set(domain.PartTelegram, nil)
		m.Log.Info("telegram channel on", "bot", bot.Username(), "webhook", m.Config.TelegramWebhookURL != "")
		if err := bot.SetCommands(ctx); err != nil {
			m.Log.Warn("telegram: set command menus", "err", err)
		}
		if err := bot.Run(ctx, m.Engine); err != nil && ctx.Err() == nil {
			m.Parts.set(domain.PartTelegram, err)
			m.Log.Warn("telegram intake stopped; reconnecting", "err", err, "retry_in", wait)
			continue
		}
		return nil
	}
	return nil
}

// sleep waits d on the platforms' clock (Options.Clock), so that tests on
// a jumping clock wait out a backoff in no time.
func (m *Main) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if c := m.opts.Clock; c != nil {
		return c.SleepUntil(ctx, c.Now().Add(d))
	}
	return domain.Sleep(ctx, d)
}
