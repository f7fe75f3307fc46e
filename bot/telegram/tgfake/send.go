package tgfake

import (
	"slices"
	"strings"
)

func init() {
	register("sendMessage", (*Server).sendMessage, false)
	register("editMessageText", (*Server).editMessageText, false)
	register("editMessageCaption", (*Server).editMessageCaption, false)
	register("editMessageReplyMarkup", (*Server).editMessageReplyMarkup, false)
	register("deleteMessage", (*Server).deleteMessage, false)
	register("copyMessage", (*Server).copyMessage, false)
	register("forwardMessage", (*Server).forwardMessage, false)
	register("sendChatAction", (*Server).sendChatAction, false)
	register("answerCallbackQuery", (*Server).answerCallbackQuery, false)
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// placement is where a new bot message goes and what it carries besides content.
type placement struct {
	thread  int
	replyTo *Message
	markup
}

// placeLocked reads message_thread_id, the reply (old reply_to_message_id or
// Bot API 7.0 reply_parameters; v5.5.1 sends the old one) and reply_markup.
func (s *Server) placeLocked(c *chat, p *params) (placement, *apiError) {
	var pl placement
	var err *apiError
	if pl.markup, err = parseMarkup(p); err != nil {
		return pl, err
	}
	if p.has("message_thread_id") {
		pl.thread = p.int("message_thread_id")
		if _, ok := c.liveTopic(pl.thread); !ok || !c.c.IsForum {
			return pl, badRequest("message thread not found")
		}
	}
	replyID, allowMissing := p.int("reply_to_message_id"), p.bool("allow_sending_without_reply")
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if ok, jerr := p.json("reply_parameters", &rp); jerr != nil {
		return pl, badRequest("can't parse reply parameters JSON object")
	} else if ok {
		replyID, allowMissing = rp.MessageID, rp.AllowSendingWithoutReply
	}
	if replyID != 0 {
		m, ok := c.message(replyID)
		switch {
		case ok:
			pl.replyTo = snapshot(m)
			// A reply lands in the replied message's topic without naming it.
			if pl.thread == 0 && m.IsTopicMessage {
				pl.thread = m.MessageThreadID
			}
		case !allowMissing:
			return pl, badRequest("message to be replied not found")
		}
	}
	if t, ok := c.liveTopic(pl.thread); ok && t.Closed {
		return pl, badRequest("TOPIC_CLOSED")
	}
	if pl.thread != 0 && pl.replyTo == nil {
		// Messages in a topic reply to its creation message: the pseudo-reply
		// adapters must learn to ignore.
		if root, ok := c.message(pl.thread); ok {
			pl.replyTo = snapshot(root)
		}
	}
	return pl, nil
}

// outgoingLocked is a new message of the bot at p's place in c, once the
// chat's limits admit it: the first steps of every plain send.
func (s *Server) outgoingLocked(c *chat, p *params) (Message, *apiError) {
	pl, err := s.placeLocked(c, p)
	if err != nil {
		return Message{}, err
	}
	if err := s.admitLocked(c); err != nil {
		return Message{}, err
	}
	return s.botMessage(pl), nil
}

func (s *Server) botMessage(pl placement) Message {
	return Message{
		From:            ptr(s.botRef()),
		MessageThreadID: pl.thread, IsTopicMessage: pl.thread != 0, ReplyToMessage: pl.replyTo,
		ReplyMarkup: pl.inline, Keyboard: pl.keyboard, RemoveKeyboard: pl.remove,
	}
}

func ptr[T any](v T) *T { return &v }

func messageText(p *params) (string, []MessageEntity, *apiError) {
	text, ents, err := formatText(p, "text", "entities")
	switch {
	case err != nil:
		return "", nil, err
	case strings.TrimSpace(text) == "":
		return "", nil, badRequest("message text is empty")
	case utf16Len(text) > MaxTextLength:
		return "", nil, badRequest("message is too long")
	}
	return text, ents, nil
}

func caption(p *params) (string, []MessageEntity, *apiError) {
	text, ents, err := formatText(p, "caption", "caption_entities")
	if err == nil && utf16Len(text) > MaxCaptionLength {
		err = badRequest("message caption is too long")
	}
	return text, ents, err
}

func (s *Server) sendMessage(p *params) (any, *apiError) {
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, err
	}
	text, ents, err := messageText(p)
	if err != nil {
		return nil, err
	}
	m, err := s.outgoingLocked(c, p)
	if err != nil {
		return nil, err
	}
	m.Text, m.Entities = text, ents
	return s.appendLocked(c, m), nil
}

// editableLocked finds a message the bot may edit: its own.
func (s *Server) editableLocked(p *params) (*chat, Message, *apiError) {
	c, m, err := s.messageLocked(p, "message to edit not found")
	if err != nil {
		return nil, Message{}, err
	}
	if m.From == nil || m.From.ID != s.bot.ID {
		return nil, Message{}, badRequest("message can't be edited")
	}
	return c, m, nil
}

func sameEntities(a, b []MessageEntity) bool {
	return (len(a) == 0 && len(b) == 0) || sameJSON(a, b)
}

func (s *Server) editMessageText(p *params) (any, *apiError) {
	c, m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	if m.Text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, ents, err := messageText(p)
	if err != nil {
		return nil, err
	}
	return s.edit(c, &m, p, text, ents, &m.Text, &m.Entities)
}

