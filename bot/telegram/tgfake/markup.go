package tgfake

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// replyMarkup is any of the four reply_markup objects; which fields are set
// tells which one the bot sent.
type replyMarkup struct {
	InlineKeyboard        [][]InlineKeyboardButton `json:"inline_keyboard"`
	Keyboard              [][]KeyboardButton       `json:"keyboard"`
	RemoveKeyboard        bool                     `json:"remove_keyboard"`
	ForceReply            bool                     `json:"force_reply"`
	IsPersistent          bool                     `json:"is_persistent"`
	ResizeKeyboard        bool                     `json:"resize_keyboard"`
	OneTimeKeyboard       bool                     `json:"one_time_keyboard"`
	InputFieldPlaceholder string                   `json:"input_field_placeholder"`
	Selective             bool                     `json:"selective"`
}

type markup struct {
	inline   *InlineKeyboardMarkup
	keyboard *ReplyKeyboardMarkup
	remove   bool
}

func parseMarkup(p *params) (markup, *apiError) {
	var rm replyMarkup
	present, err := p.json("reply_markup", &rm)
	if err != nil {
		return markup{}, badRequest("can't parse reply keyboard markup JSON object")
	}
	if !present {
		return markup{}, nil
	}
	switch {
	case rm.InlineKeyboard != nil:
		if err := checkInline(rm.InlineKeyboard); err != nil {
			return markup{}, err
		}
		return markup{inline: &InlineKeyboardMarkup{InlineKeyboard: rm.InlineKeyboard}}, nil
	case rm.Keyboard != nil:
		for _, row := range rm.Keyboard {
			for _, b := range row {
				if b.Text == "" {
					return markup{}, badRequest("can't parse keyboard button: Text must be non-empty")
				}
			}
		}
		return markup{keyboard: &ReplyKeyboardMarkup{
			Keyboard: rm.Keyboard, IsPersistent: rm.IsPersistent, ResizeKeyboard: rm.ResizeKeyboard,
			OneTimeKeyboard: rm.OneTimeKeyboard, InputFieldPlaceholder: rm.InputFieldPlaceholder, Selective: rm.Selective,
		}}, nil
	case rm.RemoveKeyboard:
		return markup{remove: true}, nil
	case rm.ForceReply:
		return markup{}, nil
	}
	return markup{}, badRequest("can't parse reply keyboard markup JSON object")
}

// parseInlineOnly is for edits, which take nothing but an inline keyboard.
func parseInlineOnly(p *params) (*InlineKeyboardMarkup, *apiError) {
	m, err := parseMarkup(p)
	if err != nil {
		return nil, err
	}
	if m.keyboard != nil || m.remove {
		return nil, badRequest("can't parse inline keyboard markup JSON object")
	}
	return m.inline, nil
}

func checkInline(rows [][]InlineKeyboardButton) *apiError {
	for _, row := range rows {
		for _, b := range row {
			if b.Text == "" {
				return badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			actions := 0
			for _, set := range []bool{b.URL != nil, b.CallbackData != nil, b.SwitchInlineQuery != nil,
				b.SwitchInlineQueryCurrentChat != nil, b.CopyText != nil, b.WebApp != nil} {
				if set {
					actions++
				}
			}
			switch {
			case actions == 0:
				return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			case actions > 1:
				return badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
			case b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > MaxCallbackData):
				return badRequest("BUTTON_DATA_INVALID")
			case b.URL != nil && !validButtonURL(*b.URL):
				return badRequest("BUTTON_URL_INVALID")
			case b.WebApp != nil && !strings.HasPrefix(b.WebApp.URL, "https://"):
				// Telegram opens Mini Apps over https only.
				return badRequest("BUTTON_URL_INVALID")
			}
		}
	}
	return nil
}

func validButtonURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Scheme == "tg")
}

// sameJSON compares two values as Telegram would see them on the wire, so a
// nil keyboard and an absent one are equal.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// hasCallbackData reports whether m's keyboard has a button carrying data.
func hasCallbackData(m Message, data string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return true
			}
		}
	}
	return false
}
