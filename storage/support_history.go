package storage

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// support_history.go: domain.SupportHistory on SupportService. The
// seller's side is written by triggers on support_relays (migration
// 00026), in the transaction that queues the relay; staff's side here.

var _ domain.SupportHistory = (*SupportService)(nil)

// AddSupportMessage records staff's answer to a seller.
func (ss *SupportService) AddSupportMessage(ctx context.Context, m *domain.SupportMessage) (err error) {
	defer wrap(&err, "add support message for seller %d", m.SellerID)
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 && scope != m.SellerID {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	return ss.db.q(ctx).QueryRow(ctx, `INSERT INTO support_messages (seller_id, from_staff, channel, text, files, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
		m.SellerID, m.FromStaff, m.Channel, m.Text, m.Files, ss.db.Now()).Scan(&m.ID, &m.CreatedAt)
}

// FindSupportMessages implements domain.SupportHistory.
func (ss *SupportService) FindSupportMessages(ctx context.Context, sellerID int64, limit int) (_ []*domain.SupportMessage, err error) {
	defer wrap(&err, "find support messages of seller %d", sellerID)
	if scope, err := actorScope(ctx); err != nil {
		return nil, err
	} else if scope != 0 && scope != sellerID {
		return nil, nil // another seller's conversation is nobody's here
	}
	rows, err := ss.db.q(ctx).Query(ctx, `SELECT id, seller_id, from_staff, channel, text, files, created_at FROM (
		SELECT * FROM support_messages WHERE seller_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`, sellerID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.SupportMessage, error) {
		m := &domain.SupportMessage{}
		return m, r.Scan(&m.ID, &m.SellerID, &m.FromStaff, &m.Channel, &m.Text, &m.Files, &m.CreatedAt)
	})
}
