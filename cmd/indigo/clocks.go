package main

import (
	"context"
	"errors"
	"time"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
)

// The job bodies of issue 18, each claimed once per run across replicas
// (the cron table marks them once). The work is in storage and wb/poll;
// here they are only put together.

// priceReturns gives returns without a price theirs.
func (m *Main) priceReturns(ctx context.Context) error {
	p := &poll.Pricer{WB: m.WB, Store: storage.NewPriceService(m.DB), Now: time.Now,
		Log: m.Log.With("job", "wb-prices"), CNYPerRUB: m.Config.CNYPerRUB}
	n, err := p.Round(ctx)
	if n > 0 {
		m.Log.Info("returns priced", "count", n)
	}
	return err
}

// fetchTariffs keeps a copy of WB's tariffs of today; until one is kept,
// it tries again at every run.
func (m *Main) fetchTariffs(ctx context.Context) error {
	rates := storage.NewMarketRateService(m.DB)
	_, date, err := rates.FindBoxRates(ctx)
	if err != nil {
		return err
	}
	if date.Format(time.DateOnly) == time.Now().In(wb.Moscow).Format(time.DateOnly) {
		return nil
	}
	r := &poll.Rates{WB: m.WB, Stores: storage.NewStoreService(m.DB), Rates: rates, Now: time.Now, Log: m.Log.With("job", "wb-tariffs")}
	if err := r.Fetch(ctx); err != nil && !errors.Is(err, poll.ErrNoToken) {
		return err
	}
	return nil
}

// decideAtDeadline reminds sellers before a decision's deadline and
// applies their default after it.
func (m *Main) decideAtDeadline(ctx context.Context) error {
	if _, err := storage.NewNotificationService(m.DB).RemindDecisionDue(ctx, m.opts.Now()); err != nil {
		return err
	}
	n, err := storage.NewDecisionService(m.DB).ApplyDueDefaults(ctx, m.opts.Now())
	if n > 0 {
		m.Log.Info("defaults applied at the deadline", "count", n)
	}
	return err
}

// runPickupClock reminds sellers before WB's seven days end and marks
// the returns left there lost to WB's trip back.
func (m *Main) runPickupClock(ctx context.Context) error {
	if _, err := storage.NewNotificationService(m.DB).RemindPickupExpiring(ctx, m.opts.Now()); err != nil {
		return err
	}
	n, err := storage.NewPickupClockService(m.DB).ExpirePickups(ctx, m.opts.Now())
	if n > 0 {
		m.Log.Info("returns not collected in time", "count", n)
	}
	return err
}
