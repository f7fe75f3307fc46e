package wbfake

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// AddOrder adds an FBS assembly task for seller sid and returns its id.
// Empty fields get defaults: a new id and rid, created now, status
// new/waiting, delivery type fbs.
func (s *Server) AddOrder(sid string, o Order) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ID == 0 {
		o.ID = 5000000 + s.nextIDLocked()
	}
	if o.RID == "" {
		o.RID = fmt.Sprintf("%032x", o.ID)
	}
	if o.OrderUID == "" {
		o.OrderUID = fmt.Sprintf("%d_%x", o.ID, o.ID*7919)
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now().UTC().Truncate(time.Second)
	}
	if o.SupplierStatus == "" {
		o.SupplierStatus = "new"
	}
	if o.WBStatus == "" {
		o.WBStatus = "waiting"
	}
	if o.DeliveryType == "" {
		o.DeliveryType = "fbs"
	}
	if o.CargoType == 0 {
		o.CargoType = 1
	}
	if o.Options == nil {
		o.Options = map[string]any{"isB2B": false}
	}
	for _, list := range []*[]string{&o.Skus, &o.Offices} {
		if *list == nil {
			*list = []string{}
		}
	}
	sl := s.sellerLocked(sid)
	sl.orders = append(sl.orders, &o)
	return o.ID
}

// SetOrderStatus sets WB's side of an order's status, e.g. sold or
// ready_for_pickup, as WB's logistics would.
func (s *Server) SetOrderStatus(sid string, id int64, wbStatus string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := findOrder(s.sellerLocked(sid), id); o != nil {
		o.WBStatus = wbStatus
		return true
	}
	return false
}

// Order returns seller sid's order id with its statuses as the fake holds it.
func (s *Server) Order(sid string, id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := findOrder(s.sellerLocked(sid), id); o != nil {
		return *o, true
	}
	return Order{}, false
}

func findOrder(sl *seller, id int64) *Order {
	for _, o := range sl.orders {
		if o.ID == id {
			return o
		}
	}
	return nil
}

func (s *Server) getNewOrders(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []Order{}
	for _, o := range sl.orders {
		// A task the buyer or WB cancelled is no longer the seller's to
		// assemble, though its supplierStatus stays new.
		if o.SupplierStatus == "new" && !wbCancelled(o) {
			out = append(out, *o)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

// pageParams reads the required limit and next of FBS listings.
func pageParams(w http.ResponseWriter, r *http.Request) (limit int, next int64, ok bool) {
	q := r.URL.Query()
	limit, err1 := strconv.Atoi(q.Get("limit"))
	next, err2 := strconv.ParseInt(q.Get("next"), 10, 64)
	if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || next < 0 {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectParameter", "Передан некорректный параметр")
		return 0, 0, false
	}
	return limit, next, true
}

func (s *Server) getOrders(w http.ResponseWriter, r *http.Request) {
	limit, next, ok := pageParams(w, r)
	if !ok {
		return
	}
	if s.isFrozen(r.URL.Path) {
		next = 0
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	q := r.URL.Query()
	from, to := s.now().Add(-30*24*time.Hour), s.now()
	if v, err := strconv.ParseInt(q.Get("dateFrom"), 10, 64); err == nil {
		from = time.Unix(v, 0)
	}
	if v, err := strconv.ParseInt(q.Get("dateTo"), 10, 64); err == nil {
		to = time.Unix(v, 0)
	}
	if to.Sub(from) > 30*24*time.Hour+time.Hour {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectParameter", "Период не должен превышать 30 дней")
		return
	}
	sorted := slices.Clone(sl.orders)
	slices.SortFunc(sorted, func(a, b *Order) int { return cmp.Compare(a.ID, b.ID) })
	page := []Order{}
	for _, o := range sorted {
		if o.ID > next && !o.CreatedAt.Before(from) && !o.CreatedAt.After(to) && len(page) < limit {
			page = append(page, *o)
		}
	}
	if len(page) > 0 {
		next = page[len(page)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"next": next, "orders": page})
}

// orderIDs reads {"orders":[…]} with min..max ids.
func orderIDs(w http.ResponseWriter, r *http.Request, maxN int) ([]int64, bool) {
	var in struct {
		Orders []int64 `json:"orders"`
	}
	if err := decodeBody(r, &in); err != nil || len(in.Orders) == 0 || len(in.Orders) > maxN {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return nil, false
	}
	return in.Orders, true
}

func (s *Server) postOrderStatus(w http.ResponseWriter, r *http.Request) {
	ids, ok := orderIDs(w, r, 1000)
	if !ok {
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range ids {
		if o := findOrder(sl, id); o != nil {
			out = append(out, map[string]any{"id": o.ID, "supplierStatus": o.SupplierStatus,
				"wbStatus": o.WBStatus, "isCancellable": cancellable(o)})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("orderId"), 10, 64)
	sl := s.lock(r)
	defer s.mu.Unlock()
	o := findOrder(sl, id)
	switch {
	case o == nil:
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Не найдено")
	case o.SupplierStatus == "complete":
		writeMarketplace(w, http.StatusConflict, "StatusChangeNotAllowed",
			"Задание перейдёт в завершенные после сканирования на пункте выдачи заказов (ПВЗ)")
	case !cancellable(o):
		writeMarketplace(w, http.StatusConflict, "StatusMismatch", "Несоответствие статусов, проверьте их правильность")
	default:
		detachLocked(sl, o)
		o.SupplierStatus = "cancel"
		w.WriteHeader(http.StatusNoContent)
	}
}

var stickerTypes = map[string]bool{"svg": true, "zplv": true, "zplh": true, "png": true}

func (s *Server) postStickers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := q.Get("width") + "x" + q.Get("height")
	if !stickerTypes[q.Get("type")] || (size != "58x40" && size != "40x30") {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectParameter", "Передан некорректный параметр")
		return
	}
	ids, ok := orderIDs(w, r, 100)
	if !ok {
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range ids {
		o := findOrder(sl, id)
		if o == nil || (o.SupplierStatus != "confirm" && o.SupplierStatus != "complete") {
			writeMarketplace(w, http.StatusConflict, "StatusMismatch", "Стикеры доступны только на сборке или в доставке")
			return
		}
		partA, partB := strconv.FormatInt(o.ID/10000, 10), fmt.Sprintf("%04d", o.ID%10000)
		out = append(out, map[string]any{"orderId": o.ID, "partA": partA, "partB": partB,
			"barcode": "!" + strconv.FormatInt(o.ID, 36), "file": fakeImage(partA + " " + partB)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"stickers": out})
}

// fakeImage is a small SVG with text, base64 as WB sends files.
func fakeImage(text string) string {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="580" height="400"><text x="20" y="200">` + text + `</text></svg>`
	return base64.StdEncoding.EncodeToString([]byte(svg))
}
