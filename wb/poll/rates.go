package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// RatesWB is what the tariffs job reads from WB (implemented by *wb.Client).
type RatesWB interface {
	Commissions(ctx context.Context, token, locale string) ([]wb.CommissionRate, error)
	BoxTariffs(ctx context.Context, token string, date time.Time) (wb.BoxTariffs, error)
	ReturnTariffs(ctx context.Context, token string, date time.Time) (wb.ReturnTariffs, error)
}

// Rates keeps Indigo's copy of WB's tariffs fresh. WB's tariffs are the
// same for every seller, so any store's token reads them.
type Rates struct {
	WB     RatesWB
	Stores domain.StoreService
	Rates  domain.MarketRateService
	Now    func() time.Time
	Log    *slog.Logger
}

// ErrNoToken is returned when no store has a token WB accepts.
var ErrNoToken = errors.New("no store with a working token")

// Fetch reads the three tariffs and keeps each one WB answered; a part WB
// refused keeps its last copy, and the refusal is returned.
func (r *Rates) Fetch(ctx context.Context) error {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	active := true
	stores, err := r.Stores.FindStores(ctx, domain.StoreFilter{Active: &active})
	if err != nil {
		return fmt.Errorf("fetch WB tariffs: %w", err)
	}
	token := ""
	for _, s := range stores {
		if !s.TokenRejected {
			token = s.Token
			break
		}
	}
	if token == "" {
		return fmt.Errorf("fetch WB tariffs: %w", ErrNoToken)
	}
	now := r.Now()
	out := domain.MarketRates{Date: now, FetchedAt: now}
	var errs []error
	if c, err := r.WB.Commissions(ctx, token, "ru"); err == nil {
		out.Commissions = commissions(c)
	} else {
		errs = append(errs, err)
	}
	if b, err := r.WB.BoxTariffs(ctx, token, now); err == nil {
		out.Box = boxRates(b)
	} else {
		errs = append(errs, err)
	}
	if rt, err := r.WB.ReturnTariffs(ctx, token, now); err == nil {
		out.Return = returnRates(rt)
	} else {
		errs = append(errs, err)
	}
	if err := r.Rates.SaveMarketRates(ctx, out); err != nil {
		return fmt.Errorf("save WB tariffs: %w", err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("fetch WB tariffs: %w", err)
	}
	return nil
}

func commissions(rows []wb.CommissionRate) []domain.Commission {
	out := make([]domain.Commission, 0, len(rows))
	for _, c := range rows {
		out = append(out, domain.Commission{SubjectID: c.SubjectID, SubjectName: c.SubjectName, ParentName: c.ParentName,
			FBSBasisPoints: int64(math.Round(c.KgvpMarketplace * 100))})
	}
	return out
}

// boxRates keeps the rows whose FBS amounts parse; WB writes "-" where a
// warehouse has no such logistics.
func boxRates(b wb.BoxTariffs) []domain.BoxRate {
	out := []domain.BoxRate{}
	for _, row := range b.WarehouseList {
		base, ok1 := wb.Kopecks(row.BoxDeliveryMarketplaceBase)
		liter, ok2 := wb.Kopecks(row.BoxDeliveryMarketplaceLiter)
		if !ok1 || !ok2 {
			continue
		}
		coef, _ := wb.ParseRUNumber(row.BoxDeliveryMarketplaceCoefExpr)
		out = append(out, domain.BoxRate{Warehouse: row.WarehouseName, BaseRUB: base, LiterRUB: liter, CoefPercent: int64(math.Round(coef))})
	}
	return out
}

func returnRates(rt wb.ReturnTariffs) []domain.ReturnRate {
	out := []domain.ReturnRate{}
	for _, row := range rt.WarehouseList {
		if k, ok := wb.Kopecks(row.DeliveryDumpSupReturnExpr); ok {
			out = append(out, domain.ReturnRate{Warehouse: row.WarehouseName, UncollectedRUB: k})
		}
	}
	return out
}
