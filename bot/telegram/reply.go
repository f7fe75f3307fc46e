package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
)

// Telegram's limits, counted in UTF-16 code units (callback data in bytes).
const (
	maxText         = 4096
	maxCaption      = 1024
	maxCallbackData = 64
	maxToast        = 200
	maxAlbum        = 10
)

// Send delivers replies to a chat, in order: the engine's answer to an
// update, or a push. It stops at the first ErrBlocked; other failures are
// joined and the remaining replies still go out.
func (b *Bot) Send(ctx context.Context, chatID string, replies []conversations.Reply) error {
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return fmt.Errorf("send to telegram chat %q: %w", chatID, err)
	}
	var errs []error
	for _, r := range replies {
		if err := b.sendReply(ctx, chat, r); err != nil {
			if errors.Is(err, ErrBlocked) {
				return fmt.Errorf("send to telegram chat %d: %w", chat, err)
			}
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("send to telegram chat %d: %w", chat, err)
	}
	return nil
}

func (b *Bot) sendReply(ctx context.Context, chat int64, r conversations.Reply) error {
	if r.Menu != "" {
		b.setChatCommands(ctx, chat, r.Menu)
	}
	if r.DeleteMessage != "" {
		if err := b.deleteMessage(ctx, chat, r.DeleteMessage); err != nil {
			return err
		}
	}
	switch {
	case len(r.Photos) > 0:
		return b.sendPhotos(ctx, chat, r)
	case strings.TrimSpace(r.Text) == "":
		return nil // a toast or a deletion only
	case r.EditMessageID != "" && r.ContactButton == "":
		return b.editText(ctx, chat, r)
	default:
		return b.sendText(ctx, chat, r)
	}
}

// sendText sends text in parts of at most 4096 characters, the keyboard on
// the last one.
func (b *Bot) sendText(ctx context.Context, chat int64, r conversations.Reply) error {
	kb := b.inlineKeyboard(r.Buttons)
	parts := splitText(r.Text, maxText)
	for i, part := range parts {
		msg := tgbotapi.NewMessage(chat, part)
		if i == len(parts)-1 {
			msg.ReplyMarkup = b.markup(chat, kb, r.ContactButton)
		}
		if err := b.send(ctx, chat, "send message", func(api *tgbotapi.BotAPI) error {
			_, err := api.Send(msg)
			return err
		}); err != nil {
			return err
		}
		b.keyboardShown(chat, msg.ReplyMarkup)
	}
	if kb != nil && r.ContactButton != "" {
		// One message holds one keyboard: the inline one (with "skip") went
		// with the text, so the contact key needs a message of its own.
		msg := tgbotapi.NewMessage(chat, r.ContactButton)
		msg.ReplyMarkup = b.markup(chat, nil, r.ContactButton)
		if err := b.send(ctx, chat, "send contact keyboard", func(api *tgbotapi.BotAPI) error {
			_, err := api.Send(msg)
			return err
		}); err != nil {
			return err
		}
		b.keyboardShown(chat, msg.ReplyMarkup)
	}
	return nil
}

// markup picks a message's one keyboard. A message without buttons also
// takes away a contact keyboard left from an earlier step.
func (b *Bot) markup(chat int64, kb *keyboard, contact string) any {
	switch {
	case kb != nil:
		return kb
	case contact != "":
		k := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(contact)))
		k.ResizeKeyboard = true
		return k
	}
	if _, shown := b.keyboards.Load(chat); shown {
		return tgbotapi.NewRemoveKeyboard(false)
	}
	return nil
}

// keyboardShown records what a sent message did to the chat's reply keyboard.
func (b *Bot) keyboardShown(chat int64, markup any) {
	switch markup.(type) {
	case tgbotapi.ReplyKeyboardMarkup:
		b.keyboards.Store(chat, true)
	case tgbotapi.ReplyKeyboardRemove:
		b.keyboards.Delete(chat)
	}
}

