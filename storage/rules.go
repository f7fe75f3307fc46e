package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// RuleService implements domain.RuleService: a seller's ordered rules and
// their default. A seller acting sees and changes only their own.
type RuleService struct{ db *DB }

var _ domain.RuleService = (*RuleService)(nil)

// NewRuleService returns the rule repository.
func NewRuleService(db *DB) *RuleService { return &RuleService{db: db} }

// sellerScope refuses a seller acting for another seller.
func sellerScope(ctx context.Context, sellerID int64) error {
	scope, err := actorScope(ctx)
	if err != nil {
		return err
	}
	if scope != 0 && scope != sellerID {
		return notFound("error.not_found")
	}
	return nil
}

// FindRules implements domain.RuleService: in position order.
func (rs *RuleService) FindRules(ctx context.Context, sellerID int64) (_ []*domain.Rule, err error) {
	defer wrap(&err, "find rules of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return nil, err
	}
	rows, err := rs.db.q(ctx).Query(ctx, `SELECT id, seller_id, position, name, conditions, action, created_at
		FROM decision_rules WHERE seller_id = $1 ORDER BY position`, sellerID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Rule, error) {
		var rule domain.Rule
		err := r.Scan(&rule.ID, &rule.SellerID, &rule.Position, &rule.Name, &rule.Conditions, &rule.Action, &rule.CreatedAt)
		return &rule, err
	})
}

// maxRules bounds a seller's list: a chat shows it on one screen.
const maxRules = 20

// CreateRule implements domain.RuleService.
func (rs *RuleService) CreateRule(ctx context.Context, r *domain.Rule) (err error) {
	defer wrap(&err, "create a rule for seller %d", r.SellerID)
	if err := sellerScope(ctx, r.SellerID); err != nil {
		return err
	}
	if _, err := domain.ParseRuleAction(string(r.Action)); err != nil {
		return err
	}
	return rs.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM decision_rules WHERE seller_id = $1`, r.SellerID).Scan(&n); err != nil {
			return err
		}
		if n >= maxRules {
			return domain.Errorf(domain.CodeInvalid, "error.rule.too_many", map[string]any{"Count": maxRules})
		}
		r.Position = n + 1
		return tx.QueryRow(ctx, `INSERT INTO decision_rules (seller_id, position, name, conditions, action)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
			r.SellerID, r.Position, r.Name, r.Conditions, r.Action).Scan(&r.ID, &r.CreatedAt)
	})
}

// DeleteRule implements domain.RuleService; the rules after it move up.
func (rs *RuleService) DeleteRule(ctx context.Context, sellerID, ruleID int64) (err error) {
	defer wrap(&err, "delete rule %d of seller %d", ruleID, sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return err
	}
	return rs.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		var pos int
		err := tx.QueryRow(ctx, `DELETE FROM decision_rules WHERE id = $1 AND seller_id = $2 RETURNING position`,
			ruleID, sellerID).Scan(&pos)
		if errNoRows(err) {
			return notFound("error.rule.not_found")
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE decision_rules SET position = position - 1 WHERE seller_id = $1 AND position > $2`, sellerID, pos)
		return err
	})
}

// MoveRule implements domain.RuleService: it swaps the rule with its
// neighbour; at either end it stays.
func (rs *RuleService) MoveRule(ctx context.Context, sellerID, ruleID int64, by int) (err error) {
	defer wrap(&err, "move rule %d of seller %d by %d", ruleID, sellerID, by)
	if err := sellerScope(ctx, sellerID); err != nil {
		return err
	}
	if by != -1 && by != 1 {
		return fmt.Errorf("move by %d: only one place at a time", by)
	}
	return rs.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		var pos int
		err := tx.QueryRow(ctx, `SELECT position FROM decision_rules WHERE id = $1 AND seller_id = $2 FOR UPDATE`,
			ruleID, sellerID).Scan(&pos)
		if errNoRows(err) {
			return notFound("error.rule.not_found")
		}
		if err != nil {
			return err
		}
		// The unique position is deferred to the commit, so the swap may
		// pass through a duplicate.
		if _, err := tx.Exec(ctx, `UPDATE decision_rules SET position = $3 WHERE seller_id = $1 AND position = $2`,
			sellerID, pos+by, pos); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE decision_rules SET position = $2 WHERE id = $1
			AND EXISTS (SELECT 1 FROM decision_rules o WHERE o.seller_id = $3 AND o.id <> $1 AND o.position = $4)`,
			ruleID, pos+by, sellerID, pos)
		return err
	})
}

