package storage

import (
	"context"

	"github.com/indigo-warehouse/indigo/domain"
)

// MarkKnown marks a seller's unsent notifications as sent without sending
// them: news the seller already has, such as the month of history `indigo
// demo` seeds, which a real seller would have heard of one push at a time
// over the month, not as a morning of digests. It returns how many.
func (ns *NotificationService) MarkKnown(ctx context.Context, sellerID int64) (_ int64, err error) {
	defer wrap(&err, "mark seller %d's notifications known", sellerID)
	if scope, err := actorScope(ctx); err != nil {
		return 0, err
	} else if scope != 0 {
		return 0, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	tag, err := ns.db.q(ctx).Exec(ctx, `UPDATE notifications SET sent_at = now()
		WHERE seller_id = $1 AND sent_at IS NULL AND failed_at IS NULL`, sellerID)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