func (s *Server) editMessageCaption(p *params) (any, *apiError) {
	c, m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	if m.Photo == nil && m.Document == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	text, ents, err := caption(p)
	if err != nil {
		return nil, err
	}
	return s.edit(c, &m, p, text, ents, &m.Caption, &m.CaptionEntities)
}

// edit puts text and ents in the field of m they replace (its text or its
// caption) with p's keyboard; leaving reply_markup out removes the
// keyboard, as on Telegram, and changing nothing is refused as there.
func (s *Server) edit(c *chat, m *Message, p *params, text string, ents []MessageEntity, field *string, fieldEnts *[]MessageEntity) (any, *apiError) {
	kb, err := parseInlineOnly(p)
	if err != nil {
		return nil, err
	}
	if text == *field && sameEntities(ents, *fieldEnts) && sameJSON(kb, m.ReplyMarkup) {
		return nil, badRequest(notModified)
	}
	*field, *fieldEnts, m.ReplyMarkup, m.EditDate = text, ents, kb, s.now().Unix()
	c.replace(*m)
	return *m, nil
}

func (s *Server) editMessageReplyMarkup(p *params) (any, *apiError) {
	c, m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	kb, err := parseInlineOnly(p)
	if err != nil {
		return nil, err
	}
	if sameJSON(kb, m.ReplyMarkup) {
		return nil, badRequest(notModified)
	}
	m.ReplyMarkup, m.EditDate = kb, s.now().Unix()
	c.replace(m)
	return m, nil
}

func (s *Server) deleteMessage(p *params) (any, *apiError) {
	c, m, err := s.messageLocked(p, "message to delete not found")
	if err != nil {
		return nil, err
	}
	c.deleted[m.MessageID] = true
	return true, nil
}

// copyable is the content copyMessage and forwardMessage carry over.
func copyable(src Message) (Message, bool) {
	m := Message{Text: src.Text, Entities: src.Entities, Photo: src.Photo, Document: src.Document,
		Caption: src.Caption, CaptionEntities: src.CaptionEntities, Contact: src.Contact}
	return m, m.Text != "" || m.Photo != nil || m.Document != nil || m.Contact != nil
}

// relayLocked is the shared part of copyMessage and forwardMessage.
func (s *Server) relayLocked(p *params, verb string) (*chat, Message, Message, *apiError) {
	from, err := s.chatLocked(p, "from_chat_id")
	if err != nil {
		return nil, Message{}, Message{}, err
	}
	src, ok := from.message(p.int("message_id"))
	if !ok {
		return nil, Message{}, Message{}, badRequest("message to " + verb + " not found")
	}
	content, ok := copyable(src)
	if !ok {
		return nil, Message{}, Message{}, badRequest("message can't be " + verb + "ed")
	}
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, Message{}, Message{}, err
	}
	return c, src, content, nil
}

func (s *Server) copyMessage(p *params) (any, *apiError) {
	c, _, content, err := s.relayLocked(p, "copy")
	if err != nil {
		return nil, err
	}
	if p.has("caption") && content.Text == "" {
		if content.Caption, content.CaptionEntities, err = caption(p); err != nil {
			return nil, err
		}
	}
	m, err := s.outgoingLocked(c, p)
	if err != nil {
		return nil, err
	}
	m.Text, m.Entities, m.Photo, m.Document = content.Text, content.Entities, content.Photo, content.Document
	m.Caption, m.CaptionEntities, m.Contact = content.Caption, content.CaptionEntities, content.Contact
	m = s.appendLocked(c, m)
	return MessageID{MessageID: m.MessageID}, nil
}

func (s *Server) forwardMessage(p *params) (any, *apiError) {
	c, src, m, err := s.relayLocked(p, "forward")
	if err != nil {
		return nil, err
	}
	pl, err := s.placeLocked(c, p)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(c); err != nil {
		return nil, err
	}
	fwd := s.botMessage(placement{thread: pl.thread})
	m.From, m.MessageThreadID, m.IsTopicMessage = fwd.From, fwd.MessageThreadID, fwd.IsTopicMessage
	m.ForwardDate = src.Date
	if src.From != nil {
		m.ForwardFrom = src.From
		m.ForwardOrigin = &MessageOrigin{Type: "user", Date: src.Date, SenderUser: src.From}
	} else {
		chat := src.Chat
		m.ForwardOrigin = &MessageOrigin{Type: "chat", Date: src.Date, SenderChat: &chat}
	}
	return s.appendLocked(c, m), nil
}

var chatActions = []string{"typing", "upload_photo", "record_video", "upload_video", "record_voice",
	"upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}

func (s *Server) sendChatAction(p *params) (any, *apiError) {
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, err
	}
	action := p.str("action")
	if !slices.Contains(chatActions, action) {
		return nil, badRequest("wrong parameter action in request")
	}
	s.actions[c.c.ID] = append(s.actions[c.c.ID], action)
	return true, nil
}

func (s *Server) answerCallbackQuery(p *params) (any, *apiError) {
	id := p.str("callback_query_id")
	if !s.queries[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.queries[id] = false
	s.answers = append(s.answers, CallbackAnswer{
		CallbackQueryID: id, Text: p.str("text"), ShowAlert: p.bool("show_alert"),
		URL: p.str("url"), CacheTime: p.int("cache_time"),
	})
	return true, nil
}
