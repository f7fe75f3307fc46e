package domain

import (
	"context"
	"math"
	"strings"
	"time"
)

// What WB charges, as its tariffs API publishes it (wb-resale.md §4): the
// commission per subject, the FBS logistics per litre and the reverse
// logistics of a return nobody collected. Indigo keeps the latest copy
// so a card can quote them without calling WB.

// Commission is WB's commission on one subject (category).
type Commission struct {
	SubjectID   int64
	SubjectName string // Russian, as the goods-return report names subjects
	ParentName  string
	// FBSBasisPoints is kgvpMarketplace, the FBS commission: 2450 = 24.5 %.
	FBSBasisPoints int64
}

// BoxRate is one warehouse's row of WB's box tariffs: FBS logistics.
type BoxRate struct {
	Warehouse string
	BaseRUB   int64 // kopecks for the first litre
	LiterRUB  int64 // kopecks for each further litre
	// CoefPercent is WB's warehouse coefficient, already applied to the two
	// amounts; kept to show.
	CoefPercent int64
}

// ReturnRate is one warehouse's row of WB's return tariffs.
type ReturnRate struct {
	Warehouse string
	// UncollectedRUB is deliveryDumpSupReturnExpr: what WB charges per unit
	// to take back a return not collected from the pickup point in time.
	UncollectedRUB int64
}

// MarketRates is one copy of WB's tariffs.
type MarketRates struct {
	Date        time.Time // the tariff date WB was asked for
	FetchedAt   time.Time
	Commissions []Commission
	Box         []BoxRate
	Return      []ReturnRate
}

// MarketRateService keeps the latest copy of WB's tariffs.
type MarketRateService interface {
	// SaveMarketRates replaces the kept copy of each part the rates carry:
	// a part WB did not answer (nil) keeps its last copy.
	SaveMarketRates(ctx context.Context, r MarketRates) error
	// FindCommission is the commission of a subject, by id or else by name.
	FindCommission(ctx context.Context, subjectID int64, subjectName string) (Commission, time.Time, bool, error)
	// FindBoxRates and FindReturnRates return every warehouse's row and the
	// tariff date they are of.
	FindBoxRates(ctx context.Context) ([]BoxRate, time.Time, error)
	FindReturnRates(ctx context.Context) ([]ReturnRate, time.Time, error)
}

// sellerWarehouseNames are the rows that apply to goods a seller ships
// from its own warehouse in Russia: since 15.08.2026 WB publishes only
// these aggregates for the RF (wb-resale.md §4); "Маркетплейс" is the
// older name of the same row.
var sellerWarehouseNames = []string{"Свой склад РФ", "Маркетплейс"}

// SellerWarehouseRow picks the row for Indigo's own (FBS) warehouse out
// of a tariff's rows, by WB's warehouse names.
func SellerWarehouseRow[T any](rows []T, name func(T) string) (T, bool) {
	for _, want := range sellerWarehouseNames {
		for _, r := range rows {
			if strings.EqualFold(strings.TrimSpace(name(r)), want) {
				return r, true
			}
		}
	}
	var zero T
	return zero, false
}

// Product is what Indigo knows of a store's article from WB: the card's
// subject and dimensions, and the seller's current price.
type Product struct {
	StoreID     int64
	NmID        int64
	SubjectID   int64
	SubjectName string
	VendorCode  string
	// The card's package dimensions (cm) and gross weight (grams).
	LengthCM, WidthCM, HeightCM int
	WeightGram                  int
	PriceRUB                    int64 // the seller's price after the seller's discount, kopecks; 0 unknown
	PriceAt                     *time.Time
}

// Liters is the package volume, as WB's logistics counts it.
func (p Product) Liters() float64 {
	return float64(p.LengthCM*p.WidthCM*p.HeightCM) / 1000
}

// HasSize reports whether the card gave dimensions.
func (p Product) HasSize() bool { return p.LengthCM > 0 && p.WidthCM > 0 && p.HeightCM > 0 }

// ShippingGram is the weight a courier charges: the gross weight or the
// volumetric weight (cm³ / 5000 kg), whichever is more.
func (p Product) ShippingGram() int {
	volumetric := int(math.Ceil(float64(p.LengthCM*p.WidthCM*p.HeightCM) / 5))
	return max(p.WeightGram, volumetric)
}

// ProductService keeps product facts per store.
type ProductService interface {
	// SaveProduct records what is known; zero fields keep what was known.
	SaveProduct(ctx context.Context, p *Product) error
	FindProduct(ctx context.Context, storeID, nmID int64) (*Product, error)
}
