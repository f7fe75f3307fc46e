package domain

import (
	"context"
	"math"
	"time"
)

// The money of a pending decision: what each option leaves the seller
// with, estimated from the return's price, WB's tariffs and Indigo's.
// Nothing here chooses for the seller; Best only marks the option that
// leaves the most.

// LineKind names one line of an option's estimate.
type LineKind string

// Line kinds, in the order an option lists them.
const (
	LinePrice          LineKind = "price"           // + the return's price
	LineWBCommission   LineKind = "wb_commission"   // − WB's FBS commission for the subject
	LineWBLogistics    LineKind = "wb_logistics"    // − WB's FBS logistics for the package's litres
	LineSellFee        LineKind = "sell_fee"        // − Indigo's fee for putting it on sale
	LineReturnHandling LineKind = "return_handling" // − Indigo's handling of a return to the seller
	LineShipping       LineKind = "shipping"        // − shipping to the seller's country
	LineDisposeFee     LineKind = "dispose_fee"     // − Indigo's fee for disposal
)

// Line is one amount of an estimate. Amount is signed: what the seller
// gets is positive, what they pay negative. A line that is not Known has
// no amount: what it needs is missing (no price, no tariff).
type Line struct {
	Kind   LineKind
	Amount int64 // kopecks
	Known  bool
	// What it was worked out from, for the card to say.
	Source      PriceSource // LinePrice
	BasisPoints int64       // LineWBCommission
	Liters      float64     // LineWBLogistics
	Country     string      // LineShipping
	Gram        int         // LineShipping
}

// OptionEstimate is one decision's estimate: its lines and their sum.
type OptionEstimate struct {
	Decision Decision
	Lines    []Line
	Net      int64 // kopecks; the sum of the known lines
	Complete bool  // every line is known, so Net means something
}

// Economics is the estimate of every option of a pending decision.
type Economics struct {
	Options []OptionEstimate // in AllDecisions order
	Best    Decision         // "" when no option could be worked out
	// Where the numbers come from, for the card's sources line.
	PriceSource PriceSource
	RatesDate   time.Time // WB's tariffs; zero when none are kept
	TariffsAt   time.Time // Indigo's tariff, as of this time
}

// EconomicsInput is what an estimate is made from. Nil parts are missing.
type EconomicsInput struct {
	Return     *Return
	Product    *Product
	Commission *Commission
	Box        *BoxRate
	RatesDate  time.Time
	Tariffs    TariffBook
	Country    string // the seller's, for the shipping zone
}

// Estimate works out every option. It never fails: what is missing shows
// as an unknown line, and an option with one is never Best.
func Estimate(in EconomicsInput) Economics {
	e := Economics{PriceSource: in.Return.PriceSource, RatesDate: in.RatesDate, TariffsAt: in.Tariffs.At}
	for _, d := range AllDecisions() {
		var lines []Line
		switch d {
		case DecisionSellOnWB:
			lines = sellLines(in)
		case DecisionReturnToSeller:
			lines = []Line{feeLine(in.Tariffs, TariffReturnHandling, LineReturnHandling), shippingLine(in)}
		case DecisionDispose:
			lines = []Line{feeLine(in.Tariffs, TariffDisposeFee, LineDisposeFee)}
		}
		e.Options = append(e.Options, sumLines(d, lines))
	}
	best := -1
	for i, o := range e.Options {
		if o.Complete && (best < 0 || o.Net > e.Options[best].Net) {
			best = i
		}
	}
	if best >= 0 {
		e.Best = e.Options[best].Decision
	}
	return e
}

// Option returns the estimate of one decision.
func (e Economics) Option(d Decision) (OptionEstimate, bool) {
	for _, o := range e.Options {
		if o.Decision == d {
			return o, true
		}
	}
	return OptionEstimate{}, false
}

func sumLines(d Decision, lines []Line) OptionEstimate {
	o := OptionEstimate{Decision: d, Lines: lines, Complete: true}
	for _, l := range lines {
		if !l.Known {
			o.Complete = false
			continue
		}
		o.Net += l.Amount
	}
	return o
}

// sellLines: price − WB's commission − FBS logistics − Indigo's fee.
func sellLines(in EconomicsInput) []Line {
	r := in.Return
	price := Line{Kind: LinePrice, Source: r.PriceSource, Known: r.PriceSource.Known(), Amount: r.PriceRUB}
	commission := Line{Kind: LineWBCommission}
	if in.Commission != nil && price.Known {
		commission.BasisPoints = in.Commission.FBSBasisPoints
		commission.Amount = -roundDiv(r.PriceRUB*in.Commission.FBSBasisPoints, 10000)
		commission.Known = true
	}
	logistics := Line{Kind: LineWBLogistics}
	if in.Box != nil && in.Product != nil && in.Product.HasSize() {
		liters := in.Product.Liters()
		logistics.Liters = liters
		extra := math.Max(0, liters-1)
		logistics.Amount = -(in.Box.BaseRUB + int64(math.Round(extra*float64(in.Box.LiterRUB))))
		logistics.Known = true
	}
	return []Line{price, commission, logistics, feeLine(in.Tariffs, TariffSellFee, LineSellFee)}
}

func feeLine(b TariffBook, kind TariffKind, line LineKind) Line {
	t, ok := b.Fee(kind)
	return Line{Kind: line, Known: ok, Amount: -t.Value}
}

func shippingLine(in EconomicsInput) Line {
	l := Line{Kind: LineShipping, Country: in.Country}
	if in.Product == nil || (in.Product.WeightGram == 0 && !in.Product.HasSize()) {
		return l
	}
	l.Gram = in.Product.ShippingGram()
	if t, ok := in.Tariffs.Shipping(in.Country, l.Gram); ok {
		l.Amount, l.Known = -t.Value, true
	}
	return l
}

// roundDiv divides rounding half away from zero, as money is rounded.
func roundDiv(a, b int64) int64 {
	if (a < 0) != (b < 0) {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// EconomicsService estimates a return's options from what Indigo keeps:
// the product's facts, WB's latest tariffs and Indigo's tariff now.
type EconomicsService interface {
	Economics(ctx context.Context, r *Return) (Economics, error)
}
