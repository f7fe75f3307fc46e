package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// --- template messages (bot/wechat/template.go) ---

// TakeTemplateSlot takes the follower's slot for a kind of template until
// until, unless a send took it before and it is still held at now. Only
// the taker sends: two replicas with the same news send one template.
func (ws *WeChatService) TakeTemplateSlot(ctx context.Context, openID, kind string, now, until time.Time) (ok bool, err error) {
	defer wrap(&err, "take wechat template slot of %s for %s", openID, kind)
	tag, err := ws.db.q(ctx).Exec(ctx, `INSERT INTO wechat_template_slots (openid, kind, next_at) VALUES ($1, $2, $4)
		ON CONFLICT (openid, kind) DO UPDATE SET next_at = EXCLUDED.next_at WHERE wechat_template_slots.next_at <= $3`,
		openID, kind, now, until)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ReturnTemplateSlot gives back a slot taken until until, when WeChat
// could not be asked: the next push of the kind tries again. A slot taken
// since by another send is left alone.
func (ws *WeChatService) ReturnTemplateSlot(ctx context.Context, openID, kind string, until time.Time) (err error) {
	defer wrap(&err, "return wechat template slot of %s for %s", openID, kind)
	_, err = ws.db.q(ctx).Exec(ctx, `DELETE FROM wechat_template_slots WHERE openid = $1 AND kind = $2 AND next_at = $3`,
		openID, kind, until)
	return err
}

// RecordTemplate records a template WeChat accepted, with its msgid, once
// per client_msg_id; the follower is reachable again. status is what its
// receipt said if it came first, else "".
func (ws *WeChatService) RecordTemplate(ctx context.Context, openID, kind, templateID, clientMsgID string, msgID int64, at time.Time) (status string, err error) {
	defer wrap(&err, "record wechat template %d", msgID)
	err = ws.db.InTx(ctx, func(ctx context.Context) error {
		q := ws.db.q(ctx)
		if err := lockTemplate(ctx, q, msgID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO wechat_template_sends (openid, kind, template_id, client_msg_id, msgid, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_msg_id) DO NOTHING`,
			openID, kind, templateID, clientMsgID, msgID, at); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM wechat_template_refusals WHERE openid = $1`, openID); err != nil {
			return err
		}
		err := q.QueryRow(ctx, `SELECT status FROM wechat_template_receipts WHERE msgid = $1`, msgID).Scan(&status)
		if errNoRows(err) {
			return nil
		}
		return err
	})
	return status, err
}

// FinishTemplate records WeChat's receipt of a template
// (TEMPLATESENDJOBFINISH), once. found says the receipt is new and its
// send recorded: then openID and kind are the send's.
func (ws *WeChatService) FinishTemplate(ctx context.Context, msgID int64, status string, at time.Time) (openID, kind string, found bool, err error) {
	defer wrap(&err, "finish wechat template %d", msgID)
	err = ws.db.InTx(ctx, func(ctx context.Context) error {
		if err := lockTemplate(ctx, ws.db.q(ctx), msgID); err != nil {
			return err
		}
		err := ws.db.q(ctx).QueryRow(ctx, `WITH r AS (
			INSERT INTO wechat_template_receipts (msgid, status, received_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING RETURNING msgid)
		SELECT s.openid, s.kind FROM wechat_template_sends s JOIN r USING (msgid)`, msgID, status, at).Scan(&openID, &kind)
		if errNoRows(err) {
			return nil // a receipt seen before, or its send not recorded yet: it is kept
		}
		found = err == nil
		return err
	})
	return openID, kind, found, err
}

// lockTemplate makes the record of a send and of its receipt take turns:
// the receipt may come while WeChat's answer is still being recorded, and
// whichever commits second must see the other.
func lockTemplate(ctx context.Context, q querier, msgID int64) error {
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('indigo.wechat_template', $1))`, msgID)
	return err
}

// TemplateStatus is the receipt's status of the template with msgID; ""
// before the receipt came.
func (ws *WeChatService) TemplateStatus(ctx context.Context, msgID int64) (status string, err error) {
	defer wrap(&err, "wechat template %d status", msgID)
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT status FROM wechat_template_receipts WHERE msgid = $1`, msgID).Scan(&status)
	if errNoRows(err) {
		return "", nil
	}
	return status, err
}

// RefuseTemplate records that no template reaches the follower, and
// returns since when none has; first is true when this starts it.
func (ws *WeChatService) RefuseTemplate(ctx context.Context, openID, kind, reason string, at time.Time) (since time.Time, first bool, err error) {
	defer wrap(&err, "record wechat template refused for %s", openID)
	err = ws.db.q(ctx).QueryRow(ctx, `INSERT INTO wechat_template_refusals (openid, since, last_at, kind, reason)
		VALUES ($1, $2, $2, $3, $4)
		ON CONFLICT (openid) DO UPDATE SET last_at = EXCLUDED.last_at, kind = EXCLUDED.kind, reason = EXCLUDED.reason
		RETURNING since, xmax = 0`, openID, at, kind, reason).Scan(&since, &first)
	return since, first, err
}

// ReachedFollower forgets that templates did not reach the follower: they
// wrote, so their window is open again.
func (ws *WeChatService) ReachedFollower(ctx context.Context, openID string) (err error) {
	defer wrap(&err, "clear wechat template refusals of %s", openID)
	_, err = ws.db.q(ctx).Exec(ctx, `DELETE FROM wechat_template_refusals WHERE openid = $1`, openID)
	return err
}

// UnreachedFollowers lists the followers no template reaches, the longest
// unreached first.
func (ws *WeChatService) UnreachedFollowers(ctx context.Context, limit int) (_ []domain.Unreached, err error) {
	defer wrap(&err, "list unreached wechat followers")
	rows, err := ws.db.q(ctx).Query(ctx, `SELECT openid, since, kind, reason FROM wechat_template_refusals
		ORDER BY since, openid LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Unreached, error) {
		u := domain.Unreached{Identity: domain.Identity{Channel: domain.ChannelWeChat}}
		err := row.Scan(&u.Identity.ExternalID, &u.Since, &u.Kind, &u.Reason)
		return u, err
	})
}
