package tgfake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

func keyboard(data ...string) tgbotapi.InlineKeyboardMarkup {
	var row []tgbotapi.InlineKeyboardButton
	for _, d := range data {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(strings.ToUpper(d), d))
	}
	return tgbotapi.NewInlineKeyboardMarkup(row)
}

func TestSendEditDelete(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)

	msg := tgbotapi.NewMessage(alice, "<b>Return</b> #42 &amp; more")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = keyboard("sell", "dispose")
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if sent.Text != "Return #42 & more" || len(sent.Entities) != 1 || sent.Entities[0].Type != "bold" {
		t.Errorf("sent = %q %+v", sent.Text, sent.Entities)
	}

	steps := []struct {
		name    string
		do      tgbotapi.Chattable
		wantErr string
		check   func(tgfake.Message) string
	}{
		{"EditKeepsKeyboard", tgbotapi.NewEditMessageTextAndMarkup(alice, sent.MessageID, "Return #42", keyboard("sell")), "",
			func(m tgfake.Message) string {
				return cmp.Diff("Return #42 sell", m.Text+" "+*m.ReplyMarkup.InlineKeyboard[0][0].CallbackData)
			}},
		{"SameContentNotModified", tgbotapi.NewEditMessageTextAndMarkup(alice, sent.MessageID, "Return #42", keyboard("sell")),
			"Bad Request: message is not modified", nil},
		{"EditWithoutMarkupDropsKeyboard", tgbotapi.NewEditMessageText(alice, sent.MessageID, "Decided"), "",
			func(m tgfake.Message) string {
				if m.ReplyMarkup != nil || m.EditDate == 0 {
					return "keyboard kept or edit_date missing"
				}
				return ""
			}},
		{"EditMarkup", tgbotapi.NewEditMessageReplyMarkup(alice, sent.MessageID, keyboard("undo")), "",
			func(m tgfake.Message) string {
				return cmp.Diff("undo", *m.ReplyMarkup.InlineKeyboard[0][0].CallbackData)
			}},
		{"EditUnknown", tgbotapi.NewEditMessageText(alice, 9999, "x"), "Bad Request: message to edit not found", nil},
		{"EditUsersMessage", tgbotapi.NewEditMessageText(alice, 1, "x"), "Bad Request: message can't be edited", nil},
		{"Delete", tgbotapi.NewDeleteMessage(alice, sent.MessageID), "", nil},
		{"DeleteAgain", tgbotapi.NewDeleteMessage(alice, sent.MessageID), "Bad Request: message to delete not found", nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := bot.Request(st.do)
			if st.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), st.wantErr) {
					t.Fatalf("err = %v, want %q", err, st.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if st.check != nil {
				m, _ := srv.LastMessage(alice)
				if diff := st.check(m); diff != "" {
					t.Error(diff)
				}
			}
		})
	}
	if got := srv.Sent(alice); len(got) != 0 {
		t.Errorf("Sent after delete = %+v", got)
	}
}

func TestSendErrors(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.AddGroup(-500, "old staff", false)
	srv.MigrateGroup(-500, -1009990001)
	srv.SendCommand(bob, "start", "")
	srv.Block(bob)
	long := strings.Repeat("я", tgfake.MaxTextLength+1)
	bigData := strings.Repeat("x", 65)

	withMarkup := tgbotapi.NewMessage(alice, "pick")
	withMarkup.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A", bigData)))
	badHTML := tgbotapi.NewMessage(alice, "<b>bold<i>both</b></i>")
	badHTML.ParseMode = tgbotapi.ModeHTML
	unsupportedTag := tgbotapi.NewMessage(alice, "<div>x</div>")
	unsupportedTag.ParseMode = tgbotapi.ModeHTML
	reply := tgbotapi.NewMessage(alice, "re")
	reply.ReplyToMessageID = 777

	for _, tt := range []struct {
		name      string
		msg       tgbotapi.MessageConfig
		code      int
		desc      string
		migrateTo int64
	}{
		{"TooLong", tgbotapi.NewMessage(alice, long), 400, "Bad Request: message is too long", 0},
		{"Empty", tgbotapi.NewMessage(alice, " "), 400, "Bad Request: message text is empty", 0},
		{"CallbackDataOver64Bytes", withMarkup, 400, "Bad Request: BUTTON_DATA_INVALID", 0},
		{"UnmatchedTag", badHTML, 400, `Bad Request: can't parse entities: Unmatched end tag at byte offset 14, expected "</i>", found "</b>"`, 0},
		{"UnsupportedTag", unsupportedTag, 400, `Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0`, 0},
		{"ReplyToMissing", reply, 400, "Bad Request: message to be replied not found", 0},
		{"UnknownChat", tgbotapi.NewMessage(424242, "hi"), 400, "Bad Request: chat not found", 0},
		{"NeverStarted", tgbotapi.NewMessage(staff, "hi"), 403, "Forbidden: bot can't initiate conversation with a user", 0},
		{"Blocked", tgbotapi.NewMessage(bob, "hi"), 403, "Forbidden: bot was blocked by the user", 0},
		{"MigratedGroup", tgbotapi.NewMessage(-500, "hi"), 400, "Bad Request: group chat was upgraded to a supergroup chat", -1009990001},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.Send(tt.msg)
			e := apiError(t, err)
			if e.Code != tt.code || e.Message != tt.desc || e.MigrateToChatID != tt.migrateTo {
				t.Errorf("got %d %q migrate=%d, want %d %q migrate=%d", e.Code, e.Message, e.MigrateToChatID, tt.code, tt.desc, tt.migrateTo)
			}
		})
	}
}

