package wb

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// GoodsPrice is one article's prices as the seller set them
// (discounts-prices-api GET /api/v2/list/goods/filter).
type GoodsPrice struct {
	NmID              int64            `json:"nmID"`
	VendorCode        string           `json:"vendorCode"`
	Sizes             []GoodsPriceSize `json:"sizes"`
	Currency          string           `json:"currencyIsoCode4217"`
	Discount          int              `json:"discount"` // the seller's discount, %
	ClubDiscount      int              `json:"clubDiscount"`
	EditableSizePrice bool             `json:"editableSizePrice"`
}

// GoodsPriceSize is one size's price: before and after the seller's
// discount, in the currency's main unit.
type GoodsPriceSize struct {
	SizeID              int64   `json:"sizeID"`
	Price               float64 `json:"price"`
	DiscountedPrice     float64 `json:"discountedPrice"`
	ClubDiscountedPrice float64 `json:"clubDiscountedPrice"`
	TechSizeName        string  `json:"techSizeName"`
}

// SellerPriceKopecks is what a buyer pays before WB's own discounts: the
// first size's price after the seller's discount, in kopecks. False when
// the price is not in roubles or not set.
func (g GoodsPrice) SellerPriceKopecks() (int64, bool) {
	if len(g.Sizes) == 0 || (g.Currency != "" && g.Currency != "RUB") {
		return 0, false
	}
	p := g.Sizes[0].DiscountedPrice
	if p <= 0 {
		p = g.Sizes[0].Price
	}
	if p <= 0 {
		return 0, false
	}
	return int64(math.Round(p * 100)), true
}

// pricesPage is the prices API's envelope: {"data":{"listGoods":[…]}}.
type pricesPage struct {
	Data struct {
		ListGoods []GoodsPrice `json:"listGoods"`
	} `json:"data"`
}

// ListPrices reads one page of the seller's prices; nmID 0 lists all.
func (c *Client) ListPrices(ctx context.Context, token string, limit, offset int, nmID int64) ([]GoodsPrice, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(max(offset, 0))}}
	if nmID != 0 {
		q.Set("filterNmID", strconv.FormatInt(nmID, 10))
	}
	var p pricesPage
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: CategoryPrices, group: groupPrices,
		path: "/api/v2/list/goods/filter", query: q, out: &p, idempotent: true})
	return p.Data.ListGoods, err
}

// AllPrices reads the prices of every article of the seller, a page of a
// thousand at a time: one call for most sellers, which matters on a basic
// token's four calls an hour.
func (c *Client) AllPrices(ctx context.Context, token string) ([]GoodsPrice, error) {
	const limit = 1000
	return walk(ctx, c.maxPages, 0, func(ctx context.Context, offset int) ([]GoodsPrice, int, bool, error) {
		page, err := c.ListPrices(ctx, token, limit, offset, 0)
		return page, offset + len(page), len(page) == limit, err
	})
}

// PriceInterval is how often a store's prices may be read with this
// token: a basic token's four calls an hour, otherwise every ten minutes,
// which is fresher than prices need.
func PriceInterval(token string) time.Duration {
	_, typ := accountOf(token)
	l := limitFor(groupPrices, typ)
	return max(10*time.Minute, time.Duration(float64(l.interval())*paceSlack))
}
