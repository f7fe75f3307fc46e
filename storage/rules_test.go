package storage_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func names(rules []*domain.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Name)
	}
	return out
}

// TestRulesAtDecisionPoint: a return reaching its decision point is
// decided by the first matching rule, with no prompt; "ask me" and no
// match leave the prompt; a decision made so is reported once and can be
// undone until the warehouse carries it out.
func TestRulesAtDecisionPoint(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	rules := storage.NewRuleService(db)
	as := pgtest.As(seller)
	for _, r := range []*domain.Rule{
		{Name: "defects: ask me", Action: domain.RuleAsk, Conditions: domain.RuleConditions{DefectFound: ptr(true)}},
		{Name: "cheap: dispose", Action: domain.RuleDispose, Conditions: domain.RuleConditions{PriceMaxRUB: ptr(int64(500_00))}},
		{Name: "dear: sell", Action: domain.RuleSell, Conditions: domain.RuleConditions{PriceMinRUB: ptr(int64(3000_00))}},
	} {
		r.SellerID = seller.ID
		if err := rules.CreateRule(as, r); err != nil {
			t.Fatal(err)
		}
	}
	cheap := receivedReturn(t, db, store.ID, func(r *domain.Return) { r.PriceRUB = 300_00 })
	dear := receivedReturn(t, db, store.ID, func(r *domain.Return) { r.PriceRUB = 5000_00 })
	middle := receivedReturn(t, db, store.ID, func(r *domain.Return) { r.PriceRUB = 1000_00 })
	// Inspected with a defect: ask me stops the list before "cheap".
	defect := receivedReturn(t, db, store.ID, func(r *domain.Return) { r.PriceRUB = 100_00; r.NeedsVerification = true })
	rs := storage.NewReturnService(db)
	yes := true
	defect, err := rs.ApplyEvent(staffCtx(), defect.ID, domain.ReturnChange{Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &yes}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		r      *domain.Return
		status domain.Status
		asked  int
	}{
		{cheap, domain.StatusAwaitingDisposal, 0},
		{dear, domain.StatusAwaitingTransferToSale, 0},
		{middle, domain.StatusAwaitingSellerDecision, 1},
		{defect, domain.StatusAwaitingSellerDecision, 1},
	} {
		if tt.r.Status != tt.status {
			t.Errorf("return %d (%d kop): %s, want %s", tt.r.ID, tt.r.PriceRUB, tt.r.Status, tt.status)
		}
		if n := count(t, db, `SELECT count(*) FROM notifications WHERE return_id = $1 AND kind = 'awaiting_decision'`, tt.r.ID); n != tt.asked {
			t.Errorf("return %d: asked %d times, want %d", tt.r.ID, n, tt.asked)
		}
	}

	ds := storage.NewDecisionService(db)
	reported, err := ds.FindUnreportedAutoDecisions(as, seller.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range reported {
		got = append(got, a.RuleName)
	}
	if diff := cmp.Diff([]string{"cheap: dispose", "dear: sell"}, got); diff != "" {
		t.Fatalf("unreported (-want +got):\n%s", diff)
	}
	if err := ds.MarkAutoDecisionsReported(pgtest.System(), seller.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if again, _ := ds.FindUnreportedAutoDecisions(as, seller.ID); len(again) != 0 {
		t.Fatalf("reported twice: %+v", again)
	}

	// Undone, "cheap" waits for the seller and no rule takes it again.
	undone, err := ds.UndoAutoDecision(as, cheap.ID)
	if err != nil || undone.Status != domain.StatusAwaitingSellerDecision {
		t.Fatalf("undo = %+v, %v", undone, err)
	}
	if n := count(t, db, `SELECT count(*) FROM notifications WHERE return_id = $1 AND kind = 'awaiting_decision'`, cheap.ID); n != 1 {
		t.Fatalf("undone return asked %d times", n)
	}
	// Once the warehouse listed "dear", its rule's decision stands.
	if _, err := rs.ApplyEvent(staffCtx(), dear.ID, domain.ReturnChange{Event: domain.EventTransferToSale}); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.UndoAutoDecision(as, dear.ID); domain.ErrorMsgID(err) != "error.return.undo_too_late" {
		t.Fatalf("undo after listing: %v", err)
	}
	// A seller's own decision is no rule's to undo.
	if _, err := rs.ApplyEvent(as, middle.ID, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.UndoAutoDecision(as, middle.ID); domain.ErrorMsgID(err) != "error.return.undo_too_late" {
		t.Fatalf("undo of the seller's own decision: %v", err)
	}
}

// TestRuleList: rules keep their order through moves and deletes, another
// seller sees none of them, and the preview counts the last 90 days.
func TestRuleList(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	rules := storage.NewRuleService(db)
	as := pgtest.As(seller)
	var made []*domain.Rule
	for _, name := range []string{"a", "b", "c"} {
		r := &domain.Rule{SellerID: seller.ID, Name: name, Action: domain.RuleSell,
			Conditions: domain.RuleConditions{Subject: "subject " + name}}
		if err := rules.CreateRule(as, r); err != nil {
			t.Fatal(err)
		}
		made = append(made, r)
	}
	list := func() []string {
		t.Helper()
		got, err := rules.FindRules(as, seller.ID)
		if err != nil {
			t.Fatal(err)
		}
		return names(got)
	}
	steps := []struct {
		do   func() error
		want []string
	}{
		{func() error { return rules.MoveRule(as, seller.ID, made[2].ID, -1) }, []string{"a", "c", "b"}},
		{func() error { return rules.MoveRule(as, seller.ID, made[0].ID, -1) }, []string{"a", "c", "b"}},
		{func() error { return rules.MoveRule(as, seller.ID, made[0].ID, 1) }, []string{"c", "a", "b"}},
		{func() error { return rules.DeleteRule(as, seller.ID, made[0].ID) }, []string{"c", "b"}},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if diff := cmp.Diff(s.want, list()); diff != "" {
			t.Fatalf("step %d (-want +got):\n%s", i, diff)
		}
	}
	other := pgtest.Seller(t, db, nil)
	if _, err := rules.FindRules(pgtest.As(other), seller.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another seller read the rules: %v", err)
	}

	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i, subject := range []string{"subject b", "subject b", "subject c", "subject x"} {
		pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Subject, r.RequestDate = subject, now.AddDate(0, 0, -i*10) })
	}
	pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Subject, r.RequestDate = "subject b", now.AddDate(0, 0, -91) })
	p, err := rules.PreviewRules(as, seller.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Taken[made[1].ID] != 2 || p.Taken[made[2].ID] != 1 || p.Unmatched != 1 || p.Total != 4 {
		t.Fatalf("preview = %+v", p)
	}
}
