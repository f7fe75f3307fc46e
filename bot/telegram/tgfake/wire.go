package tgfake

import "encoding/json"

// The structs below are written from the Bot API reference, not copied from
// tgbotapi: a fake sharing the client's structs could not catch a wrong JSON
// tag on either side. Fields tagged `json:"-"` are for inspection only.

// User is a Telegram user or bot.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`

	// Returned by getMe only.
	CanJoinGroups           bool `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   bool `json:"supports_inline_queries,omitempty"`
}

// Chat is a private chat, group or supergroup.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // "private", "group" or "supergroup"
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	IsForum   bool   `json:"is_forum,omitempty"`
}

// Message is a message as Telegram returns it. Service messages (topic
// created, group migrated) are Messages too.
type Message struct {
	MessageID       int      `json:"message_id"`
	MessageThreadID int      `json:"message_thread_id,omitempty"`
	From            *User    `json:"from,omitempty"`
	SenderChat      *Chat    `json:"sender_chat,omitempty"`
	Date            int64    `json:"date"`
	Chat            Chat     `json:"chat"`
	IsTopicMessage  bool     `json:"is_topic_message,omitempty"`
	ReplyToMessage  *Message `json:"reply_to_message,omitempty"`
	EditDate        int64    `json:"edit_date,omitempty"`
	MediaGroupID    string   `json:"media_group_id,omitempty"`

	// Forwards carry forward_origin since Bot API 7.0 and the older
	// forward_from/forward_date, which v5.5.1 still reads.
	ForwardOrigin *MessageOrigin `json:"forward_origin,omitempty"`
	ForwardFrom   *User          `json:"forward_from,omitempty"`
	ForwardDate   int64          `json:"forward_date,omitempty"`

	Text            string          `json:"text,omitempty"`
	Entities        []MessageEntity `json:"entities,omitempty"`
	Photo           []PhotoSize     `json:"photo,omitempty"`
	Document        *Document       `json:"document,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []MessageEntity `json:"caption_entities,omitempty"`
	Contact         *Contact        `json:"contact,omitempty"`

	MigrateToChatID    int64              `json:"migrate_to_chat_id,omitempty"`
	MigrateFromChatID  int64              `json:"migrate_from_chat_id,omitempty"`
	ForumTopicCreated  *ForumTopicCreated `json:"forum_topic_created,omitempty"`
	ForumTopicEdited   *ForumTopicEdited  `json:"forum_topic_edited,omitempty"`
	ForumTopicClosed   *struct{}          `json:"forum_topic_closed,omitempty"`
	ForumTopicReopened *struct{}          `json:"forum_topic_reopened,omitempty"`

	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`

	// Keyboard is the reply keyboard the bot attached. Telegram never echoes
	// it back, so it is not part of the wire format.
	Keyboard *ReplyKeyboardMarkup `json:"-"`
	// RemoveKeyboard is set when the bot sent remove_keyboard with this message.
	RemoveKeyboard bool `json:"-"`
}

// MessageOrigin tells where a forwarded message came from.
type MessageOrigin struct {
	Type       string `json:"type"` // "user" or "chat"
	Date       int64  `json:"date"`
	SenderUser *User  `json:"sender_user,omitempty"`
	SenderChat *Chat  `json:"sender_chat,omitempty"`
}

// MessageEntity marks a span of text; offsets and lengths are in UTF-16 code units.
type MessageEntity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// PhotoSize is one size of a photo; Telegram lists them smallest first.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Contact is a shared phone number.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// File is the result of getFile.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// InlineKeyboardMarkup is the keyboard under a message.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is one inline button; exactly one action field is set.
type InlineKeyboardButton struct {
	Text                         string  `json:"text"`
	URL                          *string `json:"url,omitempty"`
	CallbackData                 *string `json:"callback_data,omitempty"`
	SwitchInlineQuery            *string `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string `json:"switch_inline_query_current_chat,omitempty"`
	CopyText                     *struct {
		Text string `json:"text"`
	} `json:"copy_text,omitempty"`
	// WebApp opens a Mini App: Telegram loads the page with signed init
	// data (private chats only; the URL must be https).
	WebApp *WebAppInfo `json:"web_app,omitempty"`
}

// WebAppInfo is a Mini App's page.
type WebAppInfo struct {
	URL string `json:"url"`
}

// ReplyKeyboardMarkup is a custom keyboard replacing the user's keyboard.
type ReplyKeyboardMarkup struct {
	Keyboard              [][]KeyboardButton `json:"keyboard"`
	IsPersistent          bool               `json:"is_persistent,omitempty"`
	ResizeKeyboard        bool               `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard       bool               `json:"one_time_keyboard,omitempty"`
	InputFieldPlaceholder string             `json:"input_field_placeholder,omitempty"`
	Selective             bool               `json:"selective,omitempty"`
}

// KeyboardButton is one reply-keyboard button.
type KeyboardButton struct {
	Text            string `json:"text"`
	RequestContact  bool   `json:"request_contact,omitempty"`
	RequestLocation bool   `json:"request_location,omitempty"`
}

// CallbackQuery is a press on an inline button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// ChatMember is a member's status; "member" and "kicked" are the ones the fake uses.
type ChatMember struct {
	Status    string `json:"status"`
	User      User   `json:"user"`
	UntilDate *int64 `json:"until_date,omitempty"`
}

// ChatMemberUpdated reports a change of the bot's own status, such as a block.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming update; exactly one optional field is set.
type Update struct {
	UpdateID      int                `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`

	// rawKind and raw stand for the whole update when set: what a newer
	// Bot API (or a broken one) sends and a client may fail to decode.
	rawKind string
	raw     json.RawMessage
}

// MarshalJSON writes a raw update as {"update_id":…,"<kind>":<raw>}.
func (u Update) MarshalJSON() ([]byte, error) {
	if u.raw == nil {
		type plain Update // without the method
		return json.Marshal(plain(u))
	}
	return json.Marshal(map[string]any{"update_id": u.UpdateID, u.rawKind: u.raw})
}

// kind is the update's type as allowed_updates names it.
func (u Update) kind() string {
	switch {
	case u.rawKind != "":
		return u.rawKind
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	default:
		return "my_chat_member"
	}
}

// ForumTopic is the result of createForumTopic. Closed is the fake's own
// bookkeeping: the Bot API has no call that lists topics.
type ForumTopic struct {
	MessageThreadID   int    `json:"message_thread_id"`
	Name              string `json:"name"`
	IconColor         int    `json:"icon_color"`
	IconCustomEmojiID string `json:"icon_custom_emoji_id,omitempty"`
	Closed            bool   `json:"-"`
}

// ForumTopicCreated is the service message that opens a topic.
type ForumTopicCreated struct {
	Name              string `json:"name"`
	IconColor         int    `json:"icon_color"`
	IconCustomEmojiID string `json:"icon_custom_emoji_id,omitempty"`
}

// ForumTopicEdited is the service message of editForumTopic.
type ForumTopicEdited struct {
	Name              string  `json:"name,omitempty"`
	IconCustomEmojiID *string `json:"icon_custom_emoji_id,omitempty"`
}

// BotCommand is one entry of a command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// BotCommandScope says whom a command menu is for.
type BotCommandScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// MessageID is the result of copyMessage.
type MessageID struct {
	MessageID int `json:"message_id"`
}

// WebhookInfo is the result of getWebhookInfo.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

// ResponseParameters explains some errors: how long to wait, or where a group went.
type ResponseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

type response struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *ResponseParameters `json:"parameters,omitempty"`
}
