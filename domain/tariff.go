package domain

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Indigo's own tariff: what the warehouse charges and the terms it works
// on, kept by staff in one table with effective dates, so a card drawn
// today and an invoice for last month both read the numbers that applied.
// The accounts work (issue 19) bills from the same table.

// TariffKind names one line of Indigo's tariff.
type TariffKind string

// Tariff kinds. Amounts are kopecks; DecisionDays and FreeDays are days;
// ResalePercent is basis points (250 = 2.5 %).
const (
	TariffSellFee        TariffKind = "sell_fee"        // per item put back on sale via FBS
	TariffReturnHandling TariffKind = "return_handling" // per item packed and sent to the seller
	TariffDisposeFee     TariffKind = "dispose_fee"     // per item disposed of
	TariffShipping       TariffKind = "shipping"        // to the seller's country: per zone and weight bracket
	TariffDecisionDays   TariffKind = "decision_days"   // days a received return waits for a decision

	// What the accounts bill (issue 19), each when its event happens.
	TariffReceipt       TariffKind = "receipt"        // per return received at the warehouse
	TariffInspection    TariffKind = "inspection"     // per return inspected
	TariffPhotos        TariffKind = "photos"         // per return photographed or filmed on request
	TariffStorageDay    TariffKind = "storage_day"    // per item and day kept beyond the free days
	TariffFreeDays      TariffKind = "free_days"      // days an item is kept free of charge
	TariffResaleOrder   TariffKind = "resale_order"   // per resold item a buyer received
	TariffResalePercent TariffKind = "resale_percent" // basis points of a resold item's price
)

// AllTariffKinds lists the kinds in the order staff see them.
func AllTariffKinds() []TariffKind {
	return []TariffKind{TariffReceipt, TariffInspection, TariffPhotos, TariffStorageDay, TariffFreeDays,
		TariffSellFee, TariffResaleOrder, TariffResalePercent, TariffReturnHandling, TariffDisposeFee,
		TariffShipping, TariffDecisionDays}
}

// ParseTariffKind validates a kind name.
func ParseTariffKind(s string) (TariffKind, error) {
	for _, k := range AllTariffKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Errorf(CodeInvalid, "error.tariff.unknown_kind", map[string]any{"Kind": s})
}

// IsMoney reports whether the kind's value is an amount in kopecks.
func (k TariffKind) IsMoney() bool { return !k.IsDays() && k != TariffResalePercent }

// IsDays reports whether the kind's value is a number of days.
func (k TariffKind) IsDays() bool { return k == TariffDecisionDays || k == TariffFreeDays }

// DefaultDecisionDays is the decision window while staff have set none.
const DefaultDecisionDays = 14

// ZoneAny is the shipping zone that applies where no country has its own.
const ZoneAny = "*"

// Tariff is one line of Indigo's tariff from a date on. A later line of
// the same kind, zone and weight bracket replaces it from its own date.
type Tariff struct {
	ID            int64
	Kind          TariffKind
	Zone          string // shipping only: an ISO country code, or ZoneAny
	MaxWeightGram int    // shipping only: the bracket's upper bound
	Value         int64  // kopecks, or days for TariffDecisionDays
	EffectiveFrom time.Time
	SetBy         Actor
	CreatedAt     time.Time
}

// TariffService keeps Indigo's tariff. Only staff set lines; every line
// ever set is kept, so any past date can be read back.
type TariffService interface {
	SetTariff(ctx context.Context, t *Tariff) error
	// TariffBook returns the lines in effect at a time.
	TariffBook(ctx context.Context, at time.Time) (TariffBook, error)
}

// TariffBook is Indigo's tariff as it stood at one time.
type TariffBook struct {
	At    time.Time
	Lines []Tariff
}

// Check validates a line before it is stored.
func (t *Tariff) Check() error {
	if _, err := ParseTariffKind(string(t.Kind)); err != nil {
		return err
	}
	switch {
	case t.Value < 0:
		return Errorf(CodeInvalid, "error.tariff.negative", nil)
	case t.Kind == TariffDecisionDays && (t.Value < 1 || t.Value > 365):
		return Errorf(CodeInvalid, "error.tariff.decision_days", nil)
	case t.Kind == TariffFreeDays && t.Value > 365:
		return Errorf(CodeInvalid, "error.tariff.free_days", nil)
	case t.Kind == TariffResalePercent && t.Value > 10000:
		return Errorf(CodeInvalid, "error.tariff.percent", nil)
	case t.Kind == TariffShipping && (t.Zone == "" || t.MaxWeightGram <= 0):
		return Errorf(CodeInvalid, "error.tariff.shipping_usage", nil)
	case t.Kind != TariffShipping && (t.Zone != "" || t.MaxWeightGram != 0):
		return Errorf(CodeInvalid, "error.tariff.shipping_only", nil)
	}
	t.Zone = strings.ToUpper(t.Zone)
	return nil
}

// Fee is the value of a kind that has one line, such as the sell fee.
func (b TariffBook) Fee(kind TariffKind) (Tariff, bool) {
	for _, t := range b.Lines {
		if t.Kind == kind {
			return t, true
		}
	}
	return Tariff{}, false
}

// DecisionDays is the decision window in effect.
func (b TariffBook) DecisionDays() int {
	if t, ok := b.Fee(TariffDecisionDays); ok {
		return int(t.Value)
	}
	return DefaultDecisionDays
}

// FreeDays is how many days an item is kept free, 0 while staff have set none.
func (b TariffBook) FreeDays() int {
	t, _ := b.Fee(TariffFreeDays)
	return int(t.Value)
}

// Shipping is the rate to a country for a weight: the smallest bracket
// that holds it, in the country's own zone if it has one, else in ZoneAny.
func (b TariffBook) Shipping(country string, grams int) (Tariff, bool) {
	for _, zone := range []string{strings.ToUpper(country), ZoneAny} {
		var fits []Tariff
		for _, t := range b.Lines {
			if t.Kind == TariffShipping && t.Zone == zone && t.MaxWeightGram >= grams {
				fits = append(fits, t)
			}
		}
		if len(fits) > 0 {
			sort.Slice(fits, func(i, j int) bool { return fits[i].MaxWeightGram < fits[j].MaxWeightGram })
			return fits[0], true
		}
	}
	return Tariff{}, false
}

// Since is when the newest line of the book took effect: the date a card
// quotes its Indigo numbers from.
func (b TariffBook) Since() time.Time {
	var at time.Time
	for _, t := range b.Lines {
		if t.EffectiveFrom.After(at) {
			at = t.EffectiveFrom
		}
	}
	return at
}
