package tgfake

import (
	"strconv"
	"strings"
)

type user struct {
	u       User
	blocked bool
}

type chat struct {
	c          Chat
	migratedTo int64
	nextID     int
	msgs       []Message
	index      map[int]int // message_id -> position in msgs
	deleted    map[int]bool
	topics     map[int]*ForumTopic
	topicOrder []int
}

func newChat(c Chat, firstID int) *chat {
	ch := &chat{c: c, nextID: firstID + 1, index: map[int]int{}, deleted: map[int]bool{}, topics: map[int]*ForumTopic{}}
	if c.Type != "private" {
		// Message 1 of a group is its creation; in a forum id 1 is General,
		// which no send may name (tdlib/telegram-bot-api#798).
		ch.nextID = firstID + 2
	}
	return ch
}

func (c *chat) isGroup() bool { return c.c.Type != "private" }

// message returns a live (not deleted) message.
func (c *chat) message(id int) (Message, bool) {
	i, ok := c.index[id]
	if !ok || c.deleted[id] {
		return Message{}, false
	}
	return c.msgs[i], true
}

func (c *chat) replace(m Message) { c.msgs[c.index[m.MessageID]] = m }

// liveTopic is an open or closed topic that was not deleted.
func (c *chat) liveTopic(thread int) (*ForumTopic, bool) {
	t, ok := c.topics[thread]
	return t, ok && !c.deleted[thread]
}

// appendLocked gives m the chat's next id and stores it.
func (s *Server) appendLocked(c *chat, m Message) Message {
	m.MessageID = c.nextID
	c.nextID++
	m.Chat = c.c
	if m.Date == 0 {
		m.Date = s.now().Unix()
	}
	c.index[m.MessageID] = len(c.msgs)
	c.msgs = append(c.msgs, m)
	return m
}

// snapshot is m as it appears inside another message: Telegram nests
// reply_to_message one level deep only.
func snapshot(m Message) *Message {
	m.ReplyToMessage = nil
	return &m
}

// chatLocked resolves a chat_id parameter (a number or @username).
func (s *Server) chatLocked(p *params, key string) (*chat, *apiError) {
	raw := p.str(key)
	if raw == "" {
		return nil, badRequest(key + " is empty")
	}
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		for _, c := range s.chats {
			if strings.EqualFold(c.c.Username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	if c, ok := s.chats[id]; ok {
		return c, nil
	}
	if _, ok := s.users[id]; ok {
		return nil, forbidden("bot can't initiate conversation with a user")
	}
	return nil, badRequest("chat not found")
}

// targetLocked is chatLocked plus the reasons Telegram refuses to post there.
func (s *Server) targetLocked(p *params) (*chat, *apiError) {
	c, err := s.chatLocked(p, "chat_id")
	if err != nil {
		return nil, err
	}
	if c.migratedTo != 0 {
		e := badRequest("group chat was upgraded to a supergroup chat")
		e.params = &ResponseParameters{MigrateToChatID: c.migratedTo}
		return nil, e
	}
	if u, ok := s.users[c.c.ID]; ok && c.c.Type == "private" && u.blocked {
		return nil, forbidden("bot was blocked by the user")
	}
	return c, nil
}

// messageLocked resolves chat_id + message_id to a live message.
func (s *Server) messageLocked(p *params, notFound string) (*chat, Message, *apiError) {
	if p.has("inline_message_id") {
		// Indigo sends no inline-mode messages, so no inline id is valid.
		return nil, Message{}, badRequest(notFound)
	}
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, Message{}, err
	}
	id, ok := p.int64("message_id")
	if !ok {
		return nil, Message{}, badRequest("message identifier is not specified")
	}
	m, ok := c.message(int(id))
	if !ok {
		return nil, Message{}, badRequest(notFound)
	}
	return c, m, nil
}

func (s *Server) privateChatLocked(u *user) *chat {
	if c, ok := s.chats[u.u.ID]; ok {
		return c
	}
	c := newChat(Chat{ID: u.u.ID, Type: "private", FirstName: u.u.FirstName, LastName: u.u.LastName, Username: u.u.Username}, s.firstID)
	s.chats[u.u.ID] = c
	return c
}

func (s *Server) userLocked(id int64) *user {
	u, ok := s.users[id]
	if !ok {
		panic("tgfake: unknown user " + strconv.FormatInt(id, 10) + "; call AddUser first")
	}
	return u
}

func (s *Server) groupLocked(id int64) *chat {
	c, ok := s.chats[id]
	if !ok || !c.isGroup() {
		panic("tgfake: unknown group " + strconv.FormatInt(id, 10) + "; call AddGroup first")
	}
	return c
}
