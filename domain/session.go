package domain

import (
	"context"
	"time"
)

// ChatSession is a conversation's saved row: which flow a chat is in, at
// which state, with what it has collected so far. It is what lets a
// conversation survive a restart.
type ChatSession struct {
	Channel  Channel
	ChatID   string
	SellerID int64 // 0 until onboarding creates the seller
	Flow     string
	State    string // "" when no flow runs
	Data     map[string]string
	// Version grows with every handled input; buttons carry it so one from
	// an old message changes nothing.
	Version      int64
	LastUpdateID int64 // the channel's update id last handled, to skip redeliveries
	UpdatedAt    time.Time
}

// SessionService keeps chat sessions.
type SessionService interface {
	// WithSession locks the chat's session (an empty one the first time),
	// runs fn in one transaction with it, and saves what fn leaves in it.
	// Everything fn writes through services with its ctx commits or rolls
	// back together with the session.
	WithSession(ctx context.Context, ch Channel, chatID string, fn func(ctx context.Context, s *ChatSession) error) error
}