// PreviewRules implements domain.RuleService over the seller's returns
// requested in the last domain.PreviewDays days.
func (rs *RuleService) PreviewRules(ctx context.Context, sellerID int64, now time.Time) (_ domain.RulePreview, err error) {
	defer wrap(&err, "preview the rules of seller %d", sellerID)
	rules, err := rs.FindRules(ctx, sellerID)
	if err != nil {
		return domain.RulePreview{}, err
	}
	from := now.AddDate(0, 0, -domain.PreviewDays)
	past, _, err := NewReturnService(rs.db).FindReturns(ctx, domain.ReturnFilter{SellerID: &sellerID, RequestFrom: &from})
	if err != nil {
		return domain.RulePreview{}, err
	}
	return domain.PreviewRules(rules, past), nil
}

// DefaultDecision implements domain.RuleService.
func (rs *RuleService) DefaultDecision(ctx context.Context, sellerID int64) (_ domain.Decision, _ bool, err error) {
	defer wrap(&err, "find the default of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return "", false, err
	}
	var d domain.Decision
	err = rs.db.q(ctx).QueryRow(ctx, `SELECT decision FROM decision_defaults WHERE seller_id = $1`, sellerID).Scan(&d)
	if errNoRows(err) {
		return "", false, nil
	}
	return d, err == nil, err
}

// SetDefaultDecision implements domain.RuleService; it is audited.
func (rs *RuleService) SetDefaultDecision(ctx context.Context, sellerID int64, d domain.Decision) (err error) {
	defer wrap(&err, "set the default of seller %d", sellerID)
	if err := sellerScope(ctx, sellerID); err != nil {
		return err
	}
	if _, err := domain.ParseDecision(string(d)); err != nil {
		return err
	}
	return rs.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		if _, err := tx.Exec(ctx, `INSERT INTO decision_defaults (seller_id, decision) VALUES ($1, $2)
			ON CONFLICT (seller_id) DO UPDATE SET decision = $2, updated_at = now()`, sellerID, d); err != nil {
			return err
		}
		return NewAuditService(rs.db).CreateAuditEntry(ctx, &domain.AuditEntry{Action: "seller.default_decision",
			SellerID: &sellerID, Details: map[string]any{"decision": d}})
	})
}

// decideByRule runs the seller's rules on a return that has just reached
// its decision point, inside ApplyEvent's transaction. The first matching
// rule decides, as the system, and the decision is recorded for the
// digest and for undoing; "ask me", no match, or a decision the return
// cannot take (Return to seller without a profile) leave it to the seller.
func (rs *ReturnService) decideByRule(ctx context.Context, cur *domain.Return, next domain.Status, ev domain.Event, owner *domain.Seller) (bool, error) {
	if next != domain.StatusAwaitingSellerDecision || ev == domain.EventReopenDecision {
		return false, nil
	}
	sys := domain.NewContextWithActor(ctx, domain.System)
	rules, err := NewRuleService(rs.db).FindRules(sys, cur.SellerID)
	if err != nil || len(rules) == 0 {
		return false, err
	}
	r, err := rs.findReturnByID(ctx, cur.ID, "")
	if err != nil {
		return false, err
	}
	rule, ok := domain.FirstMatch(rules, r)
	if !ok {
		return false, nil
	}
	d, decides := rule.Action.Decision()
	if !decides {
		return false, nil
	}
	ch := domain.ReturnChange{Event: domain.DecisionEvent(d), Decision: d}
	to, err := r.Check(ctx, ch, owner)
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.CodeInternal {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tx, _ := Tx(ctx)
	var entered time.Time
	if err := tx.QueryRow(ctx, `UPDATE returns SET status = $2, decision = $3 WHERE id = $1 RETURNING updated_at`,
		r.ID, to, d).Scan(&entered); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO return_transitions
		(return_id, event, from_status, to_status, actor_kind, actor_id, actor_name, note, at)
		VALUES ($1, $2, $3, $4, 'system', 0, 'rule', $5, $6)`,
		r.ID, ch.Event, r.Status, to, fmt.Sprintf("rule %d: %s", rule.ID, rule.Name), rs.db.Now()); err != nil {
		return false, err
	}
	a := &domain.AutoDecision{ReturnID: r.ID, SellerID: r.SellerID, Kind: domain.AutoByRule, Decision: d, RuleID: rule.ID, RuleName: rule.Name}
	if _, err := insertAutoDecision(ctx, a, entered); err != nil {
		return false, err
	}
	return true, recordAuto(ctx, a, r, "", map[string]any{})
}
