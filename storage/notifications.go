package storage

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

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
	rows, err := ns.db.q(ctx).Query(ctx, `SELECT id, seller_id, kind, return_id, store_id, data, created_at, sent_at, attempts
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
		err := r.Scan(&n.ID, &n.SellerID, &n.Kind, &n.ReturnID, &n.StoreID, &n.Data, &n.CreatedAt, &n.SentAt, &n.Attempts)
		return &n, err
	})
}

var _ domain.OutboxService = (*NotificationService)(nil)

// ClaimNotifications leases due notifications: every due one of the
// sellers behind the oldest limit due rows, so a seller's burst is claimed
// whole and can become one digest. SKIP LOCKED lets senders on several
// replicas claim side by side, each notification once.
func (ns *NotificationService) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []*domain.Notification, err error) {
	defer wrap(&err, "claim notifications")
	if scope, err := actorScope(ctx); err != nil {
		return nil, err
	} else if scope != 0 {
		return nil, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	rows, err := ns.db.q(ctx).Query(ctx, `UPDATE notifications n SET leased_until = $1::timestamptz + $2::interval,
		attempts = n.attempts + 1
		FROM (SELECT id FROM notifications
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
			  AND (leased_until IS NULL OR leased_until <= $1)
			  AND seller_id IN (SELECT seller_id FROM notifications
				WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
				  AND (leased_until IS NULL OR leased_until <= $1)
				ORDER BY next_attempt_at, id LIMIT $3)
			ORDER BY next_attempt_at, id LIMIT $3 * 20 FOR UPDATE SKIP LOCKED) due
		WHERE n.id = due.id
		RETURNING n.id, n.seller_id, n.kind, n.return_id, n.store_id, n.data, n.created_at, n.sent_at, n.attempts`,
		now, lease, limit)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Notification, error) {
		var n domain.Notification
		err := r.Scan(&n.ID, &n.SellerID, &n.Kind, &n.ReturnID, &n.StoreID, &n.Data, &n.CreatedAt, &n.SentAt, &n.Attempts)
		return &n, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *domain.Notification) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

// MarkSent records a delivery.
func (ns *NotificationService) MarkSent(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "mark notification %d sent", id)
	_, err = ns.db.q(ctx).Exec(ctx, `UPDATE notifications SET sent_at = now(), leased_until = NULL, last_error = ''
		WHERE id = $1`, id)
	return err
}

// MarkRetry implements domain.OutboxService.
func (ns *NotificationService) MarkRetry(ctx context.Context, id int64, next time.Time, cause error) (err error) {
	defer wrap(&err, "reschedule notification %d", id)
	_, err = ns.db.q(ctx).Exec(ctx, `UPDATE notifications SET next_attempt_at = $2, leased_until = NULL, last_error = $3
		WHERE id = $1`, id, next, errText(cause))
	return err
}

// MarkFailed implements domain.OutboxService. A notification already sent
// stays sent: a sender giving up on a batch cut short (by a panic) may not
// know how far it got.
func (ns *NotificationService) MarkFailed(ctx context.Context, id int64, cause error) (err error) {
	defer wrap(&err, "give up notification %d", id)
	_, err = ns.db.q(ctx).Exec(ctx, `UPDATE notifications SET failed_at = now(), leased_until = NULL, last_error = $2
		WHERE id = $1 AND sent_at IS NULL`, id, errText(cause))
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
