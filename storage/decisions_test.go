package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// fakeClock is a clock every replica of a test reads.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// receivedReturn is a return the warehouse received at the clock's time:
// it waits for the seller's decision from then.
func receivedReturn(t *testing.T, db *storage.DB, storeID int64, fn func(*domain.Return)) *domain.Return {
	t.Helper()
	r := pgtest.Return(t, db, storeID, func(r *domain.Return) {
		r.Status = domain.StatusInTransitToWarehouse
		if fn != nil {
			fn(r)
		}
	})
	got, err := storage.NewReturnService(db).ApplyEvent(staffCtx(), r.ID, domain.ReturnChange{Event: domain.ReceiveEvent(r)})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func count(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// onEveryReplica runs job three times on each replica's pool at once, as
// cron would when every replica fires the same job, and sums what the runs
// report done.
func onEveryReplica(t *testing.T, dbs []*storage.DB, job func(db *storage.DB) (int, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 3 {
		for _, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := job(db)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return total
}

// TestDefaultOnceWithTwoReplicas: when a decision's deadline passes, the
// seller's default is applied once, though two replicas run the job at the
// same moment, again and again; audited as the default's, and the seller is
// told once. Undone, the return waits again with a new deadline.
func TestDefaultOnceWithTwoReplicas(t *testing.T) {
	dbs := pgtest.Replicas(t, 2)
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	for _, db := range dbs {
		db.Now = clock.Now
	}
	db := dbs[0]
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	if err := storage.NewTariffService(db).SetTariff(staffCtx(), &domain.Tariff{Kind: domain.TariffDecisionDays, Value: 10,
		EffectiveFrom: clock.Now().AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	if err := storage.NewRuleService(db).SetDefaultDecision(pgtest.As(seller), seller.ID, domain.DecisionDispose); err != nil {
		t.Fatal(err)
	}
	r := receivedReturn(t, db, store.ID, nil)
	ds := storage.NewDecisionService(db)
	dl, ok, err := ds.Deadline(pgtest.As(seller), r)
	if err != nil || !ok || !dl.DueAt.Equal(clock.Now().AddDate(0, 0, 10)) || dl.Default != domain.DecisionDispose || !dl.SellerDefault {
		t.Fatalf("deadline = %+v, %v, %v", dl, ok, err)
	}

	runAll := func(at time.Time) int {
		clock.Set(at)
		return onEveryReplica(t, dbs, func(db *storage.DB) (int, error) {
			return storage.NewDecisionService(db).ApplyDueDefaults(pgtest.System(), at)
		})
	}
	if n := runAll(dl.DueAt.Add(-time.Minute)); n != 0 {
		t.Fatalf("decided %d before the deadline", n)
	}
	if n := runAll(dl.DueAt.Add(time.Minute)); n != 1 {
		t.Fatalf("decided %d times at the deadline, want once", n)
	}
	got, err := storage.NewReturnService(db).FindReturnByID(pgtest.System(), r.ID)
	if err != nil || got.Status != domain.StatusAwaitingDisposal || got.Decision != domain.DecisionDispose {
		t.Fatalf("after the deadline: %+v, %v", got, err)
	}
	for what, n := range map[string]int{
		"decide transitions": count(t, db, `SELECT count(*) FROM return_transitions WHERE return_id = $1 AND event = 'decide_dispose'`, r.ID),
		"audit entries":      count(t, db, `SELECT count(*) FROM audit_log WHERE return_id = $1 AND action = 'return.decided_by_default'`, r.ID),
		"pushes":             count(t, db, `SELECT count(*) FROM notifications WHERE return_id = $1 AND kind = 'decided_by_default'`, r.ID),
		"staff tasks":        count(t, db, `SELECT count(*) FROM support_relays WHERE return_id = $1 AND kind = 'task'`, r.ID),
	} {
		if n != 1 {
			t.Errorf("%s: %d, want 1", what, n)
		}
	}

	a, err := ds.FindAutoDecision(pgtest.As(seller), r.ID)
	if err != nil || a == nil || a.Kind != domain.AutoByDefault || !a.CanUndo(got) {
		t.Fatalf("auto decision = %+v, %v", a, err)
	}
	undone, err := ds.UndoAutoDecision(pgtest.As(seller), r.ID)
	if err != nil || undone.Status != domain.StatusAwaitingSellerDecision || undone.Decision != "" {
		t.Fatalf("undo = %+v, %v", undone, err)
	}
	if _, err := ds.UndoAutoDecision(pgtest.As(seller), r.ID); domain.ErrorMsgID(err) != "error.return.undo_too_late" {
		t.Fatalf("second undo: %v", err)
	}
	if n := runAll(clock.Now().Add(time.Hour)); n != 0 {
		t.Fatalf("decided %d times right after the undo: the new wait has a new deadline", n)
	}
	dl2, _, _ := ds.Deadline(pgtest.System(), undone)
	if !dl2.DueAt.After(dl.DueAt) {
		t.Fatalf("new deadline %v is not after the old %v", dl2.DueAt, dl.DueAt)
	}
}

// TestDeadlineDefault: without a default of the seller's, Indigo's
// applies; a Return to seller the profile cannot take is not promised.
func TestDeadlineDefault(t *testing.T) {
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	r := receivedReturn(t, db, store.ID, nil)
	ds := storage.NewDecisionService(db)
	check := func(want domain.Decision, sellers bool) {
		t.Helper()
		dl, ok, err := ds.Deadline(pgtest.As(seller), r)
		if err != nil || !ok || dl.Default != want || dl.SellerDefault != sellers {
			t.Fatalf("deadline = %+v, %v, %v; want %s (seller's: %v)", dl, ok, err, want, sellers)
		}
		if got := dl.DueAt.Sub(dl.EnteredAt); got != domain.DefaultDecisionDays*24*time.Hour {
			t.Fatalf("window = %v", got)
		}
	}
	check(domain.IndigoDefault, false)
	rules := storage.NewRuleService(db)
	if err := rules.SetDefaultDecision(pgtest.As(seller), seller.ID, domain.DecisionReturnToSeller); err != nil {
		t.Fatal(err)
	}
	check(domain.IndigoDefault, false)
	other := pgtest.Seller(t, db, nil)
	if err := rules.SetDefaultDecision(pgtest.As(other), seller.ID, domain.DecisionDispose); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another seller set the default: %v", err)
	}
}

// TestDecisionReminders: before the deadline, the seller is reminded at
// each point once.
func TestDecisionReminders(t *testing.T) {
	db := pgtest.New(t)
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	seller := pgtest.Seller(t, db, nil)
	r := receivedReturn(t, db, pgtest.Store(t, db, seller.ID, nil).ID, nil)
	due := clock.Now().AddDate(0, 0, domain.DefaultDecisionDays)
	ns := storage.NewNotificationService(db)
	for _, tt := range []struct {
		at   time.Time
		want int64
	}{
		{due.Add(-73 * time.Hour), 0},
		{due.Add(-71 * time.Hour), 1},
		{due.Add(-70 * time.Hour), 0},
		{due.Add(-23 * time.Hour), 1},
		{due.Add(-time.Minute), 0},
		{due.Add(time.Minute), 0},
	} {
		n, err := ns.RemindDecisionDue(pgtest.System(), tt.at)
		if err != nil || n != tt.want {
			t.Fatalf("at %v: %d reminders, %v; want %d", tt.at.Sub(due), n, err, tt.want)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM notifications WHERE return_id = $1 AND kind = 'decision_due_soon'`, r.ID); n != 2 {
		t.Fatalf("%d reminders in all, want 2", n)
	}
}
