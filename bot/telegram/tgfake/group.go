package tgfake

import "fmt"

// GroupAnonymousBot is the `from` of messages an administrator posts "as
// the group" (Remain anonymous): Telegram's @GroupAnonymousBot, with the
// group itself in sender_chat.
var GroupAnonymousBot = User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}

// SendGroupPhoto posts a photo (JPEG, PNG or GIF bytes) with a caption from
// a user into a group, in topic threadID and as a reply to replyTo, like
// SendGroupMessage.
func (s *Server) SendGroupPhoto(groupID int64, threadID int, fromUserID int64, image []byte, caption string, replyTo int) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	sizes, err := s.storePhotoLocked(image)
	if err != nil {
		panic("tgfake: SendGroupPhoto: " + err.desc)
	}
	from := s.userLocked(fromUserID).u
	return s.groupPostLocked(groupID, threadID, replyTo, Message{From: &from, Photo: sizes, Caption: caption})
}

// SendAnonymousGroupMessage posts text as the group itself, as an
// administrator with "Remain anonymous" does: from is GroupAnonymousBot and
// sender_chat the group.
func (s *Server) SendAnonymousGroupMessage(groupID int64, threadID int, text string, replyTo int) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := GroupAnonymousBot
	group := s.groupLocked(groupID).c
	return s.groupPostLocked(groupID, threadID, replyTo, Message{From: &from, SenderChat: &group, Text: text, Entities: commandEntity(text)})
}

// groupPostLocked places a member's message m in a group's topic and reply
// chain, as every group sender here does, and delivers it.
func (s *Server) groupPostLocked(groupID int64, threadID, replyTo int, m Message) Message {
	c := s.groupLocked(groupID)
	if threadID != 0 {
		if _, ok := c.liveTopic(threadID); !ok {
			panic(fmt.Sprintf("tgfake: no topic %d in %d", threadID, groupID))
		}
		m.MessageThreadID, m.IsTopicMessage = threadID, true
		if replyTo == 0 {
			replyTo = threadID
		}
	}
	if replyTo != 0 {
		r, ok := c.message(replyTo)
		if !ok {
			panic(fmt.Sprintf("tgfake: no message %d in %d", replyTo, groupID))
		}
		m.ReplyToMessage = snapshot(r)
	}
	return s.postLocked(c, m)
}
