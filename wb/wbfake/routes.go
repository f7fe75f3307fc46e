package wbfake

import (
	"encoding/json"
	"net/http"
	"time"
)

// moscow is the zone of WB's zone-less timestamps.
var moscow = time.FixedZone("MSK", 3*60*60)

// routeAll is the one list of every path the fake serves.
func (s *Server) routeAll() {
	s.handle("GET /ping", route{group: "ping"}, s.getPing)
	s.handle("GET /api/v1/seller-info", route{cat: "common", group: "seller-info"}, s.getSellerInfo)

	s.handle("GET /api/v1/claims", route{cat: "returns", group: "claims"}, s.getClaims)
	s.handle("PATCH /api/v1/claim", route{cat: "returns", group: "claims", write: true}, s.patchClaim)
	s.handle("GET /api/v1/analytics/goods-return", route{cat: "analytics", group: "goods-return"}, s.getGoodsReturn)

	fbs := func(pattern string, write bool, h http.HandlerFunc) {
		s.handle(pattern, route{cat: "marketplace", group: "fbs", write: write}, h)
	}
	fbs("GET /api/v3/orders/new", false, s.getNewOrders)
	fbs("GET /api/v3/orders", false, s.getOrders)
	fbs("POST /api/v3/orders/status", false, s.postOrderStatus)
	s.handle("PATCH /api/v3/orders/{orderId}/cancel", route{cat: "marketplace", group: "fbs-cancel", write: true}, s.cancelOrder)
	fbs("POST /api/v3/orders/stickers", false, s.postStickers)
	fbs("POST /api/v3/supplies", true, s.postSupply)
	fbs("GET /api/v3/supplies", false, s.getSupplies)
	fbs("GET /api/v3/supplies/{supplyId}", false, s.getSupply)
	fbs("DELETE /api/v3/supplies/{supplyId}", true, s.deleteSupply)
	fbs("PATCH /api/marketplace/v3/supplies/{supplyId}/orders", true, s.patchSupplyOrders)
	fbs("GET /api/marketplace/v3/supplies/{supplyId}/order-ids", false, s.getSupplyOrderIDs)
	fbs("PATCH /api/v3/supplies/{supplyId}/deliver", true, s.deliverSupply)
	fbs("GET /api/v3/supplies/{supplyId}/barcode", false, s.getSupplyBarcode)
	fbs("GET /api/v3/supplies/orders/reshipment", false, s.getReshipments)
	fbs("GET /api/v3/supplies/{supplyId}/trbx", false, s.getTrbx)
	fbs("POST /api/v3/supplies/{supplyId}/trbx", true, s.postTrbx)
	fbs("DELETE /api/v3/supplies/{supplyId}/trbx", true, s.deleteTrbx)
	fbs("POST /api/v3/supplies/{supplyId}/trbx/stickers", false, s.postTrbxStickers)
	fbs("GET /api/marketplace/v3/fbs/shipping-points", false, s.getShippingPoints)
	fbs("PATCH /api/marketplace/v3/fbs/supplies/shipping-method", true, s.patchShippingMethod)
	fbs("GET /api/v3/offices", false, s.getOffices)
	fbs("GET /api/v3/warehouses", false, s.getWarehouses)
	fbs("POST /api/v3/warehouses", true, s.postWarehouse)
	fbs("PUT /api/v3/stocks/{warehouseId}", true, s.putStocks)
	fbs("POST /api/v3/stocks/{warehouseId}", false, s.postStocks)
	fbs("GET /api/v3/passes/offices", false, s.getPassOffices)
	fbs("GET /api/v3/passes", false, s.getPasses)
	s.handle("POST /api/v3/passes", route{cat: "marketplace", group: "fbs-pass-create", write: true}, s.postPass)
	fbs("PUT /api/v3/passes/{passId}", true, s.putPass)
	fbs("DELETE /api/v3/passes/{passId}", true, s.deletePass)

	s.handle("POST /content/v2/get/cards/list", route{cat: "content", group: "content"}, s.postCardsList)
}

// seller is everything the fake holds for one seller account.
type seller struct {
	info       Seller
	claims     []*Claim
	returns    []*ReturnRow
	orders     []*Order
	supplies   []*supply
	warehouses []*Warehouse
	stocks     map[int64]map[uint64]int // warehouse → chrtId → amount
	passes     []*Pass
	cards      []*Card
}

// AddSeller adds or replaces a seller's identity. Issuing a token for an
// unknown sid adds a seller with a made-up name.
func (s *Server) AddSeller(info Seller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sellerLocked(info.SID).info = info
}

func (s *Server) sellerLocked(sid string) *seller {
	sl, ok := s.sellers[sid]
	if !ok {
		sl = &seller{info: Seller{SID: sid, Name: "ИП Продавец " + sid[:min(8, len(sid))]},
			stocks: map[int64]map[uint64]int{}}
		s.sellers[sid] = sl
	}
	return sl
}

// lock locks the fake and returns the caller's seller; unlock when done.
func (s *Server) lock(r *http.Request) *seller {
	c := callerOf(r)
	s.mu.Lock()
	return s.sellerLocked(c.SID)
}

func (s *Server) getPing(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"TS": s.clock().In(moscow).Format(time.RFC3339), "Status": "OK"})
}

func (s *Server) getSellerInfo(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	info := sl.info
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, info)
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v)
}

// nextIDLocked numbers everything the fake creates.
func (s *Server) nextIDLocked() int64 {
	s.nextID++
	return s.nextID
}

func wbTime(t time.Time) string { return t.In(moscow).Format("2006-01-02T15:04:05") }
