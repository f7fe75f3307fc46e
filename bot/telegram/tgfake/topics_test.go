package tgfake_test

import (
	"encoding/json"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

const forum int64 = -1001234567890

// topicMessage is what v5.5.1's Message cannot hold (chat-platforms.md §B7).
type topicMessage struct {
	MessageID       int  `json:"message_id"`
	MessageThreadID int  `json:"message_thread_id"`
	IsTopicMessage  bool `json:"is_topic_message"`
	ReplyToMessage  *struct {
		MessageID int `json:"message_id"`
	} `json:"reply_to_message"`
}

func TestForumTopics(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.AddGroup(forum, "Indigo staff", true)
	srv.AddGroup(-1001000000009, "plain", false)
	chat := strconv.FormatInt(forum, 10)

	resp, err := bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": chat, "name": "Seller Alice"})
	if err != nil {
		t.Fatal(err)
	}
	var topic tgfake.ForumTopic
	json.Unmarshal(resp.Result, &topic)
	thread := strconv.Itoa(topic.MessageThreadID)
	if topic.MessageThreadID < 2 || topic.Name != "Seller Alice" || topic.IconColor != 7322096 {
		t.Fatalf("topic = %+v", topic)
	}

	for _, tt := range []struct {
		name   string
		method string
		params tgbotapi.Params
		want   string // error description, "" for success
	}{
		{"SendInThread", "sendMessage", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread, "text": "new return"}, ""},
		{"UnknownThread", "sendMessage", tgbotapi.Params{"chat_id": chat, "message_thread_id": "999", "text": "x"}, "Bad Request: message thread not found"},
		{"GeneralIsNotAThread", "sendMessage", tgbotapi.Params{"chat_id": chat, "message_thread_id": "1", "text": "x"}, "Bad Request: message thread not found"},
		{"NotAForum", "createForumTopic", tgbotapi.Params{"chat_id": "-1001000000009", "name": "x"}, "Bad Request: the chat is not a forum"},
		{"BadColor", "createForumTopic", tgbotapi.Params{"chat_id": chat, "name": "x", "icon_color": "1"}, "Bad Request: TOPIC_ICON_COLOR_INVALID"},
		{"Rename", "editForumTopic", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread, "name": "Seller Alice (VIP)"}, ""},
		{"EditUnknown", "editForumTopic", tgbotapi.Params{"chat_id": chat, "message_thread_id": "999", "name": "x"}, "Bad Request: message thread not found"},
		{"Close", "closeForumTopic", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread}, ""},
		{"SendToClosed", "sendMessage", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread, "text": "x"}, "Bad Request: TOPIC_CLOSED"},
		{"Reopen", "reopenForumTopic", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.MakeRequest(tt.method, tt.params)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}

	topics := srv.Topics(forum)
	if len(topics) != 1 || topics[0].Name != "Seller Alice (VIP)" || topics[0].Closed {
		t.Errorf("topics = %+v", topics)
	}
	sent := srv.Sent(forum)
	if first := sent[1]; first.Text != "new return" || first.MessageThreadID != topic.MessageThreadID ||
		first.ReplyToMessage == nil || first.ReplyToMessage.MessageID != topic.MessageThreadID {
		t.Errorf("message in topic = %+v, want thread %d replying to the topic root", first, topic.MessageThreadID)
	}

	srv.DeleteTopic(forum, topic.MessageThreadID)
	_, err = bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": chat, "message_thread_id": thread, "text": "x"})
	if err == nil || err.Error() != "Bad Request: message thread not found" {
		t.Errorf("send to deleted topic: %v", err)
	}
}

func TestStaffMessageInTopic(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.AddGroup(forum, "Indigo staff", true)
	resp, err := bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": strconv.FormatInt(forum, 10), "name": "Seller Bob"})
	if err != nil {
		t.Fatal(err)
	}
	var topic tgfake.ForumTopic
	json.Unmarshal(resp.Result, &topic)
	card := srv.SendGroupMessage(forum, topic.MessageThreadID, staff, "looking", 0)
	srv.SendGroupMessage(forum, topic.MessageThreadID, staff, "answer to that", card.MessageID)

	raw, err := bot.MakeRequest("getUpdates", tgbotapi.Params{"offset": "2"})
	if err != nil {
		t.Fatal(err)
	}
	var ups []struct {
		Message topicMessage `json:"message"`
	}
	json.Unmarshal(raw.Result, &ups)
	if len(ups) != 2 {
		t.Fatalf("updates = %s", raw.Result)
	}
	for i, wantReply := range []int{topic.MessageThreadID, card.MessageID} {
		m := ups[i].Message
		if m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage || m.ReplyToMessage == nil || m.ReplyToMessage.MessageID != wantReply {
			t.Errorf("update %d = %+v, want reply_to %d", i, m, wantReply)
		}
	}
	// v5.5.1 sending with only reply_to_message_id still lands in the topic.
	reply := tgbotapi.NewMessage(forum, "noted")
	reply.ReplyToMessageID = card.MessageID
	if _, err := bot.Send(reply); err != nil {
		t.Fatal(err)
	}
	if last, _ := srv.LastMessage(forum); last.MessageThreadID != topic.MessageThreadID {
		t.Errorf("reply landed in thread %d", last.MessageThreadID)
	}
}
