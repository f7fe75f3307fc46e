package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// WebSessionService keeps the web view's one-time sign-in links and its
// browser sessions. A token is 32 random bytes handed out once, base64url
// encoded; only its SHA-256 is stored, so neither a database copy nor a log
// of its queries holds a working link or cookie.
//
// Redeeming a link and finding a session take no actor: they are how the
// web view learns who is acting, as FindSellerByIdentity is for chats.
type WebSessionService struct{ db *DB }

// NewWebSessionService returns the web sign-in repository.
func NewWebSessionService(db *DB) *WebSessionService { return &WebSessionService{db: db} }

// newWebToken returns a fresh random token and the hash that is stored.
func newWebToken() (string, []byte, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	return token, hashWebToken(token), nil
}

func hashWebToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// expiredGrace keeps expired rows a day before they are swept, long enough
// to tell "expired" from "never existed" when someone asks.
const expiredGrace = 24 * time.Hour

// CreateLoginToken makes a one-time sign-in link token for a seller, valid
// for ttl. A seller acting in ctx may only make one for themselves; the
// person acting is recorded, so the browser acts as that team member.
func (ws *WebSessionService) CreateLoginToken(ctx context.Context, sellerID int64, ttl time.Duration) (_ string, err error) {
	defer wrap(&err, "create login token for seller %d", sellerID)
	if scope, err := actorScope(ctx); err != nil {
		return "", err
	} else if scope != 0 && scope != sellerID {
		return "", &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	token, hash, err := newWebToken()
	if err != nil {
		return "", err
	}
	now := ws.db.Now()
	q := ws.db.q(ctx)
	if _, err := q.Exec(ctx, `DELETE FROM web_login_tokens WHERE expires_at < $1`, now.Add(-expiredGrace)); err != nil {
		return "", err
	}
	actor, _ := domain.ActorFromContext(ctx)
	_, err = q.Exec(ctx, `INSERT INTO web_login_tokens (token_hash, seller_id, person, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, sellerID, actor.Person, now.Add(ttl))
	return token, err
}

// RedeemLoginToken uses up a sign-in token and returns its seller and the
// person it was made for. A token works once and only before it expires;
// anything else is the same not-found error, so a guesser learns nothing.
func (ws *WebSessionService) RedeemLoginToken(ctx context.Context, token string) (_ int64, _ string, err error) {
	defer wrap(&err, "redeem login token")
	var sellerID int64
	var person string
	err = ws.db.q(ctx).QueryRow(ctx, `UPDATE web_login_tokens SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING seller_id, person`, hashWebToken(token), ws.db.Now()).Scan(&sellerID, &person)
	if errNoRows(err) {
		return 0, "", notFound("error.web.link_invalid")
	}
	return sellerID, person, err
}

// FindLoginToken tells whose a sign-in token is and until when it works,
// without using it up; a used, expired or unknown one is not found.
func (ws *WebSessionService) FindLoginToken(ctx context.Context, token string) (_ int64, _ time.Time, err error) {
	defer wrap(&err, "find login token")
	var sellerID int64
	var expires time.Time
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT seller_id, expires_at FROM web_login_tokens
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hashWebToken(token), ws.db.Now()).Scan(&sellerID, &expires)
	if errNoRows(err) {
		return 0, time.Time{}, notFound("error.web.link_invalid")
	}
	return sellerID, expires, err
}

// CreateWebSession starts a browser session for a seller's person ("" for
// the owner), valid for ttl, and returns the cookie's token and expiry.
func (ws *WebSessionService) CreateWebSession(ctx context.Context, sellerID int64, person string, ttl time.Duration) (_ string, _ time.Time, err error) {
	defer wrap(&err, "create web session for seller %d", sellerID)
	token, hash, err := newWebToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := ws.db.Now()
	expires := now.Add(ttl)
	q := ws.db.q(ctx)
	if _, err := q.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at < $1`, now.Add(-expiredGrace)); err != nil {
		return "", time.Time{}, err
	}
	_, err = q.Exec(ctx, `INSERT INTO web_sessions (token_hash, seller_id, person, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, sellerID, person, expires)
	return token, expires, err
}

// FindWebSession returns the seller and person a session cookie signs in,
// while the session has not expired or been ended.
func (ws *WebSessionService) FindWebSession(ctx context.Context, token string) (_ int64, _ string, err error) {
	defer wrap(&err, "find web session")
	if token == "" {
		return 0, "", notFound("error.web.session_expired")
	}
	var sellerID int64
	var person string
	err = ws.db.q(ctx).QueryRow(ctx, `SELECT seller_id, person FROM web_sessions
		WHERE token_hash = $1 AND expires_at > $2`, hashWebToken(token), ws.db.Now()).Scan(&sellerID, &person)
	if errNoRows(err) {
		return 0, "", notFound("error.web.session_expired")
	}
	return sellerID, person, err
}

// DeleteWebSession ends a session (log out). Ending one that is already
// gone is not an error.
func (ws *WebSessionService) DeleteWebSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "delete web session")
	if token == "" {
		return nil
	}
	_, err = ws.db.q(ctx).Exec(ctx, `DELETE FROM web_sessions WHERE token_hash = $1`, hashWebToken(token))
	return err
}
