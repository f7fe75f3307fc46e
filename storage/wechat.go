package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WeChatService keeps the state of the WeChat channel (bot/wechat): the
// access token every replica shares, the callbacks received (so WeChat's
// retries are handled once), each follower's customer-service window, and
// the pushes held until the follower writes again. Its methods take only
// stdlib types, so bot/wechat declares the port it needs without importing
// storage.
type WeChatService struct{ db *DB }

// NewWeChatService returns the WeChat channel's repository.
func NewWeChatService(db *DB) *WeChatService { return &WeChatService{db: db} }

// InTx runs fn in one transaction, as DB.InTx: the WeChat calls and the
// conversation engine's services made with fn's ctx join it.
func (ws *WeChatService) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return ws.db.InTx(ctx, fn)
}

// --- the access token ---

func accessTokenOwner(appID string) []byte { return []byte("wechat-access-token:" + appID) }

// AccessToken returns the account's stored access token and when it
// expires; an empty token when none was fetched yet.
func (ws *WeChatService) AccessToken(ctx context.Context, appID string) (token string, expiresAt time.Time, err error) {
	defer wrap(&err, "read wechat access token")
	var sealed []byte
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT access_token, expires_at FROM wechat_accounts WHERE app_id = $1`,
		appID).Scan(&sealed, &expiresAt)
	if errNoRows(err) || (err == nil && sealed == nil) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	plain, err := ws.db.crypter.open(sealed, accessTokenOwner(appID))
	if err != nil {
		return "", time.Time{}, err
	}
	return string(plain), expiresAt, nil
}

// RefreshAccessToken replaces the account's access token unless someone
// already has. Under the row's lock, a stored token other than stale that
// lives at least minTTL longer is returned as it is; otherwise fetch runs,
// still under the lock, and its token is stored. So replicas and goroutines
// that find the same token dead fetch a new one once, one at a time.
func (ws *WeChatService) RefreshAccessToken(ctx context.Context, appID, stale string, minTTL time.Duration,
	fetch func(ctx context.Context) (string, time.Time, error)) (token string, expiresAt time.Time, err error) {
	defer wrap(&err, "refresh wechat access token")
	err = ws.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		sealed, expires, err := lockAccount(ctx, tx, appID)
		if err != nil {
			return err
		}
		if sealed != nil {
			plain, err := ws.db.crypter.open(sealed, accessTokenOwner(appID))
			if err != nil {
				return err
			}
			if string(plain) != stale && expires.Sub(ws.db.Now()) >= minTTL {
				token, expiresAt = string(plain), expires
				return nil
			}
		}
		if token, expiresAt, err = fetch(ctx); err != nil {
			return err
		}
		if sealed, err = ws.db.crypter.seal([]byte(token), accessTokenOwner(appID)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE wechat_accounts SET access_token = $2, expires_at = $3, updated_at = now()
			WHERE app_id = $1`, appID, sealed, expiresAt)
		return err
	})
	return token, expiresAt, err
}

// UpdateMenu runs publish when the account menu changed since it was last
// published (its digest differs), under the account row's lock, so that
// replicas starting together publish it once. It reports whether it ran.
func (ws *WeChatService) UpdateMenu(ctx context.Context, appID, digest string, publish func(ctx context.Context) error) (published bool, err error) {
	defer wrap(&err, "update wechat menu")
	err = ws.db.InTx(ctx, func(ctx context.Context) error {
		// publish gets this ctx: the token it may fetch joins the transaction
		// that holds the row, instead of waiting for it.
		tx, _ := Tx(ctx)
		if _, _, err := lockAccount(ctx, tx, appID); err != nil {
			return err
		}
		var current string
		if err := tx.QueryRow(ctx, `SELECT menu_digest FROM wechat_accounts WHERE app_id = $1`, appID).Scan(&current); err != nil {
			return err
		}
		if current == digest {
			return nil
		}
		if err := publish(ctx); err != nil {
			return err
		}
		published = true
		_, err := tx.Exec(ctx, `UPDATE wechat_accounts SET menu_digest = $2, updated_at = now() WHERE app_id = $1`, appID, digest)
		return err
	})
	return published, err
}

func lockAccount(ctx context.Context, tx pgx.Tx, appID string) (sealed []byte, expires time.Time, err error) {
	if _, err := tx.Exec(ctx, `INSERT INTO wechat_accounts (app_id) VALUES ($1) ON CONFLICT DO NOTHING`, appID); err != nil {
		return nil, time.Time{}, err
	}
	err = tx.QueryRow(ctx, `SELECT access_token, expires_at FROM wechat_accounts WHERE app_id = $1 FOR UPDATE`,
		appID).Scan(&sealed, &expires)
	return sealed, expires, err
}

// --- callbacks ---

