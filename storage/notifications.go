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
// replicas claim side by side, each notification once; the new token
// fences the claim against the one before it, whose lease lapsed. A
// seller whose outbox is still growing (a row younger than settle.Quiet,
// none older than settle.Max) is left for a later claim, which then takes
// the whole burst; its rows' times are the database's, compared with now.
func (ns *NotificationService) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int, settle domain.Settle) (_ []*domain.Notification, err error) {
	defer wrap(&err, "claim notifications")
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := ns.db.q(ctx).Query(ctx, `WITH claim AS (SELECT nextval('outbox_claim_tokens') AS token)
		UPDATE notifications n SET leased_until = $1::timestamptz + $2::interval,
		attempts = n.attempts + 1, claim_token = claim.token, quiet_held = false
		FROM claim, (SELECT id FROM notifications
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
			  AND (leased_until IS NULL OR leased_until <= $1)
			  AND seller_id IN (SELECT d.seller_id FROM notifications d
				WHERE d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= $1
				  AND (d.leased_until IS NULL OR d.leased_until <= $1)
				  AND ($4::interval = interval '0'
				    OR NOT EXISTS (SELECT 1 FROM notifications y WHERE y.seller_id = d.seller_id
				      AND y.sent_at IS NULL AND y.failed_at IS NULL AND y.created_at > $1 - $4::interval)
				    OR EXISTS (SELECT 1 FROM notifications o WHERE o.seller_id = d.seller_id
				      AND o.sent_at IS NULL AND o.failed_at IS NULL AND o.created_at <= $1 - $5::interval))
				ORDER BY d.next_attempt_at, d.id LIMIT $3)
			ORDER BY next_attempt_at, id LIMIT $3 * 20 FOR UPDATE SKIP LOCKED) due
		WHERE n.id = due.id
		RETURNING `+claimedColumns, now, lease, limit, settle.Quiet, settle.Max)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Notification, error) {
		var n domain.Notification
		err := r.Scan(&n.ID, &n.SellerID, &n.Kind, &n.ReturnID, &n.StoreID, &n.Data, &n.CreatedAt, &n.SentAt,
			&n.Attempts, &n.Claim, &n.PartsSent)
		return &n, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *domain.Notification) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

const claimedColumns = `n.id, n.seller_id, n.kind, n.return_id, n.store_id, n.data, n.created_at, n.sent_at,
	n.attempts, n.claim_token, n.parts_sent`

// RenewClaim implements domain.OutboxService.
func (ns *NotificationService) RenewClaim(ctx context.Context, claim int64, ids []int64, until time.Time) (_ []int64, err error) {
	defer wrap(&err, "renew outbox claim %d", claim)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := ns.db.q(ctx).Query(ctx, `UPDATE notifications SET leased_until = $3
		WHERE claim_token = $1 AND ($2::bigint[] IS NULL OR id = ANY($2))
		  AND sent_at IS NULL AND failed_at IS NULL
		RETURNING id`, claim, ids, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// MarkPartsSent implements domain.OutboxService.
func (ns *NotificationService) MarkPartsSent(ctx context.Context, id, claim int64, parts int) (_ bool, err error) {
	defer wrap(&err, "record %d parts of notification %d sent", parts, id)
	return ns.mark(ctx, `parts_sent = $3`, id, claim, parts)
}

// MarkSent records a delivery.
func (ns *NotificationService) MarkSent(ctx context.Context, id, claim int64) (_ bool, err error) {
	defer wrap(&err, "mark notification %d sent", id)
	return ns.mark(ctx, `sent_at = now(), leased_until = NULL, last_error = ''`, id, claim)
}

// MarkRetry implements domain.OutboxService. It releases the row from the
// claim, so that the claim's heartbeat does not hold it past next.
func (ns *NotificationService) MarkRetry(ctx context.Context, id, claim int64, next time.Time, cause error) (_ bool, err error) {
	defer wrap(&err, "reschedule notification %d", id)
	return ns.mark(ctx, `next_attempt_at = $3, leased_until = NULL, claim_token = NULL, last_error = $4`, id, claim, next, errText(cause))
}

// MarkHeld implements domain.OutboxService. The claim's attempt is given
// back: waiting for the morning is not a failure to send.
func (ns *NotificationService) MarkHeld(ctx context.Context, id, claim int64, until time.Time) (_ bool, err error) {
	defer wrap(&err, "hold notification %d for quiet hours", id)
	return ns.mark(ctx, `next_attempt_at = $3, leased_until = NULL, claim_token = NULL, quiet_held = true,
		attempts = greatest(attempts - 1, 0), last_error = ''`, id, claim, until)
}

// releaseQuietHeld makes what a seller's quiet hours held due again, in
// the order it was written, within the caller's transaction.
func releaseQuietHeld(ctx context.Context, q querier, sellerID int64) error {
	_, err := q.Exec(ctx, `UPDATE notifications SET next_attempt_at = created_at, quiet_held = false
		WHERE seller_id = $1 AND quiet_held AND sent_at IS NULL AND failed_at IS NULL`, sellerID)
	return err
}

// MarkFailed implements domain.OutboxService.
func (ns *NotificationService) MarkFailed(ctx context.Context, id, claim int64, cause error) (_ bool, err error) {
	defer wrap(&err, "give up notification %d", id)
	return ns.mark(ctx, `failed_at = now(), leased_until = NULL, last_error = $3`, id, claim, errText(cause))
}

// mark sets what a sender learned on a row it still holds: the row must
// carry the sender's claim token and be neither sent nor given up. A
// sender giving up on a batch cut short (by a panic) may not know how far
// it got, and what was sent stays sent.
func (ns *NotificationService) mark(ctx context.Context, set string, id, claim int64, args ...any) (bool, error) {
	if err := staffOnly(ctx); err != nil {
		return false, err
	}
	tag, err := ns.db.q(ctx).Exec(ctx, `UPDATE notifications SET `+set+`
		WHERE id = $1 AND claim_token = $2 AND sent_at IS NULL AND failed_at IS NULL`,
		append([]any{id, claim}, args...)...)
	return tag.RowsAffected() == 1, err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
