package storage

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// AttachmentService implements domain.AttachmentService. Files live in
// PostgreSQL so that a replica, a backup and a restore see the same data.
type AttachmentService struct{ db *DB }

var _ domain.AttachmentService = (*AttachmentService)(nil)

// NewAttachmentService returns the attachment repository.
func NewAttachmentService(db *DB) *AttachmentService { return &AttachmentService{db: db} }

// CreateAttachment stores a file for a seller (and a return, if set). Files
// over domain.MaxAttachmentSize are refused before anything is written.
func (as *AttachmentService) CreateAttachment(ctx context.Context, a *domain.Attachment) (err error) {
	defer wrap(&err, "create %s attachment for seller %d", a.Kind, a.SellerID)
	if len(a.Data) > domain.MaxAttachmentSize {
		return domain.Errorf(domain.CodeInvalid, "error.attachment.too_large",
			map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})
	}
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 && scope != a.SellerID {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	if a.ReturnID != nil {
		r, err := NewReturnService(as.db).FindReturnByID(ctx, *a.ReturnID)
		if err != nil {
			return err
		}
		a.SellerID = r.SellerID
	}
	a.Size = int64(len(a.Data))
	return as.db.q(ctx).QueryRow(ctx, `INSERT INTO attachments
		(seller_id, return_id, kind, file_name, content_type, size, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
		a.SellerID, a.ReturnID, a.Kind, a.FileName, a.ContentType, a.Size, a.Data,
	).Scan(&a.ID, &a.CreatedAt)
}

// FindAttachments lists a seller's files for one return, or the profile
// documents when returnID is nil, without their bytes.
func (as *AttachmentService) FindAttachments(ctx context.Context, sellerID int64, returnID *int64) (_ []*domain.Attachment, err error) {
	defer wrap(&err, "find attachments of seller %d", sellerID)
	if scope, err := actorScope(ctx); err != nil {
		return nil, err
	} else if scope != 0 && scope != sellerID {
		return nil, nil
	}
	return findAttachments(ctx, as.db.q(ctx), sellerID, returnID)
}

func findAttachments(ctx context.Context, q querier, sellerID int64, returnID *int64) ([]*domain.Attachment, error) {
	rows, err := q.Query(ctx, `SELECT id, seller_id, return_id, kind, file_name, content_type, size, created_at
		FROM attachments
		WHERE seller_id = $1 AND return_id IS NOT DISTINCT FROM $2 ORDER BY id`, sellerID, returnID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Attachment, error) {
		var a domain.Attachment
		err := r.Scan(&a.ID, &a.SellerID, &a.ReturnID, &a.Kind, &a.FileName, &a.ContentType, &a.Size, &a.CreatedAt)
		return &a, err
	})
}

// FindAttachmentData returns one file with its bytes, if the actor may see it.
func (as *AttachmentService) FindAttachmentData(ctx context.Context, id int64) (_ *domain.Attachment, err error) {
	defer wrap(&err, "find attachment %d", id)
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	var a domain.Attachment
	err = as.db.q(ctx).QueryRow(ctx, `SELECT id, seller_id, return_id, kind, file_name, content_type, size, data, created_at
		FROM attachments WHERE id = $1 AND ($2::bigint = 0 OR seller_id = $2)`, id, scope,
	).Scan(&a.ID, &a.SellerID, &a.ReturnID, &a.Kind, &a.FileName, &a.ContentType, &a.Size, &a.Data, &a.CreatedAt)
	if errNoRows(err) {
		return nil, notFound("error.attachment.not_found")
	}
	return &a, err
}
