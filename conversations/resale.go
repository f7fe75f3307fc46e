package conversations

import (
	"fmt"
	"maps"

	"github.com/indigo-warehouse/indigo/domain"
)

// resale.go: what a seller hears and sees of their items on sale on WB
// (manual §6): sold with the price, back on the shelf after a cancel,
// refused by the buyer, or why the store cannot sell on WB at all.

// resaleNotification gives a resale push's data its words in the seller's
// language: the price as money, the reason as text.
func resaleNotification(t *Turn, n *domain.Notification) *domain.Notification {
	switch n.Kind {
	case domain.NotifyResaleSold, domain.NotifyResaleBlocked:
	default:
		return n
	}
	out := *n
	out.Data = maps.Clone(n.Data)
	if price, ok := number(n.Data["Price"]); ok {
		out.Data["Price"] = formatPrice(t, price, n.Data["Currency"])
	}
	if reason, ok := n.Data["Reason"].(string); ok {
		out.Data["Reason"] = t.T(reason)
	}
	return &out
}

// formatPrice writes WB's price (×100) in the seller's way; a currency
// other than the rouble is named by its ISO code.
func formatPrice(t *Turn, price int64, currency any) string {
	code, _ := number(currency)
	if code == 0 || code == 643 {
		return t.l.FormatRUB(price)
	}
	return fmt.Sprintf("%d.%02d (%03d)", price/100, price%100, code)
}

// number reads a number from notification data, which comes back from
// JSON as a float64.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}
