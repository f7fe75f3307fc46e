package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// Teams: a seller's colleagues join with a one-time invitation and act for
// the seller from their own chat accounts (seller_identities rows).

// inviteBytes of randomness: 22 characters of base64url, which fit a
// Telegram deep link's 64-character payload with room for a prefix.
const inviteBytes = 16

func hashInvite(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// CreateInvite makes a one-time invitation to the seller's team, valid for
// ttl. The person acting in ctx is recorded as its author.
func (ss *SellerService) CreateInvite(ctx context.Context, sellerID int64, ttl time.Duration) (_ string, err error) {
	defer wrap(&err, "create invite for seller %d", sellerID)
	scope, err := actorScope(ctx)
	if err != nil {
		return "", err
	}
	if scope != 0 && scope != sellerID {
		return "", &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	actor, _ := domain.ActorFromContext(ctx)
	var raw [inviteBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	code := base64.RawURLEncoding.EncodeToString(raw[:])
	now := ss.db.Now()
	_, err = ss.db.q(ctx).Exec(ctx, `INSERT INTO team_invites (seller_id, code_hash, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, sellerID, hashInvite(code), actor.Person, now, now.Add(ttl))
	return code, err
}

// AcceptInvite spends the invitation code and adds ident to its seller's
// team, in the caller's transaction if ctx carries one. It takes no actor:
// the person accepting is not anybody's seller yet.
func (ss *SellerService) AcceptInvite(ctx context.Context, code string, ident domain.Identity) (_ *domain.Seller, err error) {
	defer wrap(&err, "accept invite as %s", ident)
	var sellerID int64
	err = ss.db.inTx(ctx, func(tx pgx.Tx) error {
		var expires time.Time
		var used *time.Time
		// FOR UPDATE: two people pressing the same link at once get one team seat.
		err := tx.QueryRow(ctx, `SELECT seller_id, expires_at, used_at FROM team_invites
			WHERE code_hash = $1 FOR UPDATE`, hashInvite(code)).Scan(&sellerID, &expires, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "error.invite.invalid", nil)
		}
		if err != nil {
			return err
		}
		if current, err := ss.FindSellerByIdentity(ctx, ident); err == nil {
			if current.ID == sellerID {
				return domain.Errorf(domain.CodeConflict, "error.invite.already_member", nil)
			}
			return domain.Errorf(domain.CodeConflict, "error.invite.other_seller", nil)
		} else if domain.ErrorCode(err) != domain.CodeNotFound {
			return err
		}
		if used != nil {
			return domain.Errorf(domain.CodeConflict, "error.invite.used", nil)
		}
		if !ss.db.Now().Before(expires) {
			return domain.Errorf(domain.CodeInvalid, "error.invite.expired", nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE team_invites SET used_at = $2, used_by = $3 WHERE code_hash = $1`,
			hashInvite(code), ss.db.Now(), ident.String()); err != nil {
			return err
		}
		if err := addIdentity(ctx, tx, sellerID, ident); err != nil {
			return err
		}
		// The seller hears of every new member, in the same transaction.
		return insertNotification(ctx, tx, &domain.Notification{SellerID: sellerID,
			Kind: domain.NotifyTeamMemberJoined, Data: map[string]any{"Name": ident.Name}})
	})
	if err != nil {
		return nil, err
	}
	return ss.findSeller(ctx, `WHERE s.id = $1`, sellerID)
}

// RemoveIdentity takes a member off the seller's team. The owner, the
// seller's first account, stays: without it nobody would get the pushes.
func (ss *SellerService) RemoveIdentity(ctx context.Context, sellerID int64, ident domain.Identity) (err error) {
	defer wrap(&err, "remove %s from seller %d", ident, sellerID)
	seller, err := ss.FindSellerByID(ctx, sellerID)
	if err != nil {
		return err
	}
	if seller.IsOwner(ident) {
		return domain.Errorf(domain.CodeForbidden, "error.team.owner_stays", nil)
	}
	tag, err := ss.db.q(ctx).Exec(ctx, `DELETE FROM seller_identities
		WHERE seller_id = $1 AND channel = $2 AND external_id = $3`, sellerID, ident.Channel, ident.ExternalID)
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound("error.team.member_not_found")
	}
	return err
}
