package domain

import (
	"strconv"
	"time"
)

// An account's amounts as people read them, the same in the chat and on
// the web: roubles with yuan at the configured rate, month names, and a
// price list line.

// PluralFormatter is a NumberFormatter that also counts.
type PluralFormatter interface {
	NumberFormatter
	Plural(id string, count int, data map[string]any) string
}

// Money is an amount in roubles with its yuan beside it ("−₽50.00 (≈ −¥4.00)");
// fen 0 leaves the yuan out. signed marks a negative amount with a minus.
func Money(f Formatter, kopecks, fen int64, signed bool) string {
	text, cny := f.FormatRUB(absInt(kopecks)), f.FormatCNY(absInt(fen))
	if signed && kopecks < 0 {
		text, cny = "−"+text, "−"+cny
	}
	if fen == 0 {
		return text
	}
	return text + f.T("label.note", map[string]any{"Text": "≈" + cny})
}

func absInt(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// MonthName is "November 2026" in the reader's language.
func MonthName(f Formatter, m time.Time) string {
	return f.T("flow.accounts.month", map[string]any{"Name": f.Label("month", strconv.Itoa(int(m.Month()))), "Year": m.Year()})
}

// PriceText is a tariff line's value as a seller reads it: an amount,
// days, or a percentage of the sale price.
func PriceText(f PluralFormatter, line Tariff, cny func(int64) int64) string {
	switch {
	case line.Kind.IsDays():
		return f.Plural("flow.accounts.days", int(line.Value), nil)
	case line.Kind == TariffResalePercent:
		return f.T("flow.accounts.percent", map[string]any{"Percent": DecimalText(f, float64(line.Value)/100)})
	}
	return Money(f, line.Value, cny(line.Value), false)
}

// PriceList is the lines of a book a seller pays by: the fees, not the
// decision window or the shipping rates the cards quote.
func (b TariffBook) PriceList() []Tariff {
	var out []Tariff
	for _, k := range AllTariffKinds() {
		if k == TariffDecisionDays || k == TariffShipping {
			continue
		}
		if t, ok := b.Fee(k); ok {
			out = append(out, t)
		}
	}
	return out
}

// BalanceLine is the balance as a seller reads it: what they owe, when
// they do.
func BalanceLine(f Formatter, balance int64, cny func(int64) int64) string {
	data := map[string]any{"Balance": Money(f, balance, cny(balance), true)}
	if balance >= 0 {
		return f.T("flow.accounts.balance", data)
	}
	data["Owed"] = Money(f, -balance, cny(-balance), false)
	return f.T("flow.accounts.balance_owed", data)
}
