// Package resale is the FBS resale loop (manual §6, wb-resale.md §2): for
// every store with items on Indigo's shelf it keeps the seller's FBS
// warehouse, sets its stock to the units on the shelf, matches buyers'
// new orders to units, puts them in supplies with their shipping
// parameters, gives staff the stickers, delivers supplies staff handed
// over, and follows the buyers' statuses until each unit is sold or back
// on the shelf. cron runs Round; leases in storage share the stores
// between replicas.
//
// Every step makes its WB calls with no transaction open and records what
// they did in one transaction after (the Ledger), so that a step repeated
// after a crash finds what was done instead of doing it twice: a
// warehouse and a supply are looked up by name before one is made, and a
// stock is an absolute amount.
//
// It imports wb and domain only.
package resale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// WB is what the loop asks of WB (implemented by *wb.Client).
type WB interface {
	Warehouses(ctx context.Context, token string) ([]wb.Warehouse, error)
	CreateWarehouse(ctx context.Context, token, name string, officeID int64) (int64, error)
	CardByNmID(ctx context.Context, token string, nmID int64) (wb.Card, bool, error)
	UpdateStocks(ctx context.Context, token string, warehouseID int64, stocks []wb.Stock) error
	Stocks(ctx context.Context, token string, warehouseID int64, chrtIDs []uint64) ([]wb.Stock, error)
	NewOrders(ctx context.Context, token string) ([]wb.Order, error)
	CancelOrder(ctx context.Context, token string, id int64) error
	OrderStatuses(ctx context.Context, token string, ids []int64) ([]wb.OrderStatus, error)
	OrderStickers(ctx context.Context, token string, ids []int64, kind string) ([]wb.Sticker, error)
	AllSupplies(ctx context.Context, token string) ([]wb.Supply, error)
	Supply(ctx context.Context, token, id string) (wb.Supply, error)
	CreateSupply(ctx context.Context, token, name string) (string, error)
	DeleteSupply(ctx context.Context, token, id string) error
	AddOrdersToSupply(ctx context.Context, token, supplyID string, orderIDs []int64) error
	ShippingPoints(ctx context.Context, token, city string, cargoType int) ([]wb.ShippingPoint, error)
	SetSupplyShipping(ctx context.Context, token string, items []wb.SupplyShipping) error
	CargoPlaces(ctx context.Context, token, supplyID string) ([]string, error)
	AddCargoPlaces(ctx context.Context, token, supplyID string, amount int) ([]string, error)
	DeliverSupply(ctx context.Context, token, supplyID string) error
	SupplyBarcode(ctx context.Context, token, supplyID, kind string) (wb.Barcode, error)
	PassOffices(ctx context.Context, token string) ([]wb.PassOffice, error)
	Passes(ctx context.Context, token string) ([]wb.Pass, error)
	CreatePass(ctx context.Context, token string, p wb.Pass) (int64, error)
}

// Ledger records the loop's steps (implemented by *storage.UnitService).
// Each method is one transaction and safe to repeat.
type Ledger interface {
	LeaseResaleStores(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*domain.ResaleStore, error)
	FinishResaleStores(ctx context.Context, done []domain.ResaleDone) error
	SaveWarehouse(ctx context.Context, storeID, warehouseID, officeID int64, name string) error
	BlockResale(ctx context.Context, storeID int64, reason string) error
	FindUnits(ctx context.Context, f domain.UnitFilter) ([]*domain.Unit, error)
	ApplyUnitEvent(ctx context.Context, id int64, ch domain.UnitChange) (*domain.Unit, error)
	SetUnitChrt(ctx context.Context, unitIDs []int64, chrt uint64) error
	NoSize(ctx context.Context, unitIDs []int64) error
	StockPlan(ctx context.Context, storeID int64, all bool) ([]domain.StockLine, error)
	RecordStock(ctx context.Context, storeID int64, lines []domain.StockLine, readBack map[uint64]int, at time.Time) (int, error)
	ReportDrift(ctx context.Context, storeID int64, chrt uint64, wbAmount, shelf int) error
	MatchOrder(ctx context.Context, storeID int64, chrt uint64, o domain.UnitOrder) (*domain.Unit, bool, error)
	NoUnitForOrder(ctx context.Context, storeID, orderID int64, chrt uint64) error
	FindSupplies(ctx context.Context, storeID int64, states ...domain.SupplyState) ([]*domain.Supply, error)
	OpenSupply(ctx context.Context, storeID int64, b2b bool, cargoType int) (*domain.Supply, error)
	FindSupplyByID(ctx context.Context, id int64) (*domain.Supply, error)
	SetSupplyWBID(ctx context.Context, supplyID int64, wbID string) error
	SetSupplyShipping(ctx context.Context, supplyID int64, day string) error
	AssignUnits(ctx context.Context, supplyID int64, unitIDs []int64) ([]int64, error)
	MarkInSupply(ctx context.Context, supplyID int64, unitIDs []int64) error
	TellStaff(ctx context.Context, unitID int64, sticker string, file *domain.RelayFile, at time.Time) error
	SupplyDelivered(ctx context.Context, supplyID int64, qr string, file *domain.RelayFile, at time.Time) error
	DropSupply(ctx context.Context, supplyID int64) error
	PassNeeded(ctx context.Context, storeID, officeID int64) error
	RemindInvite(ctx context.Context, storeID int64, now time.Time) error
}

