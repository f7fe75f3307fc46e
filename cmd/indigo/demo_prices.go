package main

import (
	"context"
	"fmt"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// The demo's money (issue 18): the products' packages and prices at the
// fake WB, FBS orders behind some returns, Indigo's tariff as its staff
// set it, and the pricing round, so that every return gets its price from
// WB the way a real one does and each pending decision its economics.

// demoPackages are the cards' package sizes (cm) and gross weights (kg).
var demoPackages = map[int64]wbfake.Dimensions{
	183402117: {Length: 45, Width: 35, Height: 12, WeightBrutto: 1.3, IsValid: true},
	183402245: {Length: 25, Width: 20, Height: 4, WeightBrutto: 0.25, IsValid: true},
	201558703: {Length: 12, Width: 10, Height: 5, WeightBrutto: 0.2, IsValid: true},
	201558911: {Length: 15, Width: 8, Height: 5, WeightBrutto: 0.15, IsValid: true},
	175320044: {Length: 32, Width: 22, Height: 13, WeightBrutto: 1.1, IsValid: true},
	175320187: {Length: 33, Width: 22, Height: 12, WeightBrutto: 0.9, IsValid: true},
	168904512: {Length: 30, Width: 22, Height: 3, WeightBrutto: 0.3, IsValid: true},
	168904638: {Length: 50, Width: 30, Height: 8, WeightBrutto: 1.4, IsValid: true},
	192776301: {Length: 40, Width: 18, Height: 12, WeightBrutto: 1.2, IsValid: true},
	192776488: {Length: 35, Width: 28, Height: 6, WeightBrutto: 0.7, IsValid: true},
	159021377: {Length: 18, Width: 10, Height: 3, WeightBrutto: 0.1, IsValid: true},
	159021420: {Length: 62, Width: 12, Height: 12, WeightBrutto: 1.0, IsValid: true},
}

// demoTariff is Indigo's tariff in the demo: its fees, shipping to China
// and to anywhere else by weight, and the days a decision may take.
var demoTariff = []domain.Tariff{
	{Kind: domain.TariffSellFee, Value: 150_00},
	{Kind: domain.TariffReturnHandling, Value: 250_00},
	{Kind: domain.TariffDisposeFee, Value: 90_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 500, Value: 650_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 1000, Value: 900_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 2000, Value: 1400_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 5000, Value: 2900_00},
	{Kind: domain.TariffShipping, Zone: domain.ZoneAny, MaxWeightGram: 5000, Value: 4000_00},
	{Kind: domain.TariffDecisionDays, Value: domain.DefaultDecisionDays},
}

// demoToken is a store's token with the categories Indigo needs and
// Prices and discounts, which lets Indigo read the seller's prices.
func (d *demo) demoToken(sid string) string {
	return d.wb.IssueToken(wbfake.TokenOptions{SellerID: sid, Scopes: wbfake.ScopesIndigo | wbfake.ScopePrices})
}

// addPrices sets the seller's prices of every product at the fake WB.
func (d *demo) addPrices(sid string) {
	for _, p := range demoProducts {
		d.wb.SetPrice(sid, p.nmID, p.vendorCode, float64(p.priceRUB), 0)
	}
}

// addOrder puts an FBS order behind every third return, sold to the buyer
// at a little under the seller's price, so its buyer's price is known.
func (d *demo) addOrder(sid string, p demoProduct, shk int64, srid string, ordered time.Time) {
	if shk%3 != 0 {
		return
	}
	kop := p.priceRUB * 100 * 93 / 100
	d.wb.AddOrder(sid, wbfake.Order{RID: srid, NmID: p.nmID, ChrtID: uint64(p.nmID * 10), Article: p.vendorCode,
		Price: kop, ConvertedPrice: kop, CurrencyCode: 643, ConvertedCurrencyCode: 643, CreatedAt: ordered.UTC(),
		SupplierStatus: "complete", WBStatus: "sold"})
}

// seedPricing keeps Indigo's tariff as staff would, reads WB's tariffs,
// and prices the imported returns.
func (d *demo) seedPricing(ctx context.Context) error {
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	for _, line := range demoTariff {
		line.EffectiveFrom = time.Now().AddDate(0, -1, 0)
		if err := storage.NewTariffService(d.m.DB).SetTariff(staff, &line); err != nil {
			return fmt.Errorf("demo tariff: %w", err)
		}
	}
	if err := d.m.fetchTariffs(domain.NewContextWithActor(ctx, domain.System)); err != nil {
		return fmt.Errorf("demo WB tariffs: %w", err)
	}
	p := &poll.Pricer{WB: d.m.WB, Store: storage.NewPriceService(d.m.DB), Now: time.Now, Log: d.log, CNYPerRUB: d.m.Config.CNYPerRUB}
	if _, err := p.Round(ctx); err != nil {
		return fmt.Errorf("demo prices: %w", err)
	}
	return nil
}
