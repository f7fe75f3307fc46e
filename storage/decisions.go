package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// DecisionService implements domain.DecisionService: the deadline of a
// pending decision and the seller's default applied at it, and the
// decisions rules and defaults made, each once and undoable.
type DecisionService struct{ db *DB }

var _ domain.DecisionService = (*DecisionService)(nil)

// NewDecisionService returns the decision repository.
func NewDecisionService(db *DB) *DecisionService { return &DecisionService{db: db} }

// enteredDecisionSQL is when return r last began waiting for a decision;
// decisionDaysSQL the window in effect then (domain.DefaultDecisionDays
// while staff set none). Both are correlated to "r" and "entered".
const (
	enteredDecisionSQL = `coalesce((SELECT max(t.at) FROM return_transitions t
		WHERE t.return_id = r.id AND t.to_status = 'awaiting_seller_decision'), r.created_at)`
	decisionDaysSQL = `coalesce((SELECT value FROM indigo_tariffs WHERE kind = 'decision_days' AND effective_from <= entered
		ORDER BY effective_from DESC, id DESC LIMIT 1), 14)`
)

// afterTransition is what a transition sets off in ApplyEvent's
// transaction: WB's charge when its pickup storage ended, a rule's
// decision at the decision point. True means the rule decided, and the
// seller is not asked.
func (rs *ReturnService) afterTransition(ctx context.Context, cur *domain.Return, next domain.Status, ev domain.Event, owner *domain.Seller) (bool, error) {
	if ev == domain.EventExpireAtPickupPoint {
		if err := recordUncollectedCharge(ctx, rs.db, cur); err != nil {
			return false, err
		}
	}
	return rs.decideByRule(ctx, cur, next, ev, owner)
}

// Deadline implements domain.DecisionService.
func (ds *DecisionService) Deadline(ctx context.Context, r *domain.Return) (_ domain.DecisionDeadline, _ bool, err error) {
	defer wrap(&err, "find the deadline of return %d", r.ID)
	if r.Status != domain.StatusAwaitingSellerDecision {
		return domain.DecisionDeadline{}, false, nil
	}
	dl := domain.DecisionDeadline{ReturnID: r.ID}
	var days int
	err = ds.db.q(ctx).QueryRow(ctx, `SELECT entered, `+decisionDaysSQL+`
		FROM (SELECT `+enteredDecisionSQL+` AS entered FROM returns r WHERE r.id = $1) e`, r.ID).Scan(&dl.EnteredAt, &days)
	if err != nil {
		return dl, false, err
	}
	dl.DueAt = domain.DueAfter(dl.EnteredAt, days)
	dl.Default, dl.SellerDefault, err = ds.defaultFor(ctx, r.SellerID)
	return dl, true, err
}

// defaultFor is the decision that will be applied for a seller: theirs,
// unless it is Return to seller and their profile cannot take it, when
// the card has to state Indigo's instead.
func (ds *DecisionService) defaultFor(ctx context.Context, sellerID int64) (domain.Decision, bool, error) {
	sys := domain.NewContextWithActor(ctx, domain.System)
	d, ok, err := NewRuleService(ds.db).DefaultDecision(sys, sellerID)
	if err != nil || !ok {
		return domain.IndigoDefault, false, err
	}
	if d == domain.DecisionReturnToSeller {
		owner, err := NewSellerService(ds.db).FindSellerByID(sys, sellerID)
		if err != nil {
			return "", false, err
		}
		if !owner.ProfileComplete() {
			return domain.IndigoDefault, false, nil
		}
	}
	return d, true, nil
}

// ApplyDueDefaults implements domain.DecisionService. Each return is
// decided in its own transaction under its row lock, and the auto
// decision's row (unique per return and wait) is written with it, so two
// replicas running the job at once decide each return once.
func (ds *DecisionService) ApplyDueDefaults(ctx context.Context, now time.Time) (n int, err error) {
	defer wrap(&err, "apply due defaults")
	if err := staffOnly(ctx); err != nil {
		return 0, err
	}
	return eachDue(ctx, ds.db, `SELECT r.id FROM returns r
		CROSS JOIN LATERAL (SELECT `+enteredDecisionSQL+` AS entered) e
		WHERE r.status = 'awaiting_seller_decision' AND e.entered + `+decisionDaysSQL+` * interval '1 day' <= $1
		ORDER BY r.id LIMIT 500`, now, ds.applyDefault)
}

