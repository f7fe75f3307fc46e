package main

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
)

// jobs is the cron table: each line a schedule from the config and a job.
func (m *Main) jobs() []struct {
	spec string
	name string
	run  func(ctx context.Context) error
} {
	return []struct {
		spec string
		name string
		run  func(ctx context.Context) error
	}{
		{m.Config.PollSchedule, "wb-poll", func(ctx context.Context) error {
			stats, err := m.Poller.Round(ctx)
			if stats.Slots > 0 {
				m.Log.Info("wb poll round", "slots", stats.Slots, "failed", stats.Failed, "created", stats.Created, "moved", stats.Moved)
			}
			return err
		}},
	}
}

// startJobs wires the poller and starts cron. A run that would overlap the
// previous one of the same job is skipped rather than queued.
func (m *Main) startJobs() error {
	// Jobs outlive Run's ctx (a start-up deadline) and stop with Close.
	ctx, cancel := context.WithCancel(context.Background())
	m.stopJobs = cancel
	m.WB = wb.New(wb.Config{BaseURL: m.Config.WBAPIBaseURL, Logger: m.Log})
	m.Poller = &poll.Poller{
		WB:            m.WB,
		Tx:            m.DB,
		Returns:       storage.NewReturnService(m.DB),
		Stores:        storage.NewStoreService(m.DB),
		Schedule:      storage.NewPollScheduleService(m.DB),
		Notifications: storage.NewNotificationService(m.DB),
		Interval:      wb.PollInterval,
		Now:           time.Now,
		Log:           m.Log.With("job", "wb-poll"),
		Workers:       8,
		Batch:         500,
		CNYPerRUB:     m.Config.CNYPerRUB,
	}
	logger := cron.VerbosePrintfLogger(slogPrintf{m.Log})
	m.Cron = cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	for _, j := range m.jobs() {
		j := j
		if _, err := m.Cron.AddFunc(j.spec, func() {
			if err := j.run(ctx); err != nil {
				m.Log.Error("job failed", "job", j.name, "err", err)
			}
		}); err != nil {
			return err
		}
	}
	m.Cron.Start()
	return nil
}

// slogPrintf lets cron log through slog.
type slogPrintf struct {
	log interface{ Debug(string, ...any) }
}

func (l slogPrintf) Printf(format string, args ...any) {
	l.log.Debug("cron: " + fmt.Sprintf(format, args...))
}
