package tgfake

import (
	"context"
	"slices"
	"strings"
	"time"
)

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	CallbackQueryID string
	Text            string
	ShowAlert       bool
	URL             string
	CacheTime       int
}

// Messages is the chat as its members see it now: every live message from
// anyone, oldest first, with edits applied and deleted messages gone.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, false)
}

// Sent is Messages narrowed to what the bot sent.
func (s *Server) Sent(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, true)
}

func (s *Server) messagesLocked(chatID int64, botOnly bool) []Message {
	c, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if c.deleted[m.MessageID] || (botOnly && (m.From == nil || m.From.ID != s.bot.ID)) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// LastMessage is the newest live message the bot sent to the chat.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := s.messagesLocked(chatID, true)
	if len(sent) == 0 {
		return Message{}, false
	}
	return sent[len(sent)-1], true
}

// WaitForMessage blocks until a live bot message in the chat satisfies match
// (edits count, so it can wait for a keyboard to change) and returns the
// newest such message, or ctx's error. It wakes on changes, never polls.
func (s *Server) WaitForMessage(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		sent := s.messagesLocked(chatID, true)
		changed := s.changed
		s.mu.Unlock()
		for i := len(sent) - 1; i >= 0; i-- {
			if match(sent[i]) {
				return sent[i], nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-s.done:
			return Message{}, context.Canceled
		}
	}
}

// CallbackAnswers lists the answerCallbackQuery calls so far.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// Requests counts calls of a method (any case), failed ones included.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[strings.ToLower(method)]
}

// Refusal is one 429 answer: which send, to which chat, when.
type Refusal struct {
	Method     string
	ChatID     string
	At         time.Time
	RetryAfter int
}

// Refusals lists the 429 answers given so far, oldest first.
func (s *Server) Refusals() []Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Refusal(nil), s.refused...)
}

// Count429 counts the 429 answers given so far.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count429
}

// Commands is the default-scope command menu for a language ("" for the
// fallback list), as set with setMyCommands.
func (s *Server) Commands(lang string) []BotCommand {
	return s.ScopedCommands(BotCommandScope{Type: "default"}, lang)
}

// ScopedCommands is the command menu of a scope and language.
func (s *Server) ScopedCommands(scope BotCommandScope, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: scope, lang: lang}])
}

// Topics lists a forum's live topics in creation order.
func (s *Server) Topics(groupID int64) []ForumTopic {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[groupID]
	if !ok {
		return nil
	}
	out := make([]ForumTopic, 0, len(c.topicOrder))
	for _, id := range c.topicOrder {
		out = append(out, *c.topics[id])
	}
	return out
}

// ChatActions lists the sendChatAction actions sent to a chat.
func (s *Server) ChatActions(chatID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.actions[chatID])
}

// PendingUpdates counts the updates the bot has not confirmed yet.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitUpdatesConfirmed blocks until the bot has confirmed every queued
// update (by getUpdates offset, or by a 2xx from its webhook).
func (s *Server) WaitUpdatesConfirmed(ctx context.Context) error {
	for {
		s.mu.Lock()
		pending, changed := len(s.queue), s.changed
		s.mu.Unlock()
		if pending == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return context.Canceled
		}
	}
}

// FileData returns a stored file's metadata and bytes, e.g. to check what
// the bot uploaded.
func (s *Server) FileData(fileID string) (File, []byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		return File{}, nil, false
	}
	return f.meta, f.data, true
}

// Chat returns a chat's current state.
func (s *Server) Chat(chatID int64) (Chat, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return Chat{}, false
	}
	return c.c, true
}
