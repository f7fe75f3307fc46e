package tgfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The methods in this file act as people in Telegram: each one changes the
// fake's state and queues the update the bot would get. Misuse (an unknown
// user, a button that is not there) panics: it is a bug in the test.

// AddUser makes a Telegram user known. The bot cannot write to them until
// they send something (403 "bot can't initiate conversation with a user").
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.IsBot = false
	if u.FirstName == "" {
		u.FirstName = "User" + strconv.FormatInt(u.ID, 10)
	}
	s.users[u.ID] = &user{u: u}
}

// OpenChat makes a user's private chat with the bot exist, empty: the user
// started the bot before this fake's life (`indigo demo` after a restart),
// so the bot may write to them first.
func (s *Server) OpenChat(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChatLocked(s.userLocked(userID))
}

// AddGroup creates a group the bot is an administrator of. Ids below
// -1000000000000 (-100…) and forums are supergroups; forums must have such an id.
func (s *Server) AddGroup(id int64, title string, isForum bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := "group"
	if id <= -1_000_000_000_000 {
		typ = "supergroup"
	}
	if isForum && typ != "supergroup" {
		panic(fmt.Sprintf("tgfake: forum %d needs a supergroup id (-100…)", id))
	}
	s.chats[id] = newChat(Chat{ID: id, Type: typ, Title: title, IsForum: isForum}, s.firstID)
}

// userMessageLocked posts m from user u into their private chat. A user who
// had blocked the bot unblocks it first, as Telegram's "Restart" button does.
func (s *Server) userMessageLocked(userID int64, m Message) Message {
	u := s.userLocked(userID)
	if u.blocked {
		s.setBlockedLocked(u, false)
	}
	from := u.u
	m.From = &from
	return s.postLocked(s.privateChatLocked(u), m)
}

func (s *Server) postLocked(c *chat, m Message) Message {
	m = s.appendLocked(c, m)
	s.enqueueLocked(Update{Message: &m})
	s.broadcastLocked()
	return m
}

// SendText sends text from the user to the bot. A leading /command gets its
// bot_command entity, which tgbotapi's IsCommand needs.
func (s *Server) SendText(userID int64, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(userID, Message{Text: text, Entities: commandEntity(text)})
}

// SendCommand sends "/command args", e.g. SendCommand(id, "start", payload)
// for a deep link.
func (s *Server) SendCommand(userID int64, command, args string) Message {
	text := "/" + strings.TrimPrefix(command, "/")
	if args != "" {
		text += " " + args
	}
	return s.SendText(userID, text)
}

func commandEntity(text string) []MessageEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	cmd, _, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "\n")
	return []MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
}

// SendPhoto sends a photo (JPEG, PNG or GIF bytes) with a caption. The
// message's Photo lists the stored sizes, smallest first.
func (s *Server) SendPhoto(userID int64, image []byte, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	sizes, err := s.storePhotoLocked(image)
	if err != nil {
		panic("tgfake: SendPhoto: " + err.desc)
	}
	return s.userMessageLocked(userID, Message{Photo: sizes, Caption: caption})
}

// SendAlbum sends 2–10 photos as one album: separate messages sharing a
// media_group_id, the caption on the first, as Telegram clients send them.
func (s *Server) SendAlbum(userID int64, images [][]byte, caption string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	group := strconv.FormatInt(2_000_000_000_000+s.nextSeqLocked(), 10)
	out := make([]Message, len(images))
	for i, img := range images {
		sizes, err := s.storePhotoLocked(img)
		if err != nil {
			panic("tgfake: SendAlbum: " + err.desc)
		}
		m := Message{Photo: sizes, MediaGroupID: group}
		if i == 0 {
			m.Caption = caption
		}
		out[i] = s.userMessageLocked(userID, m)
	}
	return out
}

// SendDocument sends a file with a name and caption.
func (s *Server) SendDocument(userID int64, name string, data []byte, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, err := s.storeDocumentLocked(name, "", data)
	if err != nil {
		panic("tgfake: SendDocument: " + err.desc)
	}
	return s.userMessageLocked(userID, Message{Document: doc, Caption: caption})
}

// SendContact shares the user's own phone number, as the request_contact
// button does.
func (s *Server) SendContact(userID int64, phone string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userID).u
	return s.userMessageLocked(userID, Message{Contact: &Contact{
		PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID,
	}})
}

