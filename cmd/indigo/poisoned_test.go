package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestJobPanicAlertsStaffOnce: a scheduled job that panics run after run
// does not take the service down; at the third run the staff group is told,
// by the running staff desk, once.
func TestJobPanicAlertsStaffOnce(t *testing.T) {
	f := newFakes(t)
	const group = int64(-1002000002099)
	f.tg.AddGroup(group, "Indigo staff", true)
	env := f.env(pgtest.NewURL(t))
	env["TELEGRAM_SUPPORT_CHAT_ID"] = strconv.FormatInt(group, 10)
	m := f.run(t, env)

	runs := 0
	j := job{name: "test-broken-job", spec: "@every 1h", run: func(context.Context) error {
		runs++
		var reminders map[string]int
		reminders["24h"]++ // the bug: a nil map
		return nil
	}}
	for range domain.PoisonLimit + 1 {
		m.runJob(m.jobsCtx, storage.NewJobRunService(m.DB), j)
	}
	if runs != domain.PoisonLimit+1 {
		t.Fatalf("the job ran %d times, want every time (%d)", runs, domain.PoisonLimit+1)
	}

	head := tgtest.Head(locales.MustNew().For("en").T("staff.alert.set_aside", map[string]any{"Attempts": 0}))
	isAlert := func(msg tgfake.Message) bool {
		return strings.HasPrefix(msg.Text, head) && strings.Contains(msg.Text, "job test-broken-job")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*tgtest.WaitLimit)
	defer cancel()
	alert, err := f.tg.WaitForMessage(ctx, group, isAlert)
	if err != nil {
		t.Fatalf("staff were not told: %v", err)
	}
	if !strings.Contains(alert.Text, "assignment to entry in nil map") {
		t.Errorf("the alert does not say what failed:\n%s", alert.Text)
	}
	// Nothing is left to tell, and it was told once.
	left, err := storage.NewPoisonService(m.DB).ClaimPoisonAlerts(ctx, time.Now().Add(time.Hour), time.Minute, 10)
	if err != nil || len(left) != 0 {
		t.Fatalf("alerts left = %+v, %v", left, err)
	}
	n := 0
	for _, msg := range f.tg.Sent(group) {
		if isAlert(msg) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("staff were told %d times, want once", n)
	}
}