func TestCaptionTooLong(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	photo := srv.SendPhoto(alice, jpegBytes(t, 20, 20), "")
	cfg := tgbotapi.NewPhoto(alice, tgbotapi.FileID(photo.Photo[0].FileID))
	cfg.Caption = strings.Repeat("c", tgfake.MaxCaptionLength+1)
	_, err := bot.Send(cfg)
	if e := apiError(t, err); e.Message != "Bad Request: message caption is too long" {
		t.Errorf("err = %q", e.Message)
	}
}

func TestBlockedUserUpdates(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.Block(alice)
	srv.SendText(alice, "I'm back") // unblocks first, like Telegram's Restart button

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range ups {
		switch {
		case u.MyChatMember != nil:
			got = append(got, u.MyChatMember.OldChatMember.Status+"->"+u.MyChatMember.NewChatMember.Status)
		case u.Message != nil:
			got = append(got, u.Message.Text)
		}
	}
	want := []string{"/start", "member->kicked", "kicked->member", "I'm back"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("updates (-want +got):\n%s", diff)
	}
}

func TestCallbackQueryFlow(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	msg := tgbotapi.NewMessage(alice, "Decide return 42")
	msg.ReplyMarkup = keyboard("d:42:sell", "d:42:dispose")
	if _, err := bot.Send(msg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shown, err := srv.WaitForMessage(ctx, alice, func(m tgfake.Message) bool { return m.ReplyMarkup != nil })
	if err != nil {
		t.Fatal(err)
	}
	qid := srv.PressButton(alice, shown, "d:42:sell")

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2}) // 1 was /start
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	q := ups[0].CallbackQuery
	if q.ID != qid || q.Data != "d:42:sell" || q.From.ID != alice || q.Message.MessageID != shown.MessageID {
		t.Errorf("callback = %+v", q)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, "Saved")); err != nil {
		t.Fatalf("answer: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(q.ID, "again"))
	if e := apiError(t, err); !strings.HasPrefix(e.Message, "Bad Request: query is too old") {
		t.Errorf("second answer: %q", e.Message)
	}
	want := []tgfake.CallbackAnswer{{CallbackQueryID: qid, Text: "Saved"}}
	if diff := cmp.Diff(want, srv.CallbackAnswers()); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

func TestReplyKeyboardContact(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	msg := tgbotapi.NewMessage(alice, "Share your phone")
	msg.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact("Share")))
	if _, err := bot.Send(msg); err != nil {
		t.Fatal(err)
	}
	last, _ := srv.LastMessage(alice)
	if last.Keyboard == nil || !last.Keyboard.Keyboard[0][0].RequestContact || !last.Keyboard.OneTimeKeyboard {
		t.Fatalf("keyboard = %+v", last.Keyboard)
	}
	sent := srv.SendContact(alice, "+79990001122")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2})
	if err != nil || len(ups) != 1 || ups[0].Message.Contact == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	if c := ups[0].Message.Contact; c.PhoneNumber != "+79990001122" || c.UserID != alice || ups[0].Message.MessageID != sent.MessageID {
		t.Errorf("contact = %+v", c)
	}
}

func TestCopyAndForward(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.AddGroup(-1001000000001, "Staff", false)
	in := srv.SendText(alice, "my parcel is damaged")

	id, err := bot.CopyMessage(tgbotapi.NewCopyMessage(-1001000000001, alice, in.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := bot.Send(tgbotapi.NewForward(-1001000000001, alice, in.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Sent(-1001000000001)
	if len(got) != 2 || got[0].MessageID != id.MessageID || got[0].Text != in.Text || got[0].ForwardOrigin != nil {
		t.Errorf("copy = %+v", got)
	}
	if fwd.ForwardFrom == nil || fwd.ForwardFrom.ID != alice || fwd.Text != in.Text {
		t.Errorf("forward = %+v", fwd)
	}
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(-1001000000001, alice, 9999))
	if e := apiError(t, err); e.Message != "Bad Request: message to copy not found" {
		t.Errorf("err = %q", e.Message)
	}
}

func TestCommands(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	for _, tt := range []struct {
		name    string
		cfg     tgbotapi.SetMyCommandsConfig
		wantErr string
	}{
		{"Default", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Start"}), ""},
		{"Russian", tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "ru",
			tgbotapi.BotCommand{Command: "start", Description: "Начать"}), ""},
		{"UpperCase", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Start", Description: "x"}), "Bad Request: BOT_COMMAND_INVALID"},
		{"NoDescription", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start"}), "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.Request(tt.cfg)
			if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if got := srv.Commands("ru"); len(got) != 1 || got[0].Description != "Начать" {
		t.Errorf("ru commands = %+v", got)
	}
	if got := srv.Commands(""); len(got) != 1 || got[0].Description != "Start" {
		t.Errorf("default commands = %+v", got)
	}
}