// PressButton presses the inline button carrying callbackData under msg
// (looked up again, so edits count) and returns the callback query id the
// bot must answer.
func (s *Server) PressButton(userID int64, msg Message, callbackData string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.userLocked(userID).u
	c, ok := s.chats[msg.Chat.ID]
	if !ok {
		panic(fmt.Sprintf("tgfake: PressButton: unknown chat %d", msg.Chat.ID))
	}
	m, ok := c.message(msg.MessageID)
	if !ok || !hasCallbackData(m, callbackData) {
		panic(fmt.Sprintf("tgfake: PressButton: message %d in chat %d has no button with data %q", msg.MessageID, msg.Chat.ID, callbackData))
	}
	id := strconv.FormatInt(4_000_000_000_000_000+s.nextSeqLocked(), 10)
	s.queries[id] = true
	s.enqueueLocked(Update{CallbackQuery: &CallbackQuery{
		ID: id, From: from, Message: &m, Data: callbackData,
		ChatInstance: strconv.FormatInt(c.c.ID*7919, 10),
	}})
	return id
}

// SendGroupMessage posts text from a user into a group, in topic threadID
// (0 for none or General) and as a reply to replyTo (0 for none). Inside a
// topic without replyTo the message replies to the topic's creation message,
// exactly as Telegram delivers it.
func (s *Server) SendGroupMessage(groupID int64, threadID int, fromUserID int64, text string, replyTo int) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.userLocked(fromUserID).u
	return s.groupPostLocked(groupID, threadID, replyTo, Message{From: &from, Text: text, Entities: commandEntity(text)})
}

// Block makes the user block the bot: sends to them answer 403 and the bot
// gets a my_chat_member update (member -> kicked).
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setBlockedLocked(s.userLocked(userID), true)
}

// Unblock undoes Block.
func (s *Server) Unblock(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setBlockedLocked(s.userLocked(userID), false)
}

func (s *Server) setBlockedLocked(u *user, blocked bool) {
	if u.blocked == blocked {
		return
	}
	u.blocked = blocked
	c, started := s.chats[u.u.ID]
	if !started {
		return
	}
	zero := int64(0)
	old, now := ChatMember{Status: "member", User: s.botRef()}, ChatMember{Status: "kicked", User: s.botRef(), UntilDate: &zero}
	if !blocked {
		old, now = now, old
	}
	s.enqueueLocked(Update{MyChatMember: &ChatMemberUpdated{
		Chat: c.c, From: u.u, Date: s.now().Unix(), OldChatMember: old, NewChatMember: now,
	}})
}

func (s *Server) botRef() User {
	return User{ID: s.bot.ID, IsBot: true, FirstName: s.bot.FirstName, Username: s.bot.Username}
}

// MigrateGroup upgrades group oldID to supergroup newID: sends to oldID then
// fail with migrate_to_chat_id, and the bot gets the two service messages.
func (s *Server) MigrateGroup(oldID, newID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.groupLocked(oldID)
	old.migratedTo = newID
	nc := newChat(Chat{ID: newID, Type: "supergroup", Title: old.c.Title}, s.firstID)
	s.chats[newID] = nc
	s.postLocked(old, Message{MigrateToChatID: newID})
	sender := nc.c
	s.postLocked(nc, Message{MigrateFromChatID: oldID, SenderChat: &sender})
}

// DeleteTopic deletes a forum topic as staff would, with all its messages.
func (s *Server) DeleteTopic(groupID int64, threadID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.groupLocked(groupID)
	if _, ok := c.liveTopic(threadID); !ok {
		panic(fmt.Sprintf("tgfake: DeleteTopic: no topic %d in %d", threadID, groupID))
	}
	deleteTopic(c, threadID)
	s.broadcastLocked()
}

// FailNext makes the next call of method answer with code and description
// (e.g. 500, "Internal Server Error"), to test what no real rule produces.
func (s *Server) FailNext(method string, code int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	s.failures[key] = append(s.failures[key], &apiError{code: code, desc: description})
}

// SendRawUpdate queues an update of kind ("message", "callback_query")
// whose body is the JSON given, as is: a shape no method here would make,
// such as a field of the wrong type that a client cannot decode. It
// returns the update's id. body must be valid JSON.
func (s *Server) SendRawUpdate(kind, body string) int {
	if !json.Valid([]byte(body)) {
		panic("tgfake: SendRawUpdate needs valid JSON, got " + body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpd
	s.enqueueLocked(Update{rawKind: kind, raw: json.RawMessage(body)})
	return id
}
