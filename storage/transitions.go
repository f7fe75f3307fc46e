package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// ApplyEvent moves a return through the lifecycle: it locks the row, checks
// the change against domain rules, writes the new status with the change's
// fields, and records the transition with the actor, all in one transaction.
func (rs *ReturnService) ApplyEvent(ctx context.Context, id int64, ch domain.ReturnChange) (_ *domain.Return, err error) {
	defer wrap(&err, "apply %s to return %d", ch.Event, id)
	actor, ok := domain.ActorFromContext(ctx)
	if !ok {
		return nil, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("no actor in context")}
	}
	err = rs.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		cur, err := rs.findReturnByID(ctx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		// The owner's profile decides whether "Return to seller" is allowed;
		// read it as the system because staff may act for the seller.
		owner, err := NewSellerService(rs.db).FindSellerByID(domain.NewContextWithActor(ctx, domain.System), cur.SellerID)
		if err != nil {
			return err
		}
		next, err := cur.Check(ctx, ch, owner)
		if err != nil {
			return err
		}
		if err := checkHold(ctx, tx, cur.SellerID, ch.Event); err != nil { // ledger.go
			return err
		}
		at := receiptTime(&ch, rs.db.Now())
		if err := updateReturn(ctx, tx, id, ch.Update); err != nil {
			return err
		}
		// An undone decision is no decision.
		if _, err := tx.Exec(ctx, `UPDATE returns SET status = $2,
			decision = CASE WHEN $4 THEN '' WHEN $3 = '' THEN decision ELSE $3 END WHERE id = $1`,
			id, next, ch.Decision, ch.Event == domain.EventReopenDecision); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `INSERT INTO return_transitions
			(return_id, event, from_status, to_status, actor_kind, actor_id, actor_name, actor_person, note, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, ch.Event, cur.Status, next, actor.Kind, actor.ID, actor.Name, actor.Person, ch.Note, at); err != nil {
			return err
		}
		// What the step costs is billed with it (ledger.go).
		if err := rs.db.chargeEvent(ctx, tx, cur, ch.Event); err != nil {
			return err
		}
		// A rule may decide at once; then there is nothing to ask (decisions.go).
		if decided, err := rs.afterTransition(ctx, cur, next, ch.Event, owner); err != nil || decided {
			return err
		}
		// The outbox row commits or rolls back with the change it reports.
		return notifyReturn(ctx, tx, cur, next)
	})
	if err != nil {
		return nil, err
	}
	return rs.FindReturnByID(ctx, id)
}

// receiptTime is when a transition happened: now, except that a receipt
// is one moment for the return's "received" date and its history alike,
// the one the warehouse gave, else now.
func receiptTime(ch *domain.ReturnChange, now time.Time) time.Time {
	if ch.Event != domain.EventReceive && ch.Event != domain.EventReceiveForInspection {
		return now
	}
	if ch.Update.ReceivedAt == nil {
		ch.Update.ReceivedAt = &now
	}
	return *ch.Update.ReceivedAt
}

// FindTransitions returns a return's history, oldest first.
func (rs *ReturnService) FindTransitions(ctx context.Context, returnID int64) (_ []*domain.Transition, err error) {
	defer wrap(&err, "find transitions of return %d", returnID)
	if _, err := rs.FindReturnByID(ctx, returnID); err != nil {
		return nil, err
	}
	rows, err := rs.db.q(ctx).Query(ctx, `SELECT return_id, event, from_status, to_status,
		actor_kind, actor_id, actor_name, actor_person, note, at
		FROM return_transitions WHERE return_id = $1 ORDER BY id`, returnID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Transition, error) {
		var t domain.Transition
		err := r.Scan(&t.ReturnID, &t.Event, &t.From, &t.To, &t.Actor.Kind, &t.Actor.ID, &t.Actor.Name, &t.Actor.Person, &t.Note, &t.At)
		return &t, err
	})
}

// Summarize counts and sums the matching returns per tab, for the main
// page's four cards. Tabs with no returns are included with zeros.
func (rs *ReturnService) Summarize(ctx context.Context, f domain.ReturnFilter) (_ []domain.Summary, err error) {
	defer wrap(&err, "summarize returns")
	f.Tab, f.Status, f.Offset, f.Limit, f.CountUpTo = nil, nil, 0, 0, 0
	where, args, err := whereReturns(ctx, f)
	if err != nil {
		return nil, err
	}
	// Sums count priced returns only, and say how many those are.
	query := `SELECT status, count(*),
		coalesce(sum(price_rub) FILTER (WHERE price_source <> ''), 0), coalesce(sum(price_cny) FILTER (WHERE price_source <> ''), 0),
		count(*) FILTER (WHERE price_source <> ''), count(*) FILTER (WHERE price_source = 'seller_price')
		FROM returns ` + where + ` GROUP BY status`
	seller, summarized := summarizedBy(ctx, f)
	if summarized {
		// One seller's (or store's) whole table: the running sums say it
		// without reading the returns (migration 00028).
		query = `SELECT status, sum(n)::bigint, sum(rub)::bigint, sum(cny)::bigint, sum(priced)::bigint, sum(estimated)::bigint
			FROM return_summary ` + where + ` GROUP BY status`
	}
	rows, err := rs.db.q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	byTab := map[domain.Tab]*domain.Summary{}
	out := make([]domain.Summary, len(domain.AllTabs()))
	for i, t := range domain.AllTabs() {
		out[i].Tab = t
		byTab[t] = &out[i]
	}
	var status domain.Status
	var count, priced, estimated int
	var rub, cny int64
	_, err = pgx.ForEachRow(rows, []any{&status, &count, &rub, &cny, &priced, &estimated}, func() error {
		s := byTab[domain.TabOf(status)]
		s.Count += count
		s.PriceRUB += rub
		s.PriceCNY += cny
		s.Priced += priced
		s.Estimated += estimated
		return nil
	})
	if err == nil && summarized {
		err = rs.foldSummary(ctx, seller)
	}
	return out, err
}

// summarizedBy reports whether a summary's filter is one seller's whole
// table, or one store's of it, which return_summary answers; and whose.
func summarizedBy(ctx context.Context, f domain.ReturnFilter) (int64, bool) {
	seller, _ := actorScope(ctx)
	if f.SellerID != nil {
		if seller != 0 && seller != *f.SellerID {
			return 0, false
		}
		seller = *f.SellerID
	}
	f.SellerID, f.StoreID = nil, nil
	return seller, seller != 0 && f == (domain.ReturnFilter{})
}

// foldEvery is how many change rows a seller's summary may pile up before
// a read folds them into one per store and status.
const foldEvery = 256

// foldSummary folds a seller's change rows once there are many. One
// statement deletes and re-adds them, so a change appended meanwhile is
// neither lost nor counted twice, and two folds at once fold once (the
// second finds the rows gone).
func (rs *ReturnService) foldSummary(ctx context.Context, seller int64) error {
	q := rs.db.q(ctx)
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM return_summary WHERE seller_id = $1 LIMIT $2) r`,
		seller, foldEvery+1).Scan(&n); err != nil || n <= foldEvery {
		return err
	}
	_, err := q.Exec(ctx, `WITH gone AS (DELETE FROM return_summary WHERE seller_id = $1 RETURNING *)
		INSERT INTO return_summary (seller_id, store_id, status, n, priced, estimated, rub, cny)
		SELECT seller_id, store_id, status, sum(n), sum(priced), sum(estimated), sum(rub), sum(cny) FROM gone
		GROUP BY seller_id, store_id, status
		HAVING sum(n) <> 0 OR sum(priced) <> 0 OR sum(estimated) <> 0 OR sum(rub) <> 0 OR sum(cny) <> 0`, seller)
	return err
}