// Config is where and how Indigo ships resold items (configuration).
type Config struct {
	// OfficeID is the WB office the seller warehouses are linked to: the
	// one Indigo's warehouse ships to (WB_FBS_OFFICE_ID).
	OfficeID int64
	// City names the shipping points to choose from, in Russian as WB
	// does; ShippingPointID picks one (0: the city's first sorting centre).
	City            string
	ShippingPointID int64
	// Driver is who brings supplies to a WB warehouse that needs a pass;
	// nil: staff are asked to order the pass.
	Driver *wb.Pass
	// StickerType is the format of stickers and QR codes: svg (the
	// default), png, zplv or zplh.
	StickerType string
	// OrdersEvery is how often a store's new orders are read (default 2
	// min: one request in WB's 300 a minute, and the pick reaches staff
	// in minutes); StatusesEvery how often the buyers' statuses are
	// (default 15 min); RetryAfter how soon a failed turn is tried again
	// (default 1 min).
	OrdersEvery   time.Duration
	StatusesEvery time.Duration
	RetryAfter    time.Duration
}

// Loop runs the resale loop's rounds.
type Loop struct {
	WB     WB
	Ledger Ledger
	Config Config
	Now    func() time.Time
	Log    *slog.Logger
	// Workers bounds the stores worked at once; Batch the stores one round
	// leases; TurnTimeout one store's turn, WB's pacing included.
	Workers     int
	Batch       int
	TurnTimeout time.Duration
	// Guard recovers a panic in one store's turn; nil recovers and logs.
	Guard *domain.Guard

	pointsMu sync.Mutex
	points   map[int]wb.ShippingPoint // by cargo type
}

// Stats is what one round did.
type Stats struct {
	Stores    int
	Failed    int
	Matched   int // orders given a unit
	Listed    int // units put on sale
	Told      int // pick tasks queued for staff
	Moved     int // units moved as WB's statuses said
	Stocked   int // sizes whose stock was set
	Delivered int // supplies delivered
}

// Busy reports whether the round changed anything.
func (s Stats) Busy() bool {
	return s.Matched+s.Listed+s.Told+s.Moved+s.Stocked+s.Delivered > 0
}

// lease outlives a slow turn, so no replica works the same store meanwhile.
const lease = 10 * time.Minute

