package telegram

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
)

// SetCommands publishes the command menu in every language Indigo speaks.
// The default language's list goes without a language code, so Telegram
// shows it to everyone whose language has no list of its own.
func (b *Bot) SetCommands(ctx context.Context) error {
	for i, lang := range locales.Languages() {
		l := b.bundle.For(lang)
		var cmds []tgbotapi.BotCommand
		for _, name := range conversations.Commands() {
			cmds = append(cmds, tgbotapi.BotCommand{Command: name, Description: l.Label("command", name)})
		}
		code := lang
		if i == 0 {
			code = ""
		}
		cfg := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), code, cmds...)
		if err := b.call(ctx, "set commands in "+lang, func(api *tgbotapi.BotAPI) error {
			_, err := api.Request(cfg)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
