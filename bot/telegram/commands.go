package telegram

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
)

// setChatCommands shows one chat the command menu in lang, which the
// person chose in the bot: Telegram otherwise picks the list by the app's
// language. A failure leaves the app's list, and is only logged.
func (b *Bot) setChatCommands(ctx context.Context, chat int64, lang string) {
	cfg := tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(chat), b.commands(lang)...)
	if err := b.call(ctx, "set the chat's commands", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cfg)
		return err
	}); err != nil {
		b.log.Warn("telegram: set the chat's command menu", "chat", chat, "err", err)
	}
}

// commands is the command menu in lang.
func (b *Bot) commands(lang string) []tgbotapi.BotCommand {
	l := b.bundle.For(lang)
	var cmds []tgbotapi.BotCommand
	for _, name := range conversations.Commands() {
		cmds = append(cmds, tgbotapi.BotCommand{Command: name, Description: l.Label("command", name)})
	}
	return cmds
}

// SetCommands publishes the command menu in every language Indigo speaks.
// The default language's list goes without a language code, so Telegram
// shows it to everyone whose language has no list of its own.
func (b *Bot) SetCommands(ctx context.Context) error {
	for i, lang := range locales.Languages() {
		cmds := b.commands(lang)
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
