package tgfake

import (
	"regexp"
	"slices"
)

func init() {
	register("getMe", (*Server).getMe, false)
	register("getChat", (*Server).getChat, false)
	register("setMyCommands", (*Server).setMyCommands, false)
	register("getMyCommands", (*Server).getMyCommands, false)
	register("deleteMyCommands", (*Server).deleteMyCommands, false)
	register("createForumTopic", (*Server).createForumTopic, false)
	register("editForumTopic", (*Server).editForumTopic, false)
	register("closeForumTopic", (*Server).closeForumTopic, false)
	register("reopenForumTopic", (*Server).reopenForumTopic, false)
	register("deleteForumTopic", (*Server).deleteForumTopic, false)
}

func (s *Server) getMe(*params) (any, *apiError) { return s.bot, nil }

func (s *Server) getChat(p *params) (any, *apiError) {
	c, err := s.chatLocked(p, "chat_id")
	if err != nil {
		// A user who never wrote to the bot is as unknown as any other id.
		return nil, badRequest("chat not found")
	}
	return c.c, nil
}

type commandKey struct {
	scope BotCommandScope
	lang  string
}

var (
	commandName  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageCode = regexp.MustCompile(`^([a-z]{2})?$`)
	scopeTypes   = []string{"default", "all_private_chats", "all_group_chats", "all_chat_administrators",
		"chat", "chat_administrators", "chat_member"}
)

func commandKeyOf(p *params) (commandKey, *apiError) {
	k := commandKey{scope: BotCommandScope{Type: "default"}, lang: p.str("language_code")}
	if _, err := p.json("scope", &k.scope); err != nil || !slices.Contains(scopeTypes, k.scope.Type) {
		return k, badRequest("can't parse BotCommandScope JSON object")
	}
	if !languageCode.MatchString(k.lang) {
		return k, badRequest("invalid language code specified")
	}
	return k, nil
}

func (s *Server) setMyCommands(p *params) (any, *apiError) {
	var cmds []BotCommand
	if ok, err := p.json("commands", &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	} else if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n == 0 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	k, err := commandKeyOf(p)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(p *params) (any, *apiError) {
	k, err := commandKeyOf(p)
	if err != nil {
		return nil, err
	}
	return append([]BotCommand{}, s.commands[k]...), nil
}

func (s *Server) deleteMyCommands(p *params) (any, *apiError) {
	k, err := commandKeyOf(p)
	if err != nil {
		return nil, err
	}
	delete(s.commands, k)
	return true, nil
}

// iconColors are the only colours createForumTopic accepts.
var iconColors = []int{7322096, 16766590, 13338331, 9367192, 16749490, 16478047}

func (s *Server) forumLocked(p *params) (*chat, *apiError) {
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, err
	}
	if !c.c.IsForum {
		return nil, badRequest("the chat is not a forum")
	}
	return c, nil
}

func (s *Server) createForumTopic(p *params) (any, *apiError) {
	c, err := s.forumLocked(p)
	if err != nil {
		return nil, err
	}
	name := p.str("name")
	if n := utf16Len(name); n == 0 || n > 128 {
		return nil, badRequest("TOPIC_NAME_INVALID")
	}
	color := iconColors[0]
	if p.has("icon_color") {
		if color = p.int("icon_color"); !slices.Contains(iconColors, color) {
			return nil, badRequest("TOPIC_ICON_COLOR_INVALID")
		}
	}
	emoji := p.str("icon_custom_emoji_id")
	// The topic is the reply thread of its creation message, so the thread id
	// is that message's id.
	root := s.botMessage(placement{})
	root.ForumTopicCreated = &ForumTopicCreated{Name: name, IconColor: color, IconCustomEmojiID: emoji}
	root.MessageThreadID, root.IsTopicMessage = c.nextID, true
	root = s.appendLocked(c, root)
	t := &ForumTopic{MessageThreadID: root.MessageID, Name: name, IconColor: color, IconCustomEmojiID: emoji}
	c.topics[t.MessageThreadID] = t
	c.topicOrder = append(c.topicOrder, t.MessageThreadID)
	return *t, nil
}

func (s *Server) topicLocked(p *params) (*chat, *ForumTopic, *apiError) {
	c, err := s.forumLocked(p)
	if err != nil {
		return nil, nil, err
	}
	t, ok := c.liveTopic(p.int("message_thread_id"))
	if !ok {
		return nil, nil, badRequest("message thread not found")
	}
	return c, t, nil
}

// serviceLocked posts a topic service message into the topic.
func (s *Server) serviceLocked(c *chat, t *ForumTopic, fill func(*Message)) {
	m := s.botMessage(placement{thread: t.MessageThreadID})
	if root, ok := c.message(t.MessageThreadID); ok {
		m.ReplyToMessage = snapshot(root)
	}
	fill(&m)
	s.appendLocked(c, m)
}

func (s *Server) editForumTopic(p *params) (any, *apiError) {
	c, t, err := s.topicLocked(p)
	if err != nil {
		return nil, err
	}
	name := p.str("name")
	if utf16Len(name) > 128 {
		return nil, badRequest("TOPIC_NAME_INVALID")
	}
	_, emojiGiven := p.vals["icon_custom_emoji_id"]
	emoji := p.str("icon_custom_emoji_id")
	if (name == "" || name == t.Name) && (!emojiGiven || emoji == t.IconCustomEmojiID) {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	edited := &ForumTopicEdited{}
	if name != "" && name != t.Name {
		t.Name, edited.Name = name, name
	}
	if emojiGiven && emoji != t.IconCustomEmojiID {
		t.IconCustomEmojiID, edited.IconCustomEmojiID = emoji, &emoji
	}
	s.serviceLocked(c, t, func(m *Message) { m.ForumTopicEdited = edited })
	return true, nil
}

func (s *Server) closeForumTopic(p *params) (any, *apiError) { return s.setClosed(p, true) }

func (s *Server) reopenForumTopic(p *params) (any, *apiError) { return s.setClosed(p, false) }

func (s *Server) setClosed(p *params, closed bool) (any, *apiError) {
	c, t, err := s.topicLocked(p)
	if err != nil {
		return nil, err
	}
	if t.Closed == closed {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	t.Closed = closed
	s.serviceLocked(c, t, func(m *Message) {
		if closed {
			m.ForumTopicClosed = &struct{}{}
		} else {
			m.ForumTopicReopened = &struct{}{}
		}
	})
	return true, nil
}

func (s *Server) deleteForumTopic(p *params) (any, *apiError) {
	c, t, err := s.topicLocked(p)
	if err != nil {
		return nil, err
	}
	deleteTopic(c, t.MessageThreadID)
	return true, nil
}

// deleteTopic removes a topic with all its messages, after which sends to
// it fail with "message thread not found", as after staff delete it.
func deleteTopic(c *chat, thread int) {
	for _, m := range c.msgs {
		if m.MessageThreadID == thread && m.IsTopicMessage {
			c.deleted[m.MessageID] = true
		}
	}
	c.deleted[thread] = true
	c.topicOrder = slices.DeleteFunc(c.topicOrder, func(id int) bool { return id == thread })
}
