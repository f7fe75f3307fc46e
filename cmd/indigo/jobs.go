package main

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
)

// job is one line of the cron table.
type job struct {
	name string
	spec string
	// once: the run is claimed in job_runs so only one replica does it.
	// The poll round shares work through leases instead, so every
	// replica's round helps.
	once bool
	run  func(ctx context.Context) error
}

// jobs is the cron table.
func (m *Main) jobs() []job {
	ns := storage.NewNotificationService(m.DB)
	remind := func(kind domain.NotificationKind, status domain.Status, after time.Duration, tag string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := ns.RemindWaiting(ctx, kind, status, m.opts.Now().Add(-after), tag)
			return err
		}
	}
	return []job{
		{"wb-poll", m.Config.PollSchedule, false, func(ctx context.Context) error {
			stats, err := m.Poller.Round(ctx)
			if stats.Slots > 0 {
				m.Log.Info("wb poll round", "slots", stats.Slots, "failed", stats.Failed, "created", stats.Created, "moved", stats.Moved)
			}
			return err
		}},
		{"remind-decision-24h", "@every 10m", true, remind(domain.NotifyAwaitingDecision, domain.StatusAwaitingSellerDecision, 24*time.Hour, "24h")},
		{"remind-decision-72h", "@every 10m", true, remind(domain.NotifyAwaitingDecision, domain.StatusAwaitingSellerDecision, 72*time.Hour, "72h")},
		{"remind-pickup-code", "@every 10m", true, remind(domain.NotifyPickupCodeOverdue, domain.StatusAwaitingPickupCode, 48*time.Hour, "48h")},
		{"remind-token-expiry", "@hourly", true, func(ctx context.Context) error {
			for _, days := range []int{14, 3, 1} {
				if _, err := ns.RemindExpiringTokens(ctx, m.opts.Now(), days); err != nil {
					return err
				}
			}
			return nil
		}},
		{"daily-digest", "@every 15m", true, func(ctx context.Context) error {
			if _, err := ns.RemindDaily(ctx, m.opts.Now()); err != nil {
				return err
			}
			// What rules and defaults decided goes into the digest just queued.
			_, err := ns.AttachAutoDecisions(ctx, m.opts.Now())
			return err
		}},
		{"wb-resale", "@every 30s", false, m.resaleRound},
		{"resale-pick-list", "0 7 * * *", true, m.resalePickList},
		// Issue 18: prices, WB's tariffs, the decision deadline and WB's
		// seven days at the pickup point (clocks.go).
		{"wb-prices", "@every 5m", true, m.priceReturns},
		{"wb-tariffs", "@every 10m", true, m.fetchTariffs},
		{"decision-deadline", "@every 5m", true, m.decideAtDeadline},
		{"pickup-clock", "@every 5m", true, m.runPickupClock},
		// Issue 19: storage charged once per item and day, last month's
		// statements issued on the 1st (or at the first run after it).
		{"storage-charge", "@every 30m", true, m.chargeStorage},
		{"statements", "@every 1h", true, m.issueStatements},
		{"forget-idle-sends", "@every 10m", true, func(ctx context.Context) error {
			// The wall clock, which sends are booked on, not the time of day.
			_, err := storage.NewSendBudget(m.DB).ForgetIdleSends(ctx, time.Now())
			return err
		}},
	}
}

// newWB is the WB API client, on the platforms' clock (Options.Clock).
func (m *Main) newWB() *wb.Client {
	cfg := wb.Config{BaseURL: m.Config.WBAPIBaseURL, Logger: m.Log, Observe: m.observeWB}
	if c := m.opts.Clock; c != nil {
		cfg.Now = c.Now
		cfg.Sleep = func(ctx context.Context, d time.Duration) error { return c.SleepUntil(ctx, c.Now().Add(d)) }
	}
	return wb.New(cfg)
}

// newPoller is the WB polling round the wb-poll job runs.
func (m *Main) newPoller(client *wb.Client) *poll.Poller {
	return &poll.Poller{
		WB:            client,
		Tx:            m.DB,
		Returns:       storage.NewReturnService(m.DB),
		Stores:        storage.NewStoreService(m.DB),
		Schedule:      storage.NewPollScheduleService(m.DB),
		Notifications: storage.NewNotificationService(m.DB),
		Interval:      wb.PollInterval,
		Now:           time.Now,
		Log:           m.Log.With("job", "wb-poll"),
		Workers:       pollWorkers,
		Batch:         500,
		CNYPerRUB:     m.Config.CNYPerRUB,
		Guard:         m.Guard,
		Observe:       m.Metrics.observePoll,
	}
}

// newCron is the cron table, scheduled but not started (Main.start). A run
// that would overlap the previous one of the same job is skipped rather
// than queued.
func (m *Main) newCron() (*cron.Cron, error) {
	runs := storage.NewJobRunService(m.DB)
	logger := cron.VerbosePrintfLogger(slogPrintf{m.Log})
	c := cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	for _, j := range m.jobs() {
		if _, err := c.AddFunc(j.spec, func() { m.runJob(m.jobsCtx, runs, j) }); err != nil {
			return nil, fmt.Errorf("job %s: %w", j.name, err)
		}
	}
	return c, nil
}

// runJob runs one scheduled run. Every replica's cron fires at the same
// minute; for a "once" job the first to claim the minute runs it.
func (m *Main) runJob(ctx context.Context, runs *storage.JobRunService, j job) {
	slot := time.Now().Truncate(time.Minute)
	if j.once {
		mine, err := runs.StartJobRun(ctx, j.name, slot)
		if err != nil || !mine {
			if err != nil {
				m.Log.Error("claim job run", "job", j.name, "err", err)
			}
			return
		}
	}
	// cron.Recover would catch a panic too, but log it at debug level only
	// and tell no one.
	err := m.Guard.Run(ctx, domain.WorkItem{Worker: domain.WorkerJob, Key: j.name}, j.run)
	m.Metrics.observeJob(j.name, err)
	if err != nil {
		m.Log.Error("job failed", "job", j.name, "err", err)
	}
	if j.once {
		if ferr := runs.FinishJobRun(ctx, j.name, slot, err); ferr != nil {
			m.Log.Error("finish job run", "job", j.name, "err", ferr)
		}
	}
}

// slogPrintf lets cron log through slog.
type slogPrintf struct {
	log interface{ Debug(string, ...any) }
}

func (l slogPrintf) Printf(format string, args ...any) {
	l.log.Debug("cron: " + fmt.Sprintf(format, args...))
}
