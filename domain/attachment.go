package domain

import (
	"context"
	"time"
)

// AttachmentKind says what a file is for.
type AttachmentKind string

// Attachment kinds.
const (
	AttachmentPhoto    AttachmentKind = "photo"    // inspection photo
	AttachmentVideo    AttachmentKind = "video"    // inspection video
	AttachmentDocument AttachmentKind = "document" // a seller's legal document
	AttachmentPickup   AttachmentKind = "pickup"   // a screenshot of the pickup code
)

// MaxAttachmentSize bounds a file Indigo keeps; larger uploads are refused
// with a clear message instead of filling the database.
const MaxAttachmentSize = 20 << 20

// Attachment is a file kept with a return or a seller's profile.
type Attachment struct {
	ID          int64
	SellerID    int64
	ReturnID    *int64 // nil for profile documents
	Kind        AttachmentKind
	FileName    string
	ContentType string
	Size        int64
	Data        []byte `json:"-"` // loaded only by FindAttachmentData
	CreatedAt   time.Time
}

// AttachmentService stores files.
type AttachmentService interface {
	CreateAttachment(ctx context.Context, a *Attachment) error
	FindAttachments(ctx context.Context, sellerID int64, returnID *int64) ([]*Attachment, error)
	FindAttachmentData(ctx context.Context, id int64) (*Attachment, error)
}
