package storage

import (
	"context"

	"github.com/indigo-warehouse/indigo/domain"
)

// EconomicsService implements domain.EconomicsService from what storage
// keeps: the product's facts, WB's latest tariffs and Indigo's tariff.
type EconomicsService struct{ db *DB }

var _ domain.EconomicsService = (*EconomicsService)(nil)

// NewEconomicsService returns the estimator.
func NewEconomicsService(db *DB) *EconomicsService { return &EconomicsService{db: db} }

// Economics implements domain.EconomicsService. The return has been
// found for the actor already; its product and tariffs are no seller's
// secret, so they are read as the system.
func (es *EconomicsService) Economics(ctx context.Context, r *domain.Return) (_ domain.Economics, err error) {
	defer wrap(&err, "estimate return %d", r.ID)
	sys := domain.NewContextWithActor(ctx, domain.System)
	in := domain.EconomicsInput{Return: r}
	product, err := NewPriceService(es.db).FindProduct(sys, r.StoreID, r.NmID)
	switch {
	case err == nil:
		in.Product = product
	case domain.ErrorCode(err) != domain.CodeNotFound:
		return domain.Economics{}, err
	}
	rates := NewMarketRateService(es.db)
	var subjectID int64
	if product != nil {
		subjectID = product.SubjectID
	}
	subject := r.Subject
	if subject == "" && product != nil {
		subject = product.SubjectName
	}
	if c, _, ok, err := rates.FindCommission(sys, subjectID, subject); err != nil {
		return domain.Economics{}, err
	} else if ok {
		in.Commission = &c
	}
	box, date, err := rates.FindBoxRates(sys)
	if err != nil {
		return domain.Economics{}, err
	}
	if row, ok := domain.SellerWarehouseRow(box, func(b domain.BoxRate) string { return b.Warehouse }); ok {
		in.Box, in.RatesDate = &row, date
	}
	if in.Tariffs, err = NewTariffService(es.db).TariffBook(sys, es.db.Now()); err != nil {
		return domain.Economics{}, err
	}
	seller, err := NewSellerService(es.db).FindSellerByID(sys, r.SellerID)
	if err != nil {
		return domain.Economics{}, err
	}
	in.Country = domain.SellerCountry(seller)
	return domain.Estimate(in), nil
}
