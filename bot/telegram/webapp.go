package telegram

import tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

// webapp.go: inline keyboards with Mini App buttons. telegram-bot-api
// v5.5.1 predates web_app buttons; a reply_markup goes to Telegram as the
// JSON of whatever value it is given, so the bot's keyboards are its own
// type: tgbotapi's button with the one field it lacks. Edits, whose
// config insists on tgbotapi's type, get the keyboard with those buttons
// as links (plain).

// keyboard is an inline keyboard as Telegram's JSON has it.
type keyboard struct {
	InlineKeyboard [][]keyButton `json:"inline_keyboard"`
}

type keyButton struct {
	tgbotapi.InlineKeyboardButton
	WebApp *webAppInfo `json:"web_app,omitempty"`
	link   string      // where plain sends a Mini App button
}

// webAppInfo is the page a web_app button opens, with signed init data.
type webAppInfo struct {
	URL string `json:"url"`
}

// plain is the keyboard in tgbotapi's type: a Mini App button becomes its
// conversations.Button's link (the web view's page), or is left out.
func (k *keyboard) plain() *tgbotapi.InlineKeyboardMarkup {
	if k == nil {
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, row := range k.InlineKeyboard {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if b.WebApp != nil {
				if b.link == "" {
					continue
				}
				b.InlineKeyboardButton = tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.link)
			}
			r = append(r, b.InlineKeyboardButton)
		}
		if len(r) > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}