// ReceiveCallback records a callback the first time its key is seen, and
// reports whether it was new; a retry of one already received changes
// nothing.
func (ws *WeChatService) ReceiveCallback(ctx context.Context, key, openID string, payload []byte) (isNew bool, err error) {
	defer wrap(&err, "receive wechat callback %s", key)
	tag, err := ws.db.q(ctx).Exec(ctx, `INSERT INTO wechat_callbacks (dedupe_key, openid, payload, received_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, key, openID, payload, ws.db.Now())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimCallback locks an unhandled callback for the caller's transaction
// and returns its payload; ok is false when it is handled already or
// another worker holds it. Call it inside InTx, then MarkCallbackHandled in
// the same transaction.
func (ws *WeChatService) ClaimCallback(ctx context.Context, key string) (payload []byte, ok bool, err error) {
	defer wrap(&err, "claim wechat callback %s", key)
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT payload FROM wechat_callbacks
		WHERE dedupe_key = $1 AND handled_at IS NULL FOR UPDATE SKIP LOCKED`, key).Scan(&payload)
	if errNoRows(err) {
		return nil, false, nil
	}
	return payload, err == nil, err
}

// MarkCallbackHandled records that a callback is done and drops its
// payload (what the person wrote); the key stays to catch late retries.
func (ws *WeChatService) MarkCallbackHandled(ctx context.Context, key string) (err error) {
	defer wrap(&err, "mark wechat callback %s handled", key)
	_, err = ws.db.q(ctx).Exec(ctx, `UPDATE wechat_callbacks SET handled_at = $2, payload = ''::bytea
		WHERE dedupe_key = $1`, key, ws.db.Now())
	return err
}

// CallbackFailed counts a failed attempt at a callback and returns how
// many there were.
func (ws *WeChatService) CallbackFailed(ctx context.Context, key, cause string) (attempts int, err error) {
	defer wrap(&err, "record failure of wechat callback %s", key)
	err = ws.db.q(ctx).QueryRow(ctx, `UPDATE wechat_callbacks SET attempts = attempts + 1, last_error = $2
		WHERE dedupe_key = $1 RETURNING attempts`, key, cause).Scan(&attempts)
	return attempts, err
}

