package poll_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func (h *harness) pricer() *poll.Pricer {
	return &poll.Pricer{
		WB:        wb.New(wb.Config{BaseURL: h.wb.URL, Now: h.clock.Now, Sleep: h.clock.Sleep}),
		Store:     storage.NewPriceService(h.db),
		Now:       h.clock.Now,
		Log:       slog.New(slog.NewTextHandler(testLog, nil)),
		CNYPerRUB: 0.08,
	}
}

func (h *harness) price(tb testing.TB) int {
	tb.Helper()
	n, err := h.pricer().Round(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func bySrid(list []*domain.Return) map[string]*domain.Return {
	out := map[string]*domain.Return{}
	for _, r := range list {
		out[r.SrID] = r
	}
	return out
}

// TestPricesFromEachSource: a claim's buyer price, the FBS order its srid
// points to, the seller's current price (an estimate), or none; a buyer's
// price is never replaced by the seller's, and the card's package is kept
// for the economics.
func TestPricesFromEachSource(t *testing.T) {
	h := newHarness(t)
	st, sid := h.store(t, wbfake.TokenOptions{Scopes: wbfake.ScopesIndigo | wbfake.ScopePrices})
	h.wb.AddCard(sid, wbfake.Card{NmID: 501, SubjectID: 168, SubjectName: "Куртки", VendorCode: "DJ-1", Title: "Down jacket",
		Dimensions: wbfake.Dimensions{Length: 40, Width: 30, Height: 10, WeightBrutto: 1.4, IsValid: true}})
	h.wb.AddCard(sid, wbfake.Card{NmID: 502, SubjectName: "Шарфы", VendorCode: "SC-1", Title: "Scarf"})
	h.wb.AddCard(sid, wbfake.Card{NmID: 503, SubjectName: "Худи", VendorCode: "HD-1", Title: "Hoodie"})
	h.wb.SetPrice(sid, 501, "DJ-1", 10000, 10) // 9 000 ₽ after the seller's discount
	h.wb.SetPrice(sid, 502, "SC-1", 1490, 0)
	h.wb.AddClaim(sid, wbfake.Claim{NmID: 501, StatusEx: 10, Srid: "srid-claim", Price: 8612.5})
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 501, Srid: "srid-claim", ShkID: 9001, Status: wbfake.ReturnInTransit})
	h.wb.AddOrder(sid, wbfake.Order{RID: "srid-order", NmID: 501, Price: 8800_00, ConvertedPrice: 8800_00, CurrencyCode: 643, ConvertedCurrencyCode: 643})
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 501, Srid: "srid-order", ShkID: 9002, Status: wbfake.ReturnInTransit})
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 502, Srid: "srid-seller", ShkID: 9003, Status: wbfake.ReturnInTransit})
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 503, Srid: "srid-none", ShkID: 9004, Status: wbfake.ReturnInTransit})
	h.round(t)
	if n := h.price(t); n != 2 {
		t.Fatalf("priced %d returns, want the order's and the seller's", n)
	}
	got := bySrid(h.returns(t, st.ID))
	for _, tt := range []struct {
		srid   string
		rub    int64
		source domain.PriceSource
		number string
	}{
		{"srid-claim", 8612_50, domain.PriceSourceClaim, "9001"},
		{"srid-order", 8800_00, domain.PriceSourceOrder, "9002"},
		{"srid-seller", 1490_00, domain.PriceSourceSellerPrice, "9003"},
		{"srid-none", 0, domain.PriceSourceNone, "9004"},
	} {
		r := got[tt.srid]
		if r == nil || r.PriceRUB != tt.rub || r.PriceSource != tt.source || r.ReturnNumber != tt.number {
			t.Errorf("%s = %+v; want %d from %q numbered %s", tt.srid, r, tt.rub, tt.source, tt.number)
		}
		if r != nil && tt.source.Known() && r.PriceCNY == 0 {
			t.Errorf("%s has no ¥ price", tt.srid)
		}
	}
	p, err := storage.NewPriceService(h.db).FindProduct(pgtest.System(), st.ID, 501)
	if err != nil || p.SubjectID != 168 || p.Liters() != 12 || p.WeightGram != 1400 {
		t.Fatalf("product = %+v, %v", p, err)
	}
	if p, err := storage.NewPriceService(h.db).FindProduct(pgtest.System(), st.ID, 502); err != nil || p.PriceRUB != 1490_00 || p.PriceAt == nil {
		t.Fatalf("priced product = %+v, %v", p, err)
	}

	// Within the token's price interval the store is left alone.
	before := h.wb.Requests("/api/v2/list/goods/filter")
	h.clock.Advance(time.Minute)
	h.price(t)
	if h.wb.Requests("/api/v2/list/goods/filter") != before {
		t.Fatal("prices asked again within the interval")
	}
}

// TestPricesWithoutTheCategory: a token without "Prices and discounts"
// leaves the return unpriced, the refusal on the check, and the store's
// token accepted.
func TestPricesWithoutTheCategory(t *testing.T) {
	h := newHarness(t)
	st, sid := h.store(t, wbfake.TokenOptions{})
	h.wb.SetPrice(sid, 601, "X", 500, 0)
	h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 601, Srid: "srid-x", ShkID: 9100, Status: wbfake.ReturnInTransit})
	h.round(t)
	if n := h.price(t); n != 0 {
		t.Fatalf("priced %d without the category", n)
	}
	r := h.returns(t, st.ID)[0]
	if r.PriceSource.Known() {
		t.Fatalf("priced from %q", r.PriceSource)
	}
	s, err := storage.NewStoreService(h.db).FindStoreByID(pgtest.System(), st.ID)
	if err != nil || s.TokenRejected {
		t.Fatalf("store = %+v, %v", s, err)
	}
}