// eachDue runs do for each return the query (with $1 = now) finds due,
// one at a time, and counts those do reports done: each takes its row
// lock in a transaction of its own, so replicas running the same job at
// once handle each return once.
func eachDue(ctx context.Context, db *DB, query string, now time.Time, do func(ctx context.Context, id int64, now time.Time) (bool, error)) (n int, err error) {
	rows, err := db.q(ctx).Query(ctx, query, now)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		done, err := do(ctx, id, now)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (ds *DecisionService) applyDefault(ctx context.Context, id int64, now time.Time) (done bool, err error) {
	rs := NewReturnService(ds.db)
	err = ds.db.InTx(ctx, func(ctx context.Context) error {
		cur, err := rs.findReturnByID(ctx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		dl, waiting, err := ds.Deadline(ctx, cur)
		if err != nil || !waiting || dl.DueAt.After(now) {
			return err // decided, or waiting again since, meanwhile
		}
		auto := &domain.AutoDecision{ReturnID: id, SellerID: cur.SellerID, Kind: domain.AutoByDefault, Decision: dl.Default}
		if done, err = insertAutoDecision(ctx, auto, dl.EnteredAt); err != nil || !done {
			return err
		}
		sys := domain.NewContextWithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "default"})
		if _, err := rs.ApplyEvent(sys, id, domain.ReturnChange{Event: domain.DecisionEvent(dl.Default),
			Decision: dl.Default, Note: "default"}); err != nil {
			return err
		}
		return recordAuto(ctx, auto, cur, domain.NotifyDecidedByDefault, map[string]any{"seller_default": dl.SellerDefault})
	})
	return done, err
}

// insertAutoDecision records a decision made for the seller; false when
// this wait of the return was decided for them already.
func insertAutoDecision(ctx context.Context, a *domain.AutoDecision, entered time.Time) (bool, error) {
	tx, ok := Tx(ctx)
	if !ok {
		return false, errors.New("insert auto decision outside a transaction")
	}
	var ruleID *int64
	if a.RuleID != 0 {
		ruleID = &a.RuleID
	}
	tag, err := tx.Exec(ctx, `INSERT INTO auto_decisions (return_id, seller_id, kind, decision, rule_id, rule_name, entered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (return_id, entered_at) DO NOTHING`,
		a.ReturnID, a.SellerID, a.Kind, a.Decision, ruleID, a.RuleName, entered)
	return tag.RowsAffected() == 1, err
}

