package wbfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Shipping parameters and cargo places of supplies (wb-resale.md §2.1).

func defaultShippingPoints() []ShippingPoint {
	return []ShippingPoint{
		{ID: 15, Name: "Коледино", Address: "г. Подольск, д. Коледино, ул. Троицкая", City: "Подольск",
			OfficeType: "sw", CargoTypes: []int{1, 3}, Latitude: 55.3, Longitude: 37.5},
		{ID: 9001, Name: "СЦ Подольск", Address: "г. Подольск, ул. Комсомольская, 1", City: "Подольск",
			OfficeType: "sc", CargoTypes: []int{1, 2, 3}, Latitude: 55.4, Longitude: 37.5, Fulfillment: true},
		{ID: 9002, Name: "ПВЗ Подольск, Ленина 7", Address: "г. Подольск, ул. Ленина, 7", City: "Подольск",
			OfficeType: "pp", CargoTypes: []int{1}, Latitude: 55.43, Longitude: 37.54},
		{ID: 9003, Name: "СЦ Электросталь", Address: "г. Электросталь, ул. Индустриальная, 3", City: "Электросталь",
			OfficeType: "sc", CargoTypes: []int{1, 3}, Latitude: 55.8, Longitude: 38.4},
	}
}

// SetShippingRequired makes deliver refuse a supply without shipping
// parameters (the default, WB's rule since 01.10.2026) or not.
func (s *Server) SetShippingRequired(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shippingOptional = !on
}

// pointType is a shipping point's officeType, "" for an unknown id; the
// caller holds the lock.
func (s *Server) pointType(id int64) string {
	i := slices.IndexFunc(s.points, func(p ShippingPoint) bool { return p.ID == id })
	if i < 0 {
		return ""
	}
	return s.points[i].OfficeType
}

func (s *Server) getShippingPoints(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cargo, err := strconv.Atoi(q.Get("cargoType"))
	if q.Get("city") == "" || err != nil || cargo < 1 || cargo > 3 {
		writeProblem(w, http.StatusBadRequest, "IncorrectParameter", "city and cargoType are required", "marketplace-public-api")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ShippingPoint{}
	for _, p := range s.points {
		if p.City == q.Get("city") && slices.Contains(p.CargoTypes, cargo) {
			out = append(out, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"shippingPoints": out})
}

type shippingItem struct {
	SupplyID        string `json:"supplyId"`
	ShippingDt      string `json:"shippingDt"`
	ShippingPointID int64  `json:"shippingPointId"`
	ShippingType    string `json:"shippingType"`
}

func (s *Server) patchShippingMethod(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Data []shippingItem `json:"data"`
	}
	if err := decodeBody(r, &in); err != nil || len(in.Data) == 0 || len(in.Data) > 100 {
		writeProblem(w, http.StatusBadRequest, "IncorrectRequestBody", "Incorrect required body", "marketplace-public-api")
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	results := []map[string]any{}
	for _, it := range in.Data {
		res := map[string]any{"supplyId": it.SupplyID, "success": true}
		if code, detail := s.setShippingLocked(sl, it); code != 0 {
			res["success"], res["error"] = false, map[string]any{"code": code, "detail": detail}
		}
		results = append(results, res)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// setShippingLocked applies one item and says why not, as WB's per-supply
// error: its code and detail.
func (s *Server) setShippingLocked(sl *seller, it shippingItem) (int, string) {
	sp := findSupply(sl, it.SupplyID)
	_, dateErr := time.Parse(time.DateOnly, it.ShippingDt)
	switch {
	case sp == nil:
		return http.StatusNotFound, "NotFound"
	case dateErr != nil || s.pointType(it.ShippingPointID) == "" ||
		(it.ShippingType != "selfShipping" && it.ShippingType != "transportCompany"):
		return http.StatusBadRequest, "IncorrectRequestBody"
	case sp.ScanDt != nil:
		return http.StatusConflict, "SupplyAlreadyScanned"
	}
	if it.ShippingType == "selfShipping" {
		sp.WaybillUUID = nil
	}
	sp.ShippingDt, sp.ShippingPointID, sp.ShippingType = it.ShippingDt, it.ShippingPointID, it.ShippingType
	sp.IsPickupPointShipmentAllowed = s.pointType(it.ShippingPointID) == "pp"
	return 0, ""
}

func (s *Server) getTrbx(w http.ResponseWriter, r *http.Request) {
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		out := []map[string]string{}
		for _, id := range sp.trbx {
			out = append(out, map[string]string{"id": id})
		}
		writeJSON(w, http.StatusOK, map[string]any{"trbxes": out})
	})
}

// postTrbx adds cargo places: at most half as many as the supply has
// orders, rounded up so that one order may have one (RN 04.09.2026 gives
// 10→5 and 20→10; the rounding and the refusal's code are not documented).
func (s *Server) postTrbx(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount int `json:"amount"`
	}
	err := decodeBody(r, &in)
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		switch {
		case err != nil || in.Amount < 1 || in.Amount > 1000:
			writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		case sp.Done:
			writeMarketplace(w, http.StatusConflict, "SupplyNotOpen", "Поставка закрыта")
		case len(sp.trbx)+in.Amount > (len(sp.orders)+1)/2:
			writeMarketplace(w, http.StatusConflict, "TrbxLimitExceeded", "Грузомест не может быть больше половины заказов поставки")
		default:
			var ids []string
			for range in.Amount {
				id := fmt.Sprintf("WB-TRBX-%d", 1000000+s.nextIDLocked())
				sp.trbx, ids = append(sp.trbx, id), append(ids, id)
			}
			writeJSON(w, http.StatusCreated, map[string]any{"trbxIds": ids})
		}
	})
}

func (s *Server) deleteTrbx(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TrbxIDs []string `json:"trbxIds"`
	}
	err := decodeBody(r, &in)
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		switch {
		case err != nil || len(in.TrbxIDs) == 0:
			writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		case sp.Done:
			writeMarketplace(w, http.StatusConflict, "SupplyNotOpen", "Поставка закрыта")
		default:
			sp.trbx = slices.DeleteFunc(sp.trbx, func(id string) bool { return slices.Contains(in.TrbxIDs, id) })
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

func (s *Server) postTrbxStickers(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TrbxIDs []string `json:"trbxIds"`
	}
	err := decodeBody(r, &in)
	if err != nil || len(in.TrbxIDs) == 0 || !stickerTypes[r.URL.Query().Get("type")] {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectParameter", "Передан некорректный параметр")
		return
	}
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		out := []map[string]string{}
		for _, id := range in.TrbxIDs {
			if slices.Contains(sp.trbx, id) {
				code := "$WBMP:1:" + strconv.FormatInt(sp.seq, 10) + ":" + id[len("WB-TRBX-"):]
				out = append(out, map[string]string{"barcode": code, "file": fakeImage(code)})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"stickers": out})
	})
}
