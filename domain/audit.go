package domain

import (
	"context"
	"time"
)

// AuditEntry records who did what, for staff actions and security events.
type AuditEntry struct {
	ID       int64
	Actor    Actor
	Action   string // e.g. "return.receive", "store.token_replaced"
	ReturnID *int64
	SellerID *int64
	Details  map[string]any
	At       time.Time
}

// AuditService appends to and reads the audit log. Entries are never changed.
type AuditService interface {
	CreateAuditEntry(ctx context.Context, e *AuditEntry) error
	FindAuditEntries(ctx context.Context, returnID *int64, sellerID *int64, limit int) ([]*AuditEntry, error)
}
