package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// topics.go: forum topics (Bot API 6.3+) around go-telegram-bot-api v5.5.1,
// which predates them (chat-platforms.md §B7). The library is kept: topic
// methods go through its MakeRequest, message_thread_id is one more send
// parameter, and the update fields it drops are read from the raw update
// JSON a second time. Nothing else in the adapter knows the difference.

// topicFields are a message's fields v5.5.1 drops.
type topicFields struct {
	ThreadID       int64 // message_thread_id: a topic, or in any supergroup a reply chain
	IsTopicMessage bool  // the message is in a forum topic, not a reply chain
	SenderChatID   int64 // sender_chat: set when an anonymous admin posts as the group
}

type rawMessage struct {
	MessageThreadID int64 `json:"message_thread_id"`
	IsTopicMessage  bool  `json:"is_topic_message"`
	SenderChat      *struct {
		ID int64 `json:"id"`
	} `json:"sender_chat"`
}

func (m *rawMessage) fields() topicFields {
	if m == nil {
		return topicFields{}
	}
	f := topicFields{ThreadID: m.MessageThreadID, IsTopicMessage: m.IsTopicMessage}
	if m.SenderChat != nil {
		f.SenderChatID = m.SenderChat.ID
	}
	return f
}

type rawUpdate struct {
	Message       *rawMessage `json:"message"`
	CallbackQuery *struct {
		Message *rawMessage `json:"message"`
	} `json:"callback_query"`
}

// fetchUpdates is tgbotapi's GetUpdates through MakeRequest, so that each
// update's raw JSON can be read twice.
func (b *Bot) fetchUpdates(ctx context.Context, cfg tgbotapi.UpdateConfig) ([]tgbotapi.Update, error) {
	allowed, err := json.Marshal(cfg.AllowedUpdates)
	if err != nil {
		return nil, err
	}
	resp, err := b.with(ctx).MakeRequest("getUpdates", tgbotapi.Params{
		"offset": strconv.Itoa(cfg.Offset), "limit": strconv.Itoa(cfg.Limit),
		"timeout": strconv.Itoa(cfg.Timeout), "allowed_updates": string(allowed),
	})
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("decode updates: %w", err)
	}
	if c := b.staff.Load(); c != nil {
		c.forgetBefore(cfg.Offset)
	}
	out := make([]tgbotapi.Update, 0, len(raws))
	for _, raw := range raws {
		u, err := b.decodeUpdate(raw)
		if err != nil {
			// One update the library cannot read must not hold up the batch:
			// it stands in as an empty update, handled as nothing, so the
			// offset moves past it with its neighbours (guard.go).
			id, ok := b.skipUndecodable(raw, err)
			if !ok {
				continue
			}
			u = tgbotapi.Update{UpdateID: id}
		}
		out = append(out, u)
	}
	return out, nil
}

// decodeUpdate decodes an update for tgbotapi and, for the staff chat,
// keeps the topic fields until the update is handled.
func (b *Bot) decodeUpdate(raw []byte) (tgbotapi.Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return u, err
	}
	c := b.staff.Load()
	if c == nil || !c.owns(chatOf(u)) {
		return u, nil
	}
	var ru rawUpdate
	if err := json.Unmarshal(raw, &ru); err != nil {
		return u, err
	}
	f := ru.Message.fields()
	if ru.CallbackQuery != nil {
		f = ru.CallbackQuery.Message.fields()
	}
	c.fields.Store(u.UpdateID, f)
	return u, nil
}

// createTopic opens a forum topic and returns its message_thread_id.
func (b *Bot) createTopic(ctx context.Context, chat int64, name string) (int64, error) {
	var topic struct {
		MessageThreadID int64 `json:"message_thread_id"`
	}
	err := b.call(ctx, "create forum topic", func(api *tgbotapi.BotAPI) error {
		resp, err := api.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": strconv.FormatInt(chat, 10), "name": name})
		if err != nil {
			return err
		}
		return json.Unmarshal(resp.Result, &topic)
	})
	if err == nil && topic.MessageThreadID == 0 {
		err = errors.New("create forum topic: no message_thread_id in the answer")
	}
	return topic.MessageThreadID, err
}

// editTopic renames a topic; the same name again is no error.
func (b *Bot) editTopic(ctx context.Context, chat, thread int64, name string) error {
	err := b.call(ctx, "edit forum topic", func(api *tgbotapi.BotAPI) error {
		_, err := api.MakeRequest("editForumTopic", tgbotapi.Params{
			"chat_id": strconv.FormatInt(chat, 10), "message_thread_id": strconv.FormatInt(thread, 10), "name": name})
		return err
	})
	if isAPIError(err, "TOPIC_NOT_MODIFIED") {
		return nil
	}
	return err
}

// isForum reads Chat.is_forum, which v5.5.1's Chat lacks.
func (b *Bot) isForum(ctx context.Context, chat int64) (bool, error) {
	var c struct {
		IsForum bool `json:"is_forum"`
	}
	err := b.call(ctx, "get chat", func(api *tgbotapi.BotAPI) error {
		resp, err := api.MakeRequest("getChat", tgbotapi.Params{"chat_id": strconv.FormatInt(chat, 10)})
		if err != nil {
			return err
		}
		return json.Unmarshal(resp.Result, &c)
	})
	return c.IsForum, err
}

// inThread puts a send into a topic. Thread 0 is no topic (General); naming
// General's id 1 fails with "message thread not found".
func inThread(p tgbotapi.Params, thread int64) {
	if thread > 1 {
		p["message_thread_id"] = strconv.FormatInt(thread, 10)
	}
}

// threadGone reports Telegram's answer for a deleted or archived topic.
func threadGone(err error) bool { return isAPIError(err, "message thread not found") }

// migratedTo is the supergroup a group became, from a send's error.
func migratedTo(err error) int64 {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.MigrateToChatID
	}
	return 0
}
