package wbfake

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
)

// GoodsPrice is one article's prices (discounts-prices-api).
type GoodsPrice struct {
	NmID              int64            `json:"nmID"`
	VendorCode        string           `json:"vendorCode"`
	Sizes             []GoodsPriceSize `json:"sizes"`
	Currency          string           `json:"currencyIsoCode4217"`
	Discount          int              `json:"discount"`
	ClubDiscount      int              `json:"clubDiscount"`
	EditableSizePrice bool             `json:"editableSizePrice"`
}

// GoodsPriceSize is one size's price before and after the seller's discount.
type GoodsPriceSize struct {
	SizeID              int64   `json:"sizeID"`
	Price               float64 `json:"price"`
	DiscountedPrice     float64 `json:"discountedPrice"`
	ClubDiscountedPrice float64 `json:"clubDiscountedPrice"`
	TechSizeName        string  `json:"techSizeName"`
}

// SetPrice sets seller sid's price of article nmID in roubles with a
// discount in percent, as the seller does in the cabinet.
func (s *Server) SetPrice(sid string, nmID int64, vendorCode string, rub float64, discount int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.sellerLocked(sid)
	if sl.prices == nil {
		sl.prices = map[int64]*GoodsPrice{}
	}
	disc := rub * float64(100-discount) / 100
	sl.prices[nmID] = &GoodsPrice{NmID: nmID, VendorCode: vendorCode, Currency: "RUB", Discount: discount,
		Sizes: []GoodsPriceSize{{SizeID: nmID * 10, Price: rub, DiscountedPrice: disc, ClubDiscountedPrice: disc, TechSizeName: "0"}}}
}

// getGoodsFilter serves GET /api/v2/list/goods/filter: limit 1..1000,
// offset, and an optional filterNmID.
func (s *Server) getGoodsFilter(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err1 := strconv.Atoi(q.Get("limit"))
	offset, err2 := strconv.Atoi(cmp.Or(q.Get("offset"), "0"))
	if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || offset < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"data": nil, "error": true, "errorText": "Invalid request parameters"})
		return
	}
	var only int64
	if v := q.Get("filterNmID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"data": nil, "error": true, "errorText": "Invalid filterNmID"})
			return
		}
		only = n
	}
	sl := s.lock(r)
	var list []GoodsPrice
	for _, p := range sl.prices {
		if only == 0 || p.NmID == only {
			list = append(list, *p)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b GoodsPrice) int { return cmp.Compare(a.NmID, b.NmID) })
	list = list[min(offset, len(list)):]
	list = list[:min(limit, len(list))]
	if list == nil {
		list = []GoodsPrice{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"listGoods": list}, "error": false, "errorText": ""})
}