// recordAuto audits a decision made for the seller and, for kind != "",
// tells them, in the decision's transaction.
func recordAuto(ctx context.Context, a *domain.AutoDecision, r *domain.Return, kind domain.NotificationKind, details map[string]any) error {
	tx, _ := Tx(ctx)
	details["decision"], details["by"] = a.Decision, a.Kind
	if a.RuleID != 0 {
		details["rule_id"], details["rule"] = a.RuleID, a.RuleName
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, return_id, seller_id, details)
		VALUES ('system', 0, $1, $2, $3, $4, $5)`, string(a.Kind), "return.decided_by_"+string(a.Kind), r.ID, r.SellerID, details); err != nil {
		return err
	}
	if kind == "" {
		return nil
	}
	return insertNotification(ctx, tx, &domain.Notification{SellerID: r.SellerID, Kind: kind, ReturnID: &r.ID, StoreID: &r.StoreID})
}

// FindAutoDecision implements domain.DecisionService.
func (ds *DecisionService) FindAutoDecision(ctx context.Context, returnID int64) (_ *domain.AutoDecision, err error) {
	defer wrap(&err, "find the auto decision of return %d", returnID)
	list, err := ds.findAuto(ctx, `a.return_id = $1 ORDER BY a.id DESC LIMIT 1`, returnID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// FindUnreportedAutoDecisions implements domain.DecisionService.
func (ds *DecisionService) FindUnreportedAutoDecisions(ctx context.Context, sellerID int64) (_ []*domain.AutoDecision, err error) {
	defer wrap(&err, "find unreported auto decisions of seller %d", sellerID)
	return ds.findAuto(ctx, `a.seller_id = $1 AND a.reported_at IS NULL ORDER BY a.id`, sellerID)
}

func (ds *DecisionService) findAuto(ctx context.Context, where string, arg int64) ([]*domain.AutoDecision, error) {
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := ds.db.q(ctx).Query(ctx, fmt.Sprintf(`SELECT a.return_id, a.seller_id, a.kind, a.decision,
			coalesce(a.rule_id, 0), a.rule_name, a.at, a.undone_at, a.reported_at
		FROM auto_decisions a WHERE ($2::bigint = 0 OR a.seller_id = $2) AND %s`, where), arg, scope)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.AutoDecision, error) {
		var a domain.AutoDecision
		err := r.Scan(&a.ReturnID, &a.SellerID, &a.Kind, &a.Decision, &a.RuleID, &a.RuleName, &a.At, &a.Undone, &a.Reported)
		return &a, err
	})
}

// MarkAutoDecisionsReported implements domain.DecisionService.
func (ds *DecisionService) MarkAutoDecisionsReported(ctx context.Context, sellerID int64, at time.Time) (err error) {
	defer wrap(&err, "mark auto decisions of seller %d reported", sellerID)
	if err := staffOnly(ctx); err != nil {
		return err
	}
	_, err = ds.db.q(ctx).Exec(ctx, `UPDATE auto_decisions SET reported_at = $2
		WHERE seller_id = $1 AND reported_at IS NULL`, sellerID, at)
	return err
}

// UndoAutoDecision implements domain.DecisionService: the seller takes
// back a decision a rule or their default made, while the warehouse has
// not carried it out; the return waits for them again, with a new
// deadline, and no rule runs on it a second time.
func (ds *DecisionService) UndoAutoDecision(ctx context.Context, returnID int64) (_ *domain.Return, err error) {
	defer wrap(&err, "undo the auto decision of return %d", returnID)
	rs := NewReturnService(ds.db)
	err = ds.db.InTx(ctx, func(ctx context.Context) error {
		cur, err := rs.findReturnByID(ctx, returnID, "FOR UPDATE")
		if err != nil {
			return err
		}
		a, err := ds.FindAutoDecision(ctx, returnID)
		if err != nil {
			return err
		}
		if !a.CanUndo(cur) {
			return domain.Errorf(domain.CodeConflict, "error.return.undo_too_late", nil)
		}
		tx, _ := Tx(ctx)
		if _, err := tx.Exec(ctx, `UPDATE auto_decisions SET undone_at = now()
			WHERE id = (SELECT max(id) FROM auto_decisions WHERE return_id = $1)`, returnID); err != nil {
			return err
		}
		_, err = rs.ApplyEvent(ctx, returnID, domain.ReturnChange{Event: domain.EventReopenDecision})
		return err
	})
	if err != nil {
		return nil, err
	}
	return rs.FindReturnByID(ctx, returnID)
}

// AttachAutoDecisions puts into every unsent morning digest the decisions
// made for its seller since the last one, and marks them reported, in one
// statement: each is reported in one digest, and a digest sent again
// lists the same ones. The digest job runs it after RemindDaily.
func (ns *NotificationService) AttachAutoDecisions(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "attach auto decisions to digests")
	res, err := ns.db.q(ctx).Exec(ctx, `WITH d AS (
			SELECT DISTINCT ON (seller_id) id, seller_id FROM notifications
			WHERE kind = 'daily_digest' AND sent_at IS NULL AND failed_at IS NULL AND NOT data ? 'auto'
			ORDER BY seller_id, id),
		a AS (UPDATE auto_decisions a SET reported_at = $1 FROM d
			WHERE a.seller_id = d.seller_id AND a.reported_at IS NULL
			RETURNING a.id, a.seller_id, a.return_id, a.kind, a.decision, a.rule_name)
		UPDATE notifications n SET data = n.data || jsonb_build_object('auto', coalesce((
			SELECT jsonb_agg(jsonb_build_object('return_id', a.return_id, 'kind', a.kind, 'decision', a.decision,
				'rule', a.rule_name) ORDER BY a.id) FROM a WHERE a.seller_id = n.seller_id), '[]'::jsonb))
		FROM d WHERE n.id = d.id`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected(), nil
}
