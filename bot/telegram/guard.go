package telegram

import (
	"context"
	"encoding/json"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// guard.go: no update brings the bot down or holds up the ones after it.
// A panic while one is handled is recovered by Config.Guard and counted in
// the database; the update is tried again like any failure, and the third
// panic sets it aside for good (staff are told once), the person hears
// that it was, and their chat goes on. An update the library cannot even
// decode is skipped by its update_id alone.

// handleGuarded is handle under the guard.
func (b *intake) handleGuarded(ctx context.Context, u tgbotapi.Update) error {
	item := domain.WorkItem{Worker: domain.WorkerTelegramUpdate,
		Key: strconv.FormatInt(b.id, 10) + "/" + strconv.Itoa(u.UpdateID)}
	if chat := chatOf(u); chat != 0 {
		item.ChatID = strconv.FormatInt(chat, 10)
	}
	return b.cfg.Guard.Run(ctx, item, func(ctx context.Context) error { return b.handle(ctx, u) })
}

// giveUp tells the person their update could not be handled, so the bot
// does not just fall silent, once it is moved past for good: msgID says
// why (error.internal for an outage, error.input.set_aside for a bug).
// It runs outside the guard, so a panic on this path is recovered too.
func (b *Bot) giveUp(ctx context.Context, u tgbotapi.Update, msgID string) {
	err := domain.Recovered(func() error {
		in, chat, ok := b.input(u)
		if !ok {
			return nil
		}
		sorry := conversations.Reply{Text: b.bundle.For(in.LanguageCode).T(msgID)}
		return b.Send(ctx, strconv.FormatInt(chat, 10), []conversations.Reply{sorry})
	})
	if err != nil {
		b.log.Warn("telegram: apologise", "update", u.UpdateID, "err", err)
	}
}

// skipUndecodable logs an update that does not decode and returns its
// update_id, read alone, so that the offset can move past it. Its content
// is not logged: it is a person's message.
func (b *Bot) skipUndecodable(raw []byte, cause error) (int, bool) {
	var head struct {
		UpdateID *int `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.UpdateID == nil {
		b.log.Error("telegram: update without an update_id dropped", "bytes", len(raw), "err", cause)
		return 0, false
	}
	b.log.Error("telegram: undecodable update skipped", "update", *head.UpdateID, "bytes", len(raw), "err", cause)
	return *head.UpdateID, true
}