// Round works every due store (up to Batch); one store's failure never
// stops the others.
func (l *Loop) Round(ctx context.Context) (Stats, error) {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	stores, err := l.Ledger.LeaseResaleStores(ctx, l.Now(), lease, max(l.Batch, 1))
	if err != nil {
		return Stats{}, fmt.Errorf("resale round: %w", err)
	}
	var st struct{ failed, matched, listed, told, moved, stocked, delivered atomic.Int64 }
	done := make([]domain.ResaleDone, len(stores))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(l.Workers, 1) {
		wg.Go(func() {
			for i := range work {
				t := &turn{l: l, rs: stores[i]}
				err := l.runGuarded(ctx, t)
				st.matched.Add(int64(t.matched))
				st.listed.Add(int64(t.listed))
				st.told.Add(int64(t.told))
				st.moved.Add(int64(t.moved))
				st.stocked.Add(int64(t.stocked))
				st.delivered.Add(int64(t.delivered))
				if err != nil {
					st.failed.Add(1)
					l.Log.Warn("resale turn failed", "store", t.rs.Store.ID, "err", err)
				}
				done[i] = t.done(err)
			}
		})
	}
	for i := range stores {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := l.Ledger.FinishResaleStores(ctx, done); err != nil {
		return Stats{}, fmt.Errorf("resale round: %w", err)
	}
	return Stats{Stores: len(stores), Failed: int(st.failed.Load()), Matched: int(st.matched.Load()),
		Listed: int(st.listed.Load()), Told: int(st.told.Load()), Moved: int(st.moved.Load()),
		Stocked: int(st.stocked.Load()), Delivered: int(st.delivered.Load())}, nil
}

func (l *Loop) runGuarded(ctx context.Context, t *turn) error {
	item := domain.WorkItem{Worker: domain.WorkerResale, SellerID: t.rs.Store.SellerID,
		Key: strconv.FormatInt(t.rs.Store.ID, 10)}
	return l.Guard.Run(ctx, item, func(ctx context.Context) error {
		timeout := l.TurnTimeout
		if timeout == 0 {
			timeout = 2 * time.Minute
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return t.run(ctx)
	})
}

// turn is one store's turn of a round.
type turn struct {
	l     *Loop
	rs    *domain.ResaleStore
	start time.Time

	statuses, reconciled bool
	// What the turn did, for Stats.
	sized, matched, listed, told, moved, stocked, delivered int
}

func (t *turn) token() string  { return t.rs.Store.Token }
func (t *turn) storeID() int64 { return t.rs.Store.ID }

// run does the store's steps in the order a unit lives, each only when the
// lease found work for it or an earlier step made some: most turns only
// read the new orders. Without a warehouse nothing else can be done;
// otherwise one step's failure does not stop the next, so that a refused
// sticker never holds up a sale.
func (t *turn) run(ctx context.Context) error {
	t.start = t.l.Now()
	if err := t.warehouse(ctx); err != nil || t.rs.WarehouseID == 0 {
		return err
	}
	var errs []error
	step := func(when bool, do func(context.Context) error) {
		if when {
			errs = append(errs, do(ctx))
		}
	}
	step(t.rs.Unsized, t.sizes)
	step(true, t.orders)
	// Before the stock, so that a unit a cancel put back is offered at once.
	t.statuses = t.rs.StatusesDue
	step(t.statuses && t.rs.InOrder, t.followStatuses)
	step(t.rs.StockDirty || t.sized+t.matched+t.moved > 0, t.stock)
	step(t.rs.Assembling || t.matched > 0, t.assemble)
	step(t.rs.HandingOver, t.handOver)
	t.reconciled = t.rs.ReconcileDue
	step(t.reconciled, t.reconcile)
	step(t.rs.InviteDue, func(ctx context.Context) error { return t.l.Ledger.RemindInvite(ctx, t.storeID(), t.l.Now()) })
	return errors.Join(errs...)
}

// done says when the store is next due: soon after a failure, in a day
// when it cannot sell on WB, else when its orders are due.
func (t *turn) done(err error) domain.ResaleDone {
	now := t.l.Now()
	d := domain.ResaleDone{StoreID: t.storeID(), Err: err, Next: now.Add(t.l.every(t.l.Config.OrdersEvery, 2*time.Minute)),
		StockDirty: err != nil && t.rs.StockDirty}
	switch {
	case t.rs.WarehouseID == 0 && t.rs.Blocked != "":
		d.Next = now.Add(24 * time.Hour)
	case err != nil:
		d.Next = now.Add(t.l.every(t.l.Config.RetryAfter, time.Minute))
	}
	if t.statuses && err == nil {
		at := now.Add(t.l.every(t.l.Config.StatusesEvery, 15*time.Minute))
		d.StatusesAt = &at
	}
	if t.reconciled {
		at := now.Add(24 * time.Hour)
		d.ReconcileAt = &at
	}
	return d
}

func (l *Loop) every(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (l *Loop) stickerType() string {
	if l.Config.StickerType == "" {
		return "svg"
	}
	return l.Config.StickerType
}

// moscowDay is the day in Moscow, as WB dates supplies.
func moscowDay(t time.Time) string { return t.In(wb.Moscow).Format(time.DateOnly) }
