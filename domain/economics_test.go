package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
)

func tariffBook(lines ...domain.Tariff) domain.TariffBook { return domain.TariffBook{Lines: lines} }

var fees = tariffBook(
	domain.Tariff{Kind: domain.TariffSellFee, Value: 150_00},
	domain.Tariff{Kind: domain.TariffReturnHandling, Value: 200_00},
	domain.Tariff{Kind: domain.TariffDisposeFee, Value: 90_00},
	domain.Tariff{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 1000, Value: 900_00},
	domain.Tariff{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 5000, Value: 2900_00},
	domain.Tariff{Kind: domain.TariffShipping, Zone: domain.ZoneAny, MaxWeightGram: 20000, Value: 6000_00},
)

// TestEstimate works each option out by hand: Sell on WB is the price less
// WB's commission, the FBS logistics for the litres and Indigo's fee;
// Return to seller is handling plus shipping by weight and zone; Dispose is
// its fee. What is missing leaves an option incomplete, never best.
func TestEstimate(t *testing.T) {
	jacket := &domain.Product{LengthCM: 40, WidthCM: 30, HeightCM: 10, WeightGram: 1400} // 12 l, 2.4 kg volumetric
	box := &domain.BoxRate{Warehouse: "Свой склад РФ", BaseRUB: 46_00, LiterRUB: 14_00}
	commission := &domain.Commission{SubjectName: "Куртки", FBSBasisPoints: 2450}
	priced := &domain.Return{PriceRUB: 8990_00, PriceSource: domain.PriceSourceClaim}
	for _, tt := range []struct {
		name     string
		in       domain.EconomicsInput
		want     map[domain.Decision]int64 // net of the complete options
		best     domain.Decision
		unknowns map[domain.Decision][]domain.LineKind
	}{
		{
			name: "everything known",
			in:   domain.EconomicsInput{Return: priced, Product: jacket, Commission: commission, Box: box, Tariffs: fees, Country: "CN"},
			// 8990 − 2202.55 − (46 + 11×14) − 150; 200 + 2900 (2.4 kg); 90
			want: map[domain.Decision]int64{domain.DecisionSellOnWB: 8990_00 - 2202_55 - 200_00 - 150_00,
				domain.DecisionReturnToSeller: -3100_00, domain.DecisionDispose: -90_00},
			best: domain.DecisionSellOnWB,
		},
		{
			name: "no price: selling cannot be worked out",
			in:   domain.EconomicsInput{Return: &domain.Return{}, Product: jacket, Commission: commission, Box: box, Tariffs: fees, Country: "CN"},
			want: map[domain.Decision]int64{domain.DecisionReturnToSeller: -3100_00, domain.DecisionDispose: -90_00},
			best: domain.DecisionDispose,
			unknowns: map[domain.Decision][]domain.LineKind{
				domain.DecisionSellOnWB: {domain.LinePrice, domain.LineWBCommission}},
		},
		{
			name: "no tariffs of WB nor a card",
			in:   domain.EconomicsInput{Return: priced, Tariffs: fees, Country: "KZ"},
			want: map[domain.Decision]int64{domain.DecisionDispose: -90_00},
			best: domain.DecisionDispose,
			unknowns: map[domain.Decision][]domain.LineKind{
				domain.DecisionSellOnWB:       {domain.LineWBCommission, domain.LineWBLogistics},
				domain.DecisionReturnToSeller: {domain.LineShipping}},
		},
		{
			name: "a country without its own zone ships at the catch-all rate",
			in:   domain.EconomicsInput{Return: &domain.Return{PriceRUB: 100_00, PriceSource: domain.PriceSourceSellerPrice}, Product: &domain.Product{LengthCM: 10, WidthCM: 10, HeightCM: 10, WeightGram: 300}, Commission: commission, Box: box, Tariffs: fees, Country: "KZ"},
			// a 1-litre package pays the base only; 100 − 24.50 − 46 − 150
			want: map[domain.Decision]int64{domain.DecisionSellOnWB: 100_00 - 24_50 - 46_00 - 150_00,
				domain.DecisionReturnToSeller: -6200_00, domain.DecisionDispose: -90_00},
			best: domain.DecisionDispose,
		},
		{
			name: "no Indigo tariff: nothing is best",
			in:   domain.EconomicsInput{Return: priced, Product: jacket, Commission: commission, Box: box, Country: "CN"},
			want: map[domain.Decision]int64{},
			unknowns: map[domain.Decision][]domain.LineKind{
				domain.DecisionSellOnWB: {domain.LineSellFee}, domain.DecisionReturnToSeller: {domain.LineReturnHandling, domain.LineShipping},
				domain.DecisionDispose: {domain.LineDisposeFee}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := domain.Estimate(tt.in)
			got := map[domain.Decision]int64{}
			unknowns := map[domain.Decision][]domain.LineKind{}
			for _, o := range e.Options {
				if o.Complete {
					got[o.Decision] = o.Net
				}
				for _, l := range o.Lines {
					if !l.Known {
						unknowns[o.Decision] = append(unknowns[o.Decision], l.Kind)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("nets (-want +got):\n%s", diff)
			}
			if tt.unknowns == nil {
				tt.unknowns = map[domain.Decision][]domain.LineKind{}
			}
			if diff := cmp.Diff(tt.unknowns, unknowns); diff != "" {
				t.Errorf("unknown lines (-want +got):\n%s", diff)
			}
			if e.Best != tt.best {
				t.Errorf("best = %q, want %q", e.Best, tt.best)
			}
		})
	}
}

func TestShippingBrackets(t *testing.T) {
	for _, tt := range []struct {
		country string
		gram    int
		want    int64
		ok      bool
	}{
		{"CN", 999, 900_00, true},
		{"cn", 1000, 900_00, true},
		{"CN", 1001, 2900_00, true},
		{"CN", 5001, 6000_00, true}, // beyond the zone's brackets: the catch-all's
		{"RU", 20000, 6000_00, true},
		{"RU", 20001, 0, false},
	} {
		got, ok := fees.Shipping(tt.country, tt.gram)
		if ok != tt.ok || got.Value != tt.want {
			t.Errorf("Shipping(%s, %d) = %d, %v; want %d, %v", tt.country, tt.gram, got.Value, ok, tt.want, tt.ok)
		}
	}
}

func TestTariffCheck(t *testing.T) {
	for _, tt := range []struct {
		t    domain.Tariff
		want string
	}{
		{domain.Tariff{Kind: domain.TariffSellFee, Value: 100}, ""},
		{domain.Tariff{Kind: domain.TariffShipping, Zone: "cn", MaxWeightGram: 500, Value: 100}, ""},
		{domain.Tariff{Kind: "gift_wrap", Value: 1}, "error.tariff.unknown_kind"},
		{domain.Tariff{Kind: domain.TariffSellFee, Value: -1}, "error.tariff.negative"},
		{domain.Tariff{Kind: domain.TariffShipping, Value: 1}, "error.tariff.shipping_usage"},
		{domain.Tariff{Kind: domain.TariffDisposeFee, Zone: "CN", Value: 1}, "error.tariff.shipping_only"},
		{domain.Tariff{Kind: domain.TariffDecisionDays, Value: 0}, "error.tariff.decision_days"},
	} {
		err := tt.t.Check()
		if got := ""; err != nil {
			got = domain.ErrorMsgID(err)
			if got != tt.want {
				t.Errorf("Check(%+v) = %s, want %q", tt.t, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("Check(%+v) passed, want %s", tt.t, tt.want)
		}
	}
}
