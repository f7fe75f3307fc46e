package wbfake

import (
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// supply is a supply with the orders attached to it.
type supply struct {
	Supply
	seq    int64
	orders []int64
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
		fail := func(msg string) { writeMarketplace(w, http.StatusConflict, "FailedToAddSupplyOrder", msg) }
		if sp.Done {
			fail("Поставка закрыта")
			return
		}
		cargo := sp.CargoType
		for _, id := range ids {
			o := findOrder(sl, id)
			switch {
			case o == nil || (o.SupplierStatus != "new" && o.SupplierStatus != "confirm"):
				fail(fmt.Sprintf("Сборочное задание %d нельзя добавить в поставку", id))
				return
			case cargo != 0 && o.CargoType != cargo:
				fail("Габаритный тип сборочного задания не совпадает с поставкой")
				return
			}
			cargo = o.CargoType
		}
		sp.CargoType = cargo
		for _, id := range ids {
			o := findOrder(sl, id)
			if prev := findSupply(sl, o.SupplyID); prev != nil {
				prev.orders = slices.DeleteFunc(prev.orders, func(x int64) bool { return x == id })
			}
			o.SupplyID, o.SupplierStatus = sp.ID, "confirm"
			sp.orders = append(sp.orders, id)
		}
		w.WriteHeader(http.StatusNoContent)
	})
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
		default:
			now := s.now().UTC()
			sp.Done, sp.ClosedAt = true, &now
			for _, id := range sp.orders {
				findOrder(sl, id).SupplierStatus = "complete"
			}
			w.WriteHeader(http.StatusNoContent)
		}
	})
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
