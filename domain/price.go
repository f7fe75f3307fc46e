package domain

import "time"

// PriceSource says where a return's price came from. A buyer's price is
// what the item really sold for; the seller's current price is only what
// it would sell for now, so sums that include it say they are estimates.
type PriceSource string

// Price sources, most trusted first.
const (
	PriceSourceNone        PriceSource = ""             // no price yet: counted in no sum
	PriceSourceClaim       PriceSource = "claim"        // the buyer's price in WB's return claim
	PriceSourceOrder       PriceSource = "order"        // the buyer's price in the FBS order the srid points to
	PriceSourceSellerPrice PriceSource = "seller_price" // the seller's current price on WB (prices API): an estimate
)

// AllPriceSources lists the sources a priced return can have, for labels
// and the export.
func AllPriceSources() []PriceSource {
	return []PriceSource{PriceSourceClaim, PriceSourceOrder, PriceSourceSellerPrice}
}

// ParsePriceSource validates a price source name; "" is no price.
func ParsePriceSource(s string) (PriceSource, error) {
	if s == "" {
		return PriceSourceNone, nil
	}
	for _, p := range AllPriceSources() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.invalid", nil)
}

// Known reports whether the return has a price at all.
func (s PriceSource) Known() bool { return s != PriceSourceNone }

// Estimate reports whether the price is not what a buyer paid.
func (s PriceSource) Estimate() bool { return s == PriceSourceSellerPrice }

// Better reports whether a price from s should replace one from o: a
// buyer's price beats the seller's, and any price beats none.
func (s PriceSource) Better(o PriceSource) bool { return s.rank() < o.rank() }

func (s PriceSource) rank() int {
	switch s {
	case PriceSourceClaim:
		return 0
	case PriceSourceOrder:
		return 1
	case PriceSourceSellerPrice:
		return 2
	}
	return 3
}

// PricedReturn is a price found for a return, with where it came from.
type PricedReturn struct {
	ReturnID int64
	PriceRUB int64 // kopecks
	PriceCNY int64 // fen
	Source   PriceSource
}

// PriceCheck is one store's pricing work: its returns without a price and
// the articles whose card facts (subject, package) Indigo lacks.
type PriceCheck struct {
	Store       *Store
	LastChecked *time.Time // when its prices were last asked of WB
	Unpriced    []*Return  // id, store, srid, nm id and request date only
	NoFacts     []int64    // nm ids
}