// UnhandledCallbacks lists callbacks received before a time and not
// handled yet (their replica died, or the work queue was full), oldest first.
func (ws *WeChatService) UnhandledCallbacks(ctx context.Context, receivedBefore time.Time, limit int) (keys []string, err error) {
	defer wrap(&err, "list unhandled wechat callbacks")
	rows, err := ws.db.q(ctx).Query(ctx, `SELECT dedupe_key FROM wechat_callbacks
		WHERE handled_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2`, receivedBefore, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// PruneCallbacks forgets callbacks handled before a time: WeChat's retries
// come within seconds, so a day later their keys are no use.
func (ws *WeChatService) PruneCallbacks(ctx context.Context, handledBefore time.Time) (n int64, err error) {
	defer wrap(&err, "prune wechat callbacks")
	tag, err := ws.db.q(ctx).Exec(ctx, `DELETE FROM wechat_callbacks WHERE handled_at < $1`, handledBefore)
	return tag.RowsAffected(), err
}

// --- the replay guard ---

// UseNonce records that a request signed with (timestamp, nonce) was
// accepted, with the digest of what it carried, until expiresAt. If the
// pair is recorded already, fresh is false and stored is the digest
// recorded then (nil if it expired meanwhile). With the ctx of InTx it
// joins that transaction: a callback that fails to be stored leaves its
// pair unused for WeChat's retry, and a second request with the same pair
// waits for the first one's transaction to end.
func (ws *WeChatService) UseNonce(ctx context.Context, appID, timestamp, nonce string, digest []byte,
	expiresAt time.Time) (stored []byte, fresh bool, err error) {
	defer wrap(&err, "use wechat nonce")
	q := ws.db.q(ctx)
	tag, err := q.Exec(ctx, `INSERT INTO wechat_nonces (app_id, ts, nonce, digest, expires_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, appID, timestamp, nonce, digest, expiresAt)
	if err != nil {
		return nil, false, err
	}
	if tag.RowsAffected() == 1 {
		return digest, true, nil
	}
	err = q.QueryRow(ctx, `SELECT digest FROM wechat_nonces WHERE app_id = $1 AND ts = $2 AND nonce = $3`,
		appID, timestamp, nonce).Scan(&stored)
	if errNoRows(err) {
		return nil, false, nil
	}
	return stored, false, err
}

// PruneNonces forgets the pairs that expired before a time: a request
// signed with one is refused by the timestamp window already.
func (ws *WeChatService) PruneNonces(ctx context.Context, expiredBefore time.Time) (n int64, err error) {
	defer wrap(&err, "prune wechat nonces")
	tag, err := ws.db.q(ctx).Exec(ctx, `DELETE FROM wechat_nonces WHERE expires_at < $1`, expiredBefore)
	return tag.RowsAffected(), err
}

// --- the customer-service window ---

// OpenWindow records that the follower acted at now, which lets the
// account send up to quota messages until closesAt. A renewing action (a
// message) always replaces the window; another (a menu tap) replaces it
// only when it is closed or has fewer than quota sends left.
func (ws *WeChatService) OpenWindow(ctx context.Context, openID string, now, closesAt time.Time, quota int, renew bool) (err error) {
	defer wrap(&err, "open wechat window of %s", openID)
	_, err = ws.db.q(ctx).Exec(ctx, `INSERT INTO wechat_followers AS f
			(openid, last_inbound_at, window_closes_at, window_quota, window_sent)
		VALUES ($1, $2, $3, $4, 0)
		ON CONFLICT (openid) DO UPDATE SET last_inbound_at = $2,
			window_closes_at = CASE WHEN $5 OR f.window_closes_at <= $2 OR f.window_quota - f.window_sent < $4
				THEN $3 ELSE f.window_closes_at END,
			window_sent = CASE WHEN $5 OR f.window_closes_at <= $2 OR f.window_quota - f.window_sent < $4
				THEN 0 ELSE f.window_sent END,
			window_quota = CASE WHEN $5 OR f.window_closes_at <= $2 OR f.window_quota - f.window_sent < $4
				THEN $4 ELSE f.window_quota END,
			updated_at = now()`, openID, now, closesAt, quota, renew)
	return err
}

// WindowLeft is how many messages the follower's window still allows at now.
func (ws *WeChatService) WindowLeft(ctx context.Context, openID string, now time.Time) (left int, err error) {
	defer wrap(&err, "read wechat window of %s", openID)
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT CASE WHEN window_closes_at > $2
			THEN greatest(window_quota - window_sent, 0) ELSE 0 END
		FROM wechat_followers WHERE openid = $1`, openID, now).Scan(&left)
	if errNoRows(err) {
		return 0, nil
	}
	return left, err
}

// SpendWindow takes up to n sends from the follower's open window and
// returns how many it got; two senders racing for the last one cannot both
// have it.
func (ws *WeChatService) SpendWindow(ctx context.Context, openID string, now time.Time, n int) (got int, err error) {
	defer wrap(&err, "spend wechat window of %s", openID)
	err = ws.db.q(ctx).QueryRow(ctx, `WITH w AS (
			SELECT openid, least($3, greatest(window_quota - window_sent, 0)) AS take
			FROM wechat_followers WHERE openid = $1 AND window_closes_at > $2 FOR UPDATE)
		UPDATE wechat_followers f SET window_sent = f.window_sent + w.take, updated_at = now()
		FROM w WHERE f.openid = w.openid RETURNING w.take`, openID, now, n).Scan(&got)
	if errNoRows(err) {
		return 0, nil
	}
	return got, err
}

// RefundWindow gives back n sends that were taken but not made.
func (ws *WeChatService) RefundWindow(ctx context.Context, openID string, n int) (err error) {
	defer wrap(&err, "refund wechat window of %s", openID)
	_, err = ws.db.q(ctx).Exec(ctx, `UPDATE wechat_followers SET window_sent = greatest(window_sent - $2, 0),
		updated_at = now() WHERE openid = $1`, openID, n)
	return err
}

// CloseWindow spends what is left of the window: WeChat said it is over
// (45015, 45047) whatever our count was.
func (ws *WeChatService) CloseWindow(ctx context.Context, openID string) (err error) {
	defer wrap(&err, "close wechat window of %s", openID)
	_, err = ws.db.q(ctx).Exec(ctx, `UPDATE wechat_followers SET window_sent = greatest(window_quota, window_sent),
		updated_at = now() WHERE openid = $1`, openID)
	return err
}

// Menu returns the button data of the numbered choices the follower saw last.
func (ws *WeChatService) Menu(ctx context.Context, openID string) (menu []string, err error) {
	defer wrap(&err, "read wechat menu of %s", openID)
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT menu FROM wechat_followers WHERE openid = $1`, openID).Scan(&menu)
	if errNoRows(err) {
		return nil, nil
	}
	return menu, err
}

// SetMenu records the numbered choices just shown to the follower.
func (ws *WeChatService) SetMenu(ctx context.Context, openID string, menu []string) (err error) {
	defer wrap(&err, "save wechat menu of %s", openID)
	if menu == nil {
		menu = []string{}
	}
	_, err = ws.db.q(ctx).Exec(ctx, `INSERT INTO wechat_followers (openid, menu) VALUES ($1, $2)
		ON CONFLICT (openid) DO UPDATE SET menu = $2, updated_at = now()`, openID, menu)
	return err
}