// TestEconomicsFromTheFakesTariffs: WB's tariffs as the fake serves them
// (Russian number strings) and Indigo's staff-kept tariff give each
// option of a pending decision its estimate.
func TestEconomicsFromTheFakesTariffs(t *testing.T) {
	h := newHarness(t)
	st, sid := h.store(t, wbfake.TokenOptions{Scopes: wbfake.ScopesIndigo | wbfake.ScopePrices})
	h.wb.AddCard(sid, wbfake.Card{NmID: 501, SubjectID: 168, SubjectName: "Куртки", VendorCode: "DJ-1", Title: "Down jacket",
		Dimensions: wbfake.Dimensions{Length: 40, Width: 30, Height: 10, WeightBrutto: 1.4}})
	h.wb.SetBoxTariffs([]wbfake.BoxTariff{{WarehouseName: "Свой склад РФ", BoxDeliveryMarketplaceBase: "46",
		BoxDeliveryMarketplaceLiter: "9,1", BoxDeliveryMarketplaceCoefExpr: "100", BoxDeliveryBase: "-", BoxDeliveryLiter: "-"}})
	h.wb.AddClaim(sid, wbfake.Claim{NmID: 501, StatusEx: 10, Srid: "srid-1", Price: 8990})
	h.round(t)
	h.price(t)
	rates := &poll.Rates{WB: wb.New(wb.Config{BaseURL: h.wb.URL}), Stores: storage.NewStoreService(h.db),
		Rates: storage.NewMarketRateService(h.db), Now: h.clock.Now, Log: slog.New(slog.NewTextHandler(testLog, nil))}
	if err := rates.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	staff := domain.NewContextWithActor(context.Background(), domain.StaffActor(1, "Olga"))
	for _, line := range []domain.Tariff{
		{Kind: domain.TariffSellFee, Value: 150_00}, {Kind: domain.TariffReturnHandling, Value: 200_00},
		{Kind: domain.TariffDisposeFee, Value: 90_00},
		{Kind: domain.TariffShipping, Zone: domain.ZoneAny, MaxWeightGram: 5000, Value: 2900_00},
	} {
		line.EffectiveFrom = h.clock.Now().Add(-time.Hour)
		if err := storage.NewTariffService(h.db).SetTariff(staff, &line); err != nil {
			t.Fatal(err)
		}
	}
	r := h.returns(t, st.ID)[0]
	e, err := storage.NewEconomicsService(h.db).Economics(pgtest.System(), r)
	if err != nil {
		t.Fatal(err)
	}
	// 8 990 − 24,5 % (2 202,55) − 46 − 11 l × 9,10 (100,10) − 150; 200 + 2 900 for 2.4 kg; 90.
	want := map[domain.Decision]int64{
		domain.DecisionSellOnWB:       8990_00 - 2202_55 - 46_00 - 100_10 - 150_00,
		domain.DecisionReturnToSeller: -3100_00,
		domain.DecisionDispose:        -90_00,
	}
	for d, net := range want {
		o, ok := e.Option(d)
		if !ok || !o.Complete || o.Net != net {
			t.Errorf("%s = %+v; want %d", d, o, net)
		}
	}
	if e.Best != domain.DecisionSellOnWB || e.PriceSource != domain.PriceSourceClaim || e.RatesDate.IsZero() {
		t.Errorf("best %s from %q of %v", e.Best, e.PriceSource, e.RatesDate)
	}
}

// TestUncollectedFromTheReport: when WB's report says a return waited at
// the pickup point too long ("Отмена по задержке"), the poll marks it
// lost to WB's trip back with the charge of WB's return tariff, whether
// or not the clock got there first.
func TestUncollectedFromTheReport(t *testing.T) {
	h := newHarness(t)
	st, sid := h.store(t, wbfake.TokenOptions{})
	shk := h.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 701, Srid: "srid-late", Status: wbfake.ReturnInTransit})
	h.round(t)
	h.wb.MoveToPickupPoint(sid, shk, 77, "Moscow, Tverskaya 1")
	h.clock.Advance(time.Hour)
	h.round(t)
	if r := h.returns(t, st.ID)[0]; r.Status != domain.StatusAwaitingPickupCode {
		t.Fatalf("at the pickup point: %s", r.Status)
	}
	if err := storage.NewMarketRateService(h.db).SaveMarketRates(pgtest.System(), domain.MarketRates{Date: h.clock.Now(),
		FetchedAt: h.clock.Now(), Return: []domain.ReturnRate{{Warehouse: "Свой склад РФ", UncollectedRUB: 50_00}}}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(8 * 24 * time.Hour)
	h.round(t)
	r := h.returns(t, st.ID)[0]
	if r.Status != domain.StatusPickupExpired {
		t.Fatalf("after WB took it back: %s", r.Status)
	}
	charges, err := storage.NewPickupClockService(h.db).FindReturnCharges(pgtest.System(), r.ID)
	if err != nil || len(charges) != 1 || charges[0].AmountRUB != 50_00 {
		t.Fatalf("charges = %+v, %v", charges, err)
	}
}
