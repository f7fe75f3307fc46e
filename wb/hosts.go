package wb

// Category is a WB API category: one production host and, except for the
// common host, one bit of a token's scope mask (wb-api.md §2.1, §3.4).
type Category string

// Categories Indigo talks to.
const (
	CategoryContent     Category = "content"
	CategoryAnalytics   Category = "analytics"
	CategoryPrices      Category = "prices"
	CategoryMarketplace Category = "marketplace"
	CategoryStatistics  Category = "statistics"
	CategoryReturns     Category = "returns"
	CategoryCommon      Category = "common"
)

var categories = map[Category]struct {
	host string
	bit  int // -1: any token may call the host
}{
	CategoryContent:     {"content-api.wildberries.ru", 1},
	CategoryAnalytics:   {"seller-analytics-api.wildberries.ru", 2},
	CategoryPrices:      {"discounts-prices-api.wildberries.ru", 3},
	CategoryMarketplace: {"marketplace-api.wildberries.ru", 4},
	CategoryStatistics:  {"statistics-api.wildberries.ru", 5},
	CategoryReturns:     {"returns-api.wildberries.ru", 11},
	CategoryCommon:      {"common-api.wildberries.ru", -1},
}

// AllCategories lists the categories this client knows, in bit order.
func AllCategories() []Category {
	return []Category{CategoryContent, CategoryAnalytics, CategoryPrices, CategoryMarketplace,
		CategoryStatistics, CategoryReturns, CategoryCommon}
}

// RequiredCategories are the ones Indigo cannot work without: product cards,
// the goods-return report, FBS resale and buyer claims (wb-api.md §3.4).
func RequiredCategories() []Category {
	return []Category{CategoryContent, CategoryAnalytics, CategoryMarketplace, CategoryReturns}
}

// Host is the category's production host name, "" for an unknown category.
func (c Category) Host() string { return categories[c].host }

// Bit is the category's bit in a token's scope mask, -1 for the common host
// and for unknown categories.
func (c Category) Bit() int {
	info, ok := categories[c]
	if !ok {
		return -1
	}
	return info.bit
}

func (c Category) known() bool { _, ok := categories[c]; return ok }
