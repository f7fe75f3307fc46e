package storage

import (
	"context"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// Reminders are notifications the clock causes rather than a change. Each
// carries a tag in its data so a reminder is queued once however often the
// job runs, on however many replicas.

// RemindWaiting queues a notification of kind for every return that has
// been in status since before cutoff and has no reminder with this tag.
// Pickup reminders skip returns whose code the seller already sent.
func (ns *NotificationService) RemindWaiting(ctx context.Context, kind domain.NotificationKind, status domain.Status, cutoff time.Time, tag string) (_ int64, err error) {
	defer wrap(&err, "queue %s reminders (%s)", kind, tag)
	tagged, err := ns.db.q(ctx).Exec(ctx, `INSERT INTO notifications (seller_id, kind, return_id, store_id, data)
		SELECT r.seller_id, $1, r.id, r.store_id, jsonb_build_object('reminder', $4::text)
		FROM returns r
		WHERE r.status = $2
		  AND ($2 <> 'awaiting_pickup_code' OR r.pickup_code = '')
		  AND coalesce((SELECT max(t.at) FROM return_transitions t WHERE t.return_id = r.id AND t.to_status = r.status),
		               r.created_at) <= $3
		  AND NOT EXISTS (SELECT 1 FROM notifications n
		                  WHERE n.return_id = r.id AND n.kind = $1 AND n.data->>'reminder' = $4)`,
		kind, status, cutoff, tag)
	if err != nil {
		return 0, err
	}
	return tagged.RowsAffected(), nil
}

// RemindExpiringTokens queues token_expiring for each active store whose
// token expires within the given days, once per threshold.
func (ns *NotificationService) RemindExpiringTokens(ctx context.Context, now time.Time, days int) (_ int64, err error) {
	defer wrap(&err, "queue token expiry reminders (%d days)", days)
	tag := time.Duration(days) * 24 * time.Hour
	res, err := ns.db.q(ctx).Exec(ctx, `INSERT INTO notifications (seller_id, kind, store_id, data)
		SELECT s.seller_id, 'token_expiring', s.id, jsonb_build_object('reminder', $3::text, 'Store', s.name,
			'Count', greatest(1, ceil(extract(epoch FROM s.token_expires_at - $1) / 86400))::int)
		FROM stores s
		WHERE s.active AND NOT s.token_rejected AND s.token_expires_at > $1 AND s.token_expires_at <= $1 + $2::interval
		  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.store_id = s.id AND n.kind = 'token_expiring'
		                  AND n.data->>'reminder' = $3 AND n.created_at > s.updated_at - interval '1 second')`,
		now, tag, formatDays(days))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected(), nil
}

func formatDays(d int) string { return strconv.Itoa(d) + "d" }

// RemindDaily queues the morning digest for sellers for whom it is 09:00
// now and who have returns waiting on them or decided for them (rules,
// defaults; see AttachAutoDecisions), once per local date.
func (ns *NotificationService) RemindDaily(ctx context.Context, now time.Time) (_ int64, err error) {
	defer wrap(&err, "queue daily digests")
	res, err := ns.db.q(ctx).Exec(ctx, `INSERT INTO notifications (seller_id, kind, data)
		SELECT s.id, 'daily_digest', jsonb_build_object('reminder', to_char($1 AT TIME ZONE z.name, 'YYYY-MM-DD'))
		FROM sellers s JOIN pg_timezone_names z ON z.name = s.time_zone
		WHERE NOT s.unreachable AND extract(hour FROM $1 AT TIME ZONE z.name) = 9
		  AND (EXISTS (SELECT 1 FROM returns r WHERE r.seller_id = s.id
		              AND r.status IN ('awaiting_pickup_code', 'awaiting_seller_decision'))
		       OR EXISTS (SELECT 1 FROM auto_decisions a WHERE a.seller_id = s.id AND a.reported_at IS NULL))
		  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.seller_id = s.id AND n.kind = 'daily_digest'
		                  AND n.data->>'reminder' = to_char($1 AT TIME ZONE z.name, 'YYYY-MM-DD'))`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected(), nil
}
