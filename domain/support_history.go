package domain

import (
	"context"
	"time"
)

// support_history.go: a seller's conversation with support as both sides
// see it, whichever channel each message took: what the seller sent
// (from a chat or the web view) and what staff answered.

// SupportMessage is one message of a seller's conversation with support.
type SupportMessage struct {
	ID        int64
	SellerID  int64
	FromStaff bool
	Channel   string // where the seller wrote from: telegram, wechat, web
	Text      string
	Files     int // files that went with it
	CreatedAt time.Time
}

// MaxSupportText bounds a message to support typed on the web, in
// characters: what one Telegram message carries.
const MaxSupportText = 4000

// SupportHistory keeps the conversation. The seller's side is recorded
// with the relay that carries it to staff (SupportService.QueueRelay);
// staff's side once their answer has reached the seller.
type SupportHistory interface {
	// AddSupportMessage records a message of staff to the seller.
	AddSupportMessage(ctx context.Context, m *SupportMessage) error
	// FindSupportMessages lists a seller's conversation, the newest limit
	// messages, oldest first. A seller acting sees only their own.
	FindSupportMessages(ctx context.Context, sellerID int64, limit int) ([]*SupportMessage, error)
}
