package wbfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

func defaultOffices() []Office {
	return []Office{
		{ID: 15, Name: "Коледино", Address: "г. Подольск, д. Коледино, ул. Троицкая", City: "Подольск",
			Longitude: 37.5, Latitude: 55.3, CargoType: 1, DeliveryType: 1},
		{ID: 507, Name: "Электросталь", Address: "г. Электросталь, ул. Индустриальная, 1", City: "Электросталь",
			Longitude: 38.4, Latitude: 55.8, CargoType: 1, DeliveryType: 1},
	}
}

func defaultPassOffices() []PassOffice {
	return []PassOffice{{ID: 15, Name: "Коледино", Address: "г. Подольск, д. Коледино, ул. Троицкая"}}
}

func (s *Server) getOffices(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := slices.Clone(s.offices)
	for i := range out {
		out[i].Selected = slices.ContainsFunc(sl.warehouses, func(wh *Warehouse) bool { return wh.OfficeID == out[i].ID })
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getWarehouses(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []Warehouse{}
	for _, wh := range sl.warehouses {
		out = append(out, *wh)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) postWarehouse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		OfficeID int64  `json:"officeId"`
	}
	err := decodeBody(r, &in)
	sl := s.lock(r)
	defer s.mu.Unlock()
	if err != nil || in.Name == "" || utf8.RuneCountInString(in.Name) > 200 ||
		!slices.ContainsFunc(s.offices, func(o Office) bool { return o.ID == in.OfficeID }) {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return
	}
	if slices.ContainsFunc(sl.warehouses, func(wh *Warehouse) bool { return wh.OfficeID == in.OfficeID }) {
		writeMarketplace(w, http.StatusConflict, "AlreadyExists", "Склад WB уже привязан к другому складу продавца")
		return
	}
	wh := &Warehouse{ID: 100000 + s.nextIDLocked(), Name: in.Name, OfficeID: in.OfficeID, CargoType: 1, DeliveryType: 1}
	sl.warehouses = append(sl.warehouses, wh)
	writeJSON(w, http.StatusCreated, map[string]int64{"id": wh.ID})
}

// Stock returns the amount of chrtID at seller sid's warehouse.
func (s *Server) Stock(sid string, warehouseID int64, chrtID uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sellerLocked(sid).stocks[warehouseID][chrtID]
}

// warehouseStocks returns the path's warehouse stocks, or answers 404.
func warehouseStocks(w http.ResponseWriter, r *http.Request, sl *seller) (map[uint64]int, bool) {
	id, _ := strconv.ParseInt(r.PathValue("warehouseId"), 10, 64)
	if !slices.ContainsFunc(sl.warehouses, func(wh *Warehouse) bool { return wh.ID == id }) {
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Склад не найден")
		return nil, false
	}
	if sl.stocks[id] == nil {
		sl.stocks[id] = map[uint64]int{}
	}
	return sl.stocks[id], true
}

func (s *Server) putStocks(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Stocks []map[string]json.RawMessage `json:"stocks"`
	}
	err := decodeBody(r, &in)
	sl := s.lock(r)
	defer s.mu.Unlock()
	stocks, ok := warehouseStocks(w, r, sl)
	if !ok {
		return
	}
	if err != nil || len(in.Stocks) == 0 || len(in.Stocks) > 1000 {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return
	}
	for _, item := range in.Stocks {
		if _, ok := item["sku"]; ok {
			writeMarketplace(w, http.StatusBadRequest, "SKUUploadDisabled",
				"Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key")
			return
		}
	}
	// WB does not validate key names: an item without chrtId changes nothing.
	for _, item := range in.Stocks {
		var chrt uint64
		var amount int
		if json.Unmarshal(item["chrtId"], &chrt) == nil && json.Unmarshal(item["amount"], &amount) == nil &&
			amount >= 0 && amount <= 100000 {
			stocks[chrt] = amount
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) postStocks(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ChrtIDs []uint64 `json:"chrtIds"`
	}
	err := decodeBody(r, &in)
	sl := s.lock(r)
	defer s.mu.Unlock()
	stocks, ok := warehouseStocks(w, r, sl)
	if !ok {
		return
	}
	if err != nil || len(in.ChrtIDs) > 1000 {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return
	}
	out := []Stock{}
	for _, id := range in.ChrtIDs {
		out = append(out, Stock{ChrtID: id, Amount: stocks[id]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"stocks": out})
}

func (s *Server) getPassOffices(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.passOffices)
}

func (s *Server) getPasses(w http.ResponseWriter, r *http.Request) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	out := []Pass{}
	for _, p := range sl.passes {
		out = append(out, *p)
	}
	writeJSON(w, http.StatusOK, out)
}

// readPass reads and validates a pass body (wb-api.md §7.8).
func (s *Server) readPass(w http.ResponseWriter, r *http.Request) (Pass, bool) {
	var p Pass
	err := decodeBody(r, &p)
	full := utf8.RuneCountInString(p.FirstName + p.LastName)
	alnum := !slices.ContainsFunc([]rune(p.CarNumber), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
	if err != nil || p.FirstName == "" || p.LastName == "" || full < 6 || full > 100 ||
		p.CarModel == "" || utf8.RuneCountInString(p.CarModel) > 100 || !alnum ||
		utf8.RuneCountInString(p.CarNumber) < 6 || utf8.RuneCountInString(p.CarNumber) > 9 || p.OfficeID < 1 {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return p, false
	}
	return p, true
}

func (s *Server) postPass(w http.ResponseWriter, r *http.Request) {
	p, ok := s.readPass(w, r)
	if !ok {
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.passOffices, func(o PassOffice) bool { return o.ID == p.OfficeID })
	if i < 0 {
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Склад не найден")
		return
	}
	p.ID = s.nextIDLocked()
	p.OfficeName, p.OfficeAddress = s.passOffices[i].Name, s.passOffices[i].Address
	p.DateEnd = s.now().UTC().Add(48 * time.Hour).Format("2006-01-02 15:04:05+00:00")
	sl.passes = append(sl.passes, &p)
	writeJSON(w, http.StatusCreated, map[string]int64{"id": p.ID})
}

func (s *Server) putPass(w http.ResponseWriter, r *http.Request) {
	p, ok := s.readPass(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("passId"), 10, 64)
	sl := s.lock(r)
	defer s.mu.Unlock()
	i := slices.IndexFunc(sl.passes, func(x *Pass) bool { return x.ID == id })
	if i < 0 {
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Пропуск не найден")
		return
	}
	old := sl.passes[i]
	p.ID, p.DateEnd, p.OfficeName, p.OfficeAddress = old.ID, old.DateEnd, old.OfficeName, old.OfficeAddress
	*old = p
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deletePass(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("passId"), 10, 64)
	sl := s.lock(r)
	defer s.mu.Unlock()
	n := len(sl.passes)
	sl.passes = slices.DeleteFunc(sl.passes, func(x *Pass) bool { return x.ID == id })
	if len(sl.passes) == n {
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Пропуск не найден")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