// editText edits a message in place, or sends a new one when Telegram can
// no longer edit it (deleted, too old, a photo).
func (b *Bot) editText(ctx context.Context, chat int64, r conversations.Reply) error {
	id, err := strconv.Atoi(r.EditMessageID)
	if err != nil || utf16Len(r.Text) > maxText {
		return b.sendText(ctx, chat, r)
	}
	cfg := tgbotapi.NewEditMessageText(chat, id, r.Text)
	cfg.ReplyMarkup = b.inlineKeyboard(r.Buttons).plain()
	err = b.call(ctx, "edit message", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cfg)
		return err
	})
	switch {
	case err == nil:
		return nil
	case isAPIError(err, "message is not modified"):
		// The person already sees exactly this; a copy below would be noise.
		return nil
	case isAPIError(err, "message to edit not found"), isAPIError(err, "message can't be edited"),
		isAPIError(err, "there is no text in the message to edit"):
		return b.sendText(ctx, chat, r)
	}
	return err
}

func (b *Bot) deleteMessage(ctx context.Context, chat int64, messageID string) error {
	id, err := strconv.Atoi(messageID)
	if err != nil {
		return fmt.Errorf("delete message %q: %w", messageID, err)
	}
	err = b.call(ctx, "delete message", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(tgbotapi.NewDeleteMessage(chat, id))
		return err
	})
	switch {
	case isAPIError(err, "message to delete not found"):
		return nil
	case isAPIError(err, "message can't be deleted"):
		// Too old to delete (48 h): nothing else can be done about it.
		b.log.Warn("telegram: message left undeleted", "chat", chat, "message", id)
		return nil
	}
	return err
}

// inlineKeyboard draws the buttons. A button whose data Telegram would
// refuse (empty, over 64 bytes) is left out and logged: one bad button
// must not cost the whole message. A web view button opens as a Mini App
// where Telegram allows one (an https page), else as its link.
func (b *Bot) inlineKeyboard(rows [][]conversations.Button) *keyboard {
	var out [][]keyButton
	for _, row := range rows {
		var r []keyButton
		for _, btn := range row {
			switch {
			case strings.HasPrefix(btn.WebApp, "https://"):
				r = append(r, keyButton{InlineKeyboardButton: tgbotapi.InlineKeyboardButton{Text: btn.Text}, WebApp: &webAppInfo{URL: btn.WebApp}, link: btn.URL})
				continue
			case btn.URL != "":
				r = append(r, keyButton{InlineKeyboardButton: tgbotapi.NewInlineKeyboardButtonURL(btn.Text, btn.URL)})
				continue
			}
			if n := len(btn.Data); n == 0 || n > maxCallbackData {
				b.log.Error("telegram: button left out: callback data must be 1–64 bytes", "label", btn.Text, "bytes", n)
				continue
			}
			r = append(r, keyButton{InlineKeyboardButton: tgbotapi.NewInlineKeyboardButtonData(btn.Text, btn.Data)})
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &keyboard{InlineKeyboard: out}
}

// toast is the answer to a pressed button: the first toast of the replies.
func toast(replies []conversations.Reply) string {
	for _, r := range replies {
		if r.Toast != "" {
			return truncate(r.Toast, maxToast)
		}
	}
	return ""
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncate cuts s to at most max UTF-16 units, on a rune boundary.
func truncate(s string, max int) string {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > max {
			return s[:i]
		}
	}
	return s
}

// splitText cuts s into parts of at most max UTF-16 units, at a line break
// or else a space in the second half of each part, so words stay whole.
func splitText(s string, max int) []string {
	var parts []string
	for utf16Len(s) > max {
		cut := len(truncate(s, max))
		if i := strings.LastIndexByte(s[:cut], '\n'); i > cut/2 {
			cut = i + 1
		} else if i := strings.LastIndexByte(s[:cut], ' '); i > cut/2 {
			cut = i + 1
		}
		if cut == 0 { // a first rune wider than max; cannot happen for max ≥ 2
			_, cut = utf8.DecodeRuneInString(s)
		}
		parts = appendPart(parts, s[:cut])
		s = s[cut:]
	}
	return appendPart(parts, s)
}

// appendPart keeps Telegram from refusing a part that is only whitespace.
func appendPart(parts []string, p string) []string {
	p = strings.TrimRight(p, " \n")
	if strings.TrimSpace(p) == "" {
		return parts
	}
	return append(parts, p)
}
