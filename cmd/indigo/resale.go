package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/resale"
)

// FBSConfig is where Indigo's warehouse ships resold items (issue 17).
type FBSConfig struct {
	OfficeID        int64  // WB_FBS_OFFICE_ID: the WB office seller warehouses link to
	City            string // WB_FBS_CITY: the city of the shipping points, in Russian
	ShippingPointID int64  // WB_FBS_SHIPPING_POINT_ID: 0 picks the city's first sorting centre
}

// On reports whether resale on WB runs.
func (c FBSConfig) On() bool { return c.OfficeID != 0 }

func loadFBS(env func(name, def string) string, bad func(name, format string, args ...any)) FBSConfig {
	var c FBSConfig
	id := func(name string) int64 {
		v := env(name, "0")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad(name, "want a WB id such as 507, got %q", v)
		}
		return n
	}
	c.OfficeID, c.ShippingPointID = id("WB_FBS_OFFICE_ID"), id("WB_FBS_SHIPPING_POINT_ID")
	c.City = env("WB_FBS_CITY", "")
	if c.OfficeID != 0 && c.City == "" {
		bad("WB_FBS_CITY", "required with WB_FBS_OFFICE_ID: the city WB lists the shipping points of, such as Подольск")
	}
	return c
}

// shelf is the shelf's service when resale on WB runs, else nil: staff
// then mark a return listed by hand.
func (m *Main) shelf() domain.ShelfService {
	if !m.Config.FBS.On() {
		return nil
	}
	return storage.NewUnitService(m.DB)
}

// newResale wires the resale loop, or returns nil when it is off.
func (m *Main) newResale() *resale.Loop {
	if !m.Config.FBS.On() {
		return nil
	}
	c := m.Config.FBS
	return &resale.Loop{
		WB: m.WB, Ledger: storage.NewUnitService(m.DB), Now: time.Now,
		Config:  resale.Config{OfficeID: c.OfficeID, City: c.City, ShippingPointID: c.ShippingPointID},
		Log:     m.Log.With("job", "wb-resale"),
		Workers: pollWorkers, Batch: 500, Guard: m.Guard,
	}
}

// resaleRound is the wb-resale job's body.
func (m *Main) resaleRound(ctx context.Context) error {
	if m.Resale == nil {
		return nil
	}
	st, err := m.Resale.Round(ctx)
	if st.Busy() || st.Failed > 0 {
		m.Log.Info("wb resale round", "stores", st.Stores, "failed", st.Failed, "matched", st.Matched,
			"listed", st.Listed, "told", st.Told, "moved", st.Moved, "delivered", st.Delivered)
	}
	if err != nil {
		return fmt.Errorf("wb resale: %w", err)
	}
	return nil
}

// resalePickList is the resale-pick-list job's body: each seller's topic
// gets the day's picks.
func (m *Main) resalePickList(ctx context.Context) error {
	if m.Resale == nil {
		return nil
	}
	_, err := storage.NewUnitService(m.DB).QueuePickLists(ctx, m.Now())
	return err
}
