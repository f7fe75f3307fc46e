package storage

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// NotificationService implements domain.NotificationService: the outbox.
type NotificationService struct{ db *DB }

var _ domain.NotificationService = (*NotificationService)(nil)

// NewNotificationService returns the outbox repository.
func NewNotificationService(db *DB) *NotificationService { return &NotificationService{db: db} }

// CreateNotification adds an item to the outbox, inside the caller's
// transaction when there is one: that is what makes it an outbox.
func (ns *NotificationService) CreateNotification(ctx context.Context, n *domain.Notification) (err error) {
	defer wrap(&err, "create %s notification for seller %d", n.Kind, n.SellerID)
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("sellers do not notify")}
	}
	return insertNotification(ctx, ns.db.q(ctx), n)
}

func insertNotification(ctx context.Context, q querier, n *domain.Notification) error {
	if n.Data == nil {
		n.Data = map[string]any{}
	}
	return q.QueryRow(ctx, `INSERT INTO notifications (seller_id, kind, return_id, store_id, data)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
		n.SellerID, n.Kind, n.ReturnID, n.StoreID, n.Data).Scan(&n.ID, &n.CreatedAt)
}

// notifyReturn queues what a seller hears when their return enters a status.
func notifyReturn(ctx context.Context, q querier, r *domain.Return, status domain.Status) error {
	kind, ok := domain.NotificationFor(status)
	if !ok {
		return nil
	}
	return insertNotification(ctx, q, &domain.Notification{
		SellerID: r.SellerID, Kind: kind, ReturnID: &r.ID, StoreID: &r.StoreID,
	})
}

// FindNotifications lists outbox items, oldest first. A seller sees only theirs.
func (ns *NotificationService) FindNotifications(ctx context.Context, f domain.NotificationFilter) (_ []*domain.Notification, err error) {
	defer wrap(&err, "find notifications")
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := ns.db.q(ctx).Query(ctx, `SELECT id, seller_id, kind, return_id, store_id, data, created_at, sent_at
		FROM notifications
		WHERE ($1::bigint IS NULL OR seller_id = $1) AND ($2::text IS NULL OR kind = $2)
		  AND ($3::bigint IS NULL OR return_id = $3) AND (NOT $4 OR sent_at IS NULL)
		  AND ($5::bigint = 0 OR seller_id = $5)
		ORDER BY id`, f.SellerID, f.Kind, f.ReturnID, f.Unsent, scope)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Notification, error) {
		var n domain.Notification
		err := r.Scan(&n.ID, &n.SellerID, &n.Kind, &n.ReturnID, &n.StoreID, &n.Data, &n.CreatedAt, &n.SentAt)
		return &n, err
	})
}
