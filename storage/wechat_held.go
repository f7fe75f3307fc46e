package storage

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// wechat_held.go: the pushes WeChatService holds until the follower writes
// again. They are claimed, sent, then settled one message at a time, so a
// send that fails or a claimant that dies leaves what did not go for the
// next turn.

// HoldPush keeps a push that could not be sent and returns how many pushes
// the follower has waiting now, this one included.
func (ws *WeChatService) HoldPush(ctx context.Context, openID string, payload []byte) (held int, err error) {
	defer wrap(&err, "hold wechat push for %s", openID)
	err = ws.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO wechat_held_pushes (openid, payload, created_at) VALUES ($1, $2, $3)`,
			openID, payload, ws.db.Now()); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM wechat_held_pushes WHERE openid = $1 AND NOT reply`, openID).Scan(&held)
	})
	return held, err
}

// HoldReply keeps the replies to a follower's message, in the caller's
// transaction (the callback's turn), until they went: claimed and settled
// like held pushes, they are sent first by the next answer, or by a
// replica's sweep (FollowersWithReplies) when the one that made them died.
func (ws *WeChatService) HoldReply(ctx context.Context, openID string, payload []byte) (err error) {
	defer wrap(&err, "keep wechat reply for %s", openID)
	_, err = ws.db.q(ctx).Exec(ctx, `INSERT INTO wechat_held_pushes (openid, payload, created_at, reply)
		VALUES ($1, $2, $3, true)`, openID, payload, ws.db.Now())
	return err
}

// FollowersWithReplies lists followers with replies kept since before
// before and claimed by nobody at now: their answer did not go.
func (ws *WeChatService) FollowersWithReplies(ctx context.Context, before, now time.Time, limit int) (_ []string, err error) {
	defer wrap(&err, "list wechat followers with replies unsent")
	rows, err := ws.db.q(ctx).Query(ctx, `SELECT openid FROM wechat_held_pushes
		WHERE reply AND created_at < $1 AND (claimed_until IS NULL OR claimed_until <= $2)
		GROUP BY openid ORDER BY min(id) LIMIT $3`, before, now, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// RenewPushes extends the lease of what a claim still holds to until, as
// its claimant keeps it while the answer goes, and returns how many.
func (ws *WeChatService) RenewPushes(ctx context.Context, token int64, until time.Time) (n int, err error) {
	defer wrap(&err, "renew wechat claim %d", token)
	tag, err := ws.db.q(ctx).Exec(ctx, `UPDATE wechat_held_pushes SET claimed_until = $2 WHERE claim_token = $1`, token, until)
	return int(tag.RowsAffected()), err
}

// HeldPushes counts the pushes waiting for the follower; replies on their
// way (HoldReply) are none of them.
func (ws *WeChatService) HeldPushes(ctx context.Context, openID string) (n int, err error) {
	defer wrap(&err, "count wechat pushes held for %s", openID)
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM wechat_held_pushes WHERE openid = $1 AND NOT reply`, openID).Scan(&n)
	return n, err
}

// ClaimPushes leases the pushes and replies held for the follower until
// until, newest first, with a new claim token: those nobody holds, or whose claim ended
// by now (its claimant died or stalled). Nothing is deleted: the claimant
// reports what went with SettlePushes and ends the claim with
// ReleasePushes. Two live claimants never get the same push.
func (ws *WeChatService) ClaimPushes(ctx context.Context, openID string, now, until time.Time) (token int64, ids []int64, payloads [][]byte, err error) {
	defer wrap(&err, "claim wechat pushes held for %s", openID)
	// Tokens come from the outbox's sequence: one kind of claim everywhere.
	rows, err := ws.db.q(ctx).Query(ctx, `WITH claim AS (SELECT nextval('outbox_claim_tokens') AS token)
		UPDATE wechat_held_pushes SET claim_token = claim.token, claimed_until = $3
		FROM claim
		WHERE id IN (SELECT id FROM wechat_held_pushes
			WHERE openid = $1 AND (claimed_until IS NULL OR claimed_until <= $2) FOR UPDATE SKIP LOCKED)
		RETURNING id, payload, claim.token`, openID, now, until)
	if err != nil {
		return 0, nil, nil, err
	}
	type held struct {
		id      int64
		payload []byte
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (held, error) {
		var h held
		err := r.Scan(&h.id, &h.payload, &token)
		return h, err
	})
	if err != nil {
		return 0, nil, nil, err
	}
	// UPDATE … RETURNING has no ORDER BY: newest (highest id) first here.
	slices.SortFunc(all, func(a, b held) int { return cmp.Compare(b.id, a.id) })
	for _, h := range all {
		ids, payloads = append(ids, h.id), append(payloads, h.payload)
	}
	return token, ids, payloads, nil
}

// SettlePushes records what the holder of a claim sent: the pushes done are
// deleted, and those sent in part keep only what is left of them (left, by
// id). All or nothing: ok is false, and nothing changes, when any of them
// is no longer under this claim (it lapsed and another claimant has them,
// who will send them), and then the caller must send no more of them.
func (ws *WeChatService) SettlePushes(ctx context.Context, token int64, done []int64, left map[int64][]byte) (ok bool, err error) {
	defer wrap(&err, "settle wechat pushes sent")
	if len(done)+len(left) == 0 {
		return true, nil
	}
	err = ws.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM wechat_held_pushes WHERE id = ANY($1) AND claim_token = $2`, done, token)
		if err != nil {
			return err
		}
		n := tag.RowsAffected()
		for id, payload := range left {
			tag, err := tx.Exec(ctx, `UPDATE wechat_held_pushes SET payload = $3 WHERE id = $1 AND claim_token = $2`,
				id, token, payload)
			if err != nil {
				return err
			}
			n += tag.RowsAffected()
		}
		if ok = n == int64(len(done)+len(left)); !ok {
			return errClaimLost
		}
		return nil
	})
	if errors.Is(err, errClaimLost) {
		return false, nil
	}
	return ok, err
}

// errClaimLost rolls SettlePushes back; it never leaves the method.
var errClaimLost = errors.New("claim lost")

// ReleasePushes ends a claim: what it still holds is offered to the next
// claimant at once rather than when the lease ends.
func (ws *WeChatService) ReleasePushes(ctx context.Context, token int64) (err error) {
	defer wrap(&err, "release wechat pushes")
	_, err = ws.db.q(ctx).Exec(ctx, `UPDATE wechat_held_pushes SET claim_token = NULL, claimed_until = NULL
		WHERE claim_token = $1`, token)
	return err
}
