package resale

import (
	"context"
	"errors"
	"fmt"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// orders matches the buyers' new orders at the store's warehouse to units
// on the shelf. WB lists every new order of the seller, so orders at the
// seller's own warehouses are left alone. An order no unit is free for
// (WB's stock ran ahead of the shelf) is cancelled, which WB allows
// before assembly, and staff are told.
func (t *turn) orders(ctx context.Context) error {
	orders, err := t.l.WB.NewOrders(ctx, t.token())
	if err != nil {
		return fmt.Errorf("store %d new orders: %w", t.storeID(), err)
	}
	var errs []error
	for _, o := range orders {
		if o.WarehouseID != t.rs.WarehouseID {
			continue
		}
		u, matched, err := t.l.Ledger.MatchOrder(ctx, t.storeID(), o.ChrtID, unitOrder(o))
		switch {
		case err != nil:
			errs = append(errs, err)
		case matched:
			t.matched++
		case u == nil:
			errs = append(errs, t.cancelUnfilled(ctx, o))
		}
	}
	return errors.Join(errs...)
}

func unitOrder(o wb.Order) domain.UnitOrder {
	price, currency := o.ConvertedPrice, o.ConvertedCurrencyCode
	if currency == 0 {
		price, currency = o.Price, o.CurrencyCode
	}
	return domain.UnitOrder{ID: o.ID, RID: o.RID, CreatedAt: o.CreatedAt, B2B: o.Options.IsB2B,
		CargoType: o.CargoType, Price: price, Currency: currency}
}

// cancelUnfilled tells staff first, so that a crash after the cancel
// cannot lose the news; the cancel itself is not repeated once WB took it.
func (t *turn) cancelUnfilled(ctx context.Context, o wb.Order) error {
	if err := t.l.Ledger.NoUnitForOrder(ctx, t.storeID(), o.ID, o.ChrtID); err != nil {
		return err
	}
	err := t.l.WB.CancelOrder(ctx, t.token(), o.ID)
	if wb.Code(err) == "StatusMismatch" {
		return nil // cancelled already
	}
	if err != nil {
		return fmt.Errorf("store %d cancel order %d: %w", t.storeID(), o.ID, err)
	}
	return nil
}

// stock sets the WB stock of every size whose shelf changed to the units
// on the shelf and free, as an absolute amount, reads it back, and lists
// the units it counts for the first time. The plan is made after the new
// orders were matched, so an order WB took from the stock is not
// counted as free again.
func (t *turn) stock(ctx context.Context) error {
	lines, err := t.l.Ledger.StockPlan(ctx, t.storeID(), false)
	if err != nil || len(lines) == 0 {
		return err
	}
	return t.setStock(ctx, lines)
}

func (t *turn) setStock(ctx context.Context, lines []domain.StockLine) error {
	stocks := make([]wb.Stock, len(lines))
	chrts := make([]uint64, len(lines))
	for i, l := range lines {
		stocks[i], chrts[i] = wb.Stock{ChrtID: l.ChrtID, Amount: l.Amount}, l.ChrtID
	}
	if err := t.l.WB.UpdateStocks(ctx, t.token(), t.rs.WarehouseID, stocks); err != nil {
		if wb.Status(err) == 404 {
			// The seller deleted the warehouse in WB's cabinet: find or
			// make it again next turn.
			return errors.Join(err, t.l.Ledger.SaveWarehouse(ctx, t.storeID(), 0, 0, ""))
		}
		return fmt.Errorf("store %d set stock: %w", t.storeID(), err)
	}
	back, err := t.l.WB.Stocks(ctx, t.token(), t.rs.WarehouseID, chrts)
	if err != nil {
		return fmt.Errorf("store %d read stock back: %w", t.storeID(), err)
	}
	amounts := make(map[uint64]int, len(back))
	for _, s := range back {
		amounts[s.ChrtID] = s.Amount
	}
	n, err := t.l.Ledger.RecordStock(ctx, t.storeID(), lines, amounts, t.l.Now())
	if err == nil {
		t.listed, t.stocked = t.listed+n, t.stocked+len(lines)
	}
	return err
}

// reconcile compares, once a day, WB's stock of every size with the
// shelf, reports a difference to staff and sets the shelf's amount: the
// seller or WB may have changed the stock outside Indigo.
func (t *turn) reconcile(ctx context.Context) error {
	lines, err := t.l.Ledger.StockPlan(ctx, t.storeID(), true)
	if err != nil || len(lines) == 0 {
		return err
	}
	chrts := make([]uint64, len(lines))
	for i, l := range lines {
		chrts[i] = l.ChrtID
	}
	back, err := t.l.WB.Stocks(ctx, t.token(), t.rs.WarehouseID, chrts)
	if err != nil {
		return fmt.Errorf("store %d reconcile stock: %w", t.storeID(), err)
	}
	onWB := make(map[uint64]int, len(back))
	for _, s := range back {
		onWB[s.ChrtID] = s.Amount
	}
	var drift []domain.StockLine
	for _, l := range lines {
		if onWB[l.ChrtID] != l.Amount {
			if err := t.l.Ledger.ReportDrift(ctx, t.storeID(), l.ChrtID, onWB[l.ChrtID], l.Amount); err != nil {
				return err
			}
			drift = append(drift, l)
		}
	}
	if len(drift) == 0 {
		return nil
	}
	return t.setStock(ctx, drift)
}
