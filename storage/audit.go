package storage

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// AuditService implements domain.AuditService: an append-only log.
type AuditService struct{ db *DB }

var _ domain.AuditService = (*AuditService)(nil)

// NewAuditService returns the audit log.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// CreateAuditEntry appends an entry. Its actor comes from e, or from the
// context when e has none.
func (as *AuditService) CreateAuditEntry(ctx context.Context, e *domain.AuditEntry) (err error) {
	defer wrap(&err, "create audit entry %q", e.Action)
	if e.Actor.Kind == "" {
		a, ok := domain.ActorFromContext(ctx)
		if !ok {
			return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
		}
		e.Actor = a
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return as.db.q(ctx).QueryRow(ctx, `INSERT INTO audit_log
		(actor_kind, actor_id, actor_name, actor_person, action, return_id, seller_id, details, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, at`,
		e.Actor.Kind, e.Actor.ID, e.Actor.Name, e.Actor.Person, e.Action, e.ReturnID, e.SellerID, details, as.db.Now(),
	).Scan(&e.ID, &e.At)
}

// FindAuditEntries lists the newest entries about a return and/or a seller.
// Sellers never read the audit log.
func (as *AuditService) FindAuditEntries(ctx context.Context, returnID, sellerID *int64, limit int) (_ []*domain.AuditEntry, err error) {
	defer wrap(&err, "find audit entries")
	if scope, err := actorScope(ctx); err != nil {
		return nil, err
	} else if scope != 0 {
		return nil, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := as.db.q(ctx).Query(ctx, `SELECT id, actor_kind, actor_id, actor_name, actor_person, action, return_id, seller_id, details, at
		FROM audit_log
		WHERE ($1::bigint IS NULL OR return_id = $1) AND ($2::bigint IS NULL OR seller_id = $2)
		ORDER BY id DESC LIMIT $3`, returnID, sellerID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.AuditEntry, error) {
		var e domain.AuditEntry
		err := r.Scan(&e.ID, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name, &e.Actor.Person, &e.Action, &e.ReturnID, &e.SellerID, &e.Details, &e.At)
		return &e, err
	})
}
