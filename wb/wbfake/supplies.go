package wbfake

import (
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// supply is a supply with the orders and cargo places attached to it.
type supply struct {
	Supply
	seq         int64
	orders      []int64
	warehouseID int64 // of its first order: one supply, one warehouse
	trbx        []string
}

func findSupply(sl *seller, id string) *supply {
	for _, sp := range sl.supplies {
		if sp.ID == id {
			return sp
		}
	}
	return nil
}

func (s *Server) postSupply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &in); err != nil || in.Name == "" || utf8.RuneCountInString(in.Name) > 128 {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectRequestBody", "Некорректное тело запроса")
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	seq := s.nextIDLocked()
	sp := &supply{Supply: Supply{ID: fmt.Sprintf("WB-GI-%d", 1000000+seq), Name: in.Name,
		CreatedAt: s.now().UTC()}, seq: seq}
	sl.supplies = append(sl.supplies, sp)
	writeJSON(w, http.StatusCreated, map[string]string{"id": sp.ID})
}

func (s *Server) getSupplies(w http.ResponseWriter, r *http.Request) {
	limit, next, ok := pageParams(w, r)
	if !ok {
		return
	}
	if s.isFrozen(r.URL.Path) {
		next = 0
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	page := []Supply{}
	for _, sp := range sl.supplies {
		if sp.seq > next && len(page) < limit {
			page = append(page, sp.Supply)
			next = sp.seq
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"next": next, "supplies": page})
}

// withSupply runs f on the path's supply, or answers 404.
func (s *Server) withSupply(w http.ResponseWriter, r *http.Request, f func(sl *seller, sp *supply)) {
	sl := s.lock(r)
	defer s.mu.Unlock()
	sp := findSupply(sl, r.PathValue("supplyId"))
	if sp == nil {
		writeMarketplace(w, http.StatusNotFound, "NotFound", "Поставка не найдена")
		return
	}
	f(sl, sp)
}

func (s *Server) getSupply(w http.ResponseWriter, r *http.Request) {
	s.withSupply(w, r, func(_ *seller, sp *supply) { writeJSON(w, http.StatusOK, sp.Supply) })
}

func (s *Server) deleteSupply(w http.ResponseWriter, r *http.Request) {
	s.withSupply(w, r, func(sl *seller, sp *supply) {
		if sp.Done || len(sp.orders) > 0 {
			writeMarketplace(w, http.StatusConflict, "SupplyHasOrders", "Поставка содержит сборочные задания")
			return
		}
		sl.supplies = slices.DeleteFunc(sl.supplies, func(x *supply) bool { return x == sp })
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) patchSupplyOrders(w http.ResponseWriter, r *http.Request) {
	ids, ok := orderIDs(w, r, 100)
	if !ok {
		return
	}
	s.withSupply(w, r, func(sl *seller, sp *supply) {
		if sp.Done {
			writeMarketplace(w, http.StatusConflict, "FailedToAddSupplyOrder", "Поставка закрыта")
			return
		}
		if msg := canAdd(sl, sp, ids); msg != "" {
			writeMarketplace(w, http.StatusConflict, "FailedToAddSupplyOrder", msg)
			return
		}
		for _, id := range ids {
			o := findOrder(sl, id)
			if prev := findSupply(sl, o.SupplyID); prev != nil {
				prev.orders = slices.DeleteFunc(prev.orders, func(x int64) bool { return x == id })
			}
			if !slices.Contains(sp.orders, id) {
				sp.orders = append(sp.orders, id)
			}
			o.SupplyID, o.SupplierStatus, o.reship = sp.ID, "confirm", false
			b2b := isB2B(o)
			sp.CargoType, sp.IsB2B, sp.CrossBorderType, sp.warehouseID = o.CargoType, &b2b, &o.CrossBorderType, o.WarehouseID
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// canAdd says why orders may not join a supply, "" when they may: one
// supply holds one warehouse, one cargo type, domestic or cross-border
// orders, and B2B or other orders, never both (wb-resale.md §2.2).
func canAdd(sl *seller, sp *supply, ids []int64) string {
	cargo, b2b, cross, wh := sp.CargoType, sp.IsB2B, sp.CrossBorderType, sp.warehouseID
	for _, id := range ids {
		o := findOrder(sl, id)
		switch {
		case o == nil || (o.SupplierStatus != "new" && o.SupplierStatus != "confirm" && !o.reship) || wbCancelled(o):
			return fmt.Sprintf("Сборочное задание %d нельзя добавить в поставку", id)
		case cargo != 0 && o.CargoType != cargo:
			return "Габаритный тип сборочного задания не совпадает с поставкой"
		case b2b != nil && *b2b != isB2B(o):
			return "Нельзя объединять в одной поставке B2B и обычные заказы"
		case cross != nil && *cross != o.CrossBorderType:
			return "Нельзя объединять в одной поставке кроссбордер и обычные заказы"
		case wh != 0 && o.WarehouseID != wh:
			return "Сборочные задания разных складов нельзя объединять в одной поставке"
		}
		ob2b := isB2B(o)
		cargo, b2b, cross, wh = o.CargoType, &ob2b, &o.CrossBorderType, o.WarehouseID
	}
	return ""
}

func isB2B(o *Order) bool {
	for _, k := range []string{"isB2B", "isB2b"} {
		if v, ok := o.Options[k].(bool); ok {
			return v
		}
	}
	return false
}

func (s *Server) getSupplyOrderIDs(w http.ResponseWriter, r *http.Request) {
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		writeJSON(w, http.StatusOK, map[string]any{"orderIds": append([]int64{}, sp.orders...)})
	})
}

func (s *Server) deliverSupply(w http.ResponseWriter, r *http.Request) {
	s.withSupply(w, r, func(sl *seller, sp *supply) {
		switch {
		case sp.Done:
			writeMarketplace(w, http.StatusConflict, "StatusMismatch", "Поставка уже передана в доставку")
		case len(sp.orders) == 0:
			writeMarketplace(w, http.StatusConflict, "SupplyHasZeroOrders", "Поставка не содержит сборочных заданий")
		case sp.ShippingDt == "" && !s.shippingOptional:
			writeMarketplace(w, http.StatusConflict, "SupplyShippingRequired", "Specify shipping point, type and date to close the supply")
		case s.pointType(sp.ShippingPointID) == "pp" && len(sp.trbx) == 0:
			// The guide makes cargo places mandatory for pickup-point
			// drop-off; the code of this refusal is not documented.
			writeMarketplace(w, http.StatusConflict, "TrbxRequired", "Добавьте грузоместа в поставку")
		default:
			s.closeSupplyLocked(sl, sp)
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

func (s *Server) closeSupplyLocked(sl *seller, sp *supply) {
	now := s.now().UTC()
	sp.Done, sp.ClosedAt = true, &now
	for _, id := range sp.orders {
		findOrder(sl, id).SupplierStatus = "complete"
	}
}

func (s *Server) getSupplyBarcode(w http.ResponseWriter, r *http.Request) {
	if !stickerTypes[r.URL.Query().Get("type")] {
		writeMarketplace(w, http.StatusBadRequest, "IncorrectParameter", "Передан некорректный параметр")
		return
	}
	s.withSupply(w, r, func(_ *seller, sp *supply) {
		if !sp.Done {
			writeMarketplace(w, http.StatusConflict, "SupplyNotClosed", "Поставка не передана в доставку")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"barcode": sp.ID, "file": fakeImage(sp.ID)})
	})
}

// Supply returns seller sid's supply id as the fake holds it, with the
// orders attached to it.
func (s *Server) Supply(sid, id string) (Supply, []int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := findSupply(s.sellerLocked(sid), id); sp != nil {
		return sp.Supply, slices.Clone(sp.orders), true
	}
	return Supply{}, nil, false
}

// Supplies returns every supply of seller sid, oldest first.
func (s *Server) Supplies(sid string) []Supply {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Supply
	for _, sp := range s.sellerLocked(sid).supplies {
		out = append(out, sp.Supply)
	}
	return out
}

// ScanSupply is WB's acceptance scan of a supply: it is closed if the
// seller did not deliver it, and its shipping parameters are fixed.
func (s *Server) ScanSupply(sid, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.sellerLocked(sid)
	sp := findSupply(sl, id)
	if sp == nil || len(sp.orders) == 0 {
		return false
	}
	now := s.now().UTC()
	sp.ScanDt = &now
	if !sp.Done {
		s.closeSupplyLocked(sl, sp)
	}
	return true
}
