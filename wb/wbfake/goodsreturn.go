package wbfake

import (
	"net/http"
	"slices"
	"time"
)

// pickupStorage is how long a return waits at the pickup point before WB
// takes it back ("Отмена по задержке").
const pickupStorage = 7 * 24 * time.Hour

// AddReturn adds a goods-return report row for seller sid and returns its
// shkId. Empty fields get defaults: a new shkId, ordered today, status
// ReturnIssued.
func (s *Server) AddReturn(sid string, row ReturnRow) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if row.ShkID == 0 {
		row.ShkID = 30000000 + s.nextIDLocked()
	}
	if row.OrderDt == "" {
		row.OrderDt = s.now().In(moscow).Format(time.DateOnly)
	}
	if row.Status == "" {
		row.Status = ReturnIssued
	}
	if row.TechSize == "" {
		row.TechSize = "0"
	}
	row.IsStatusActive = activeStatus(row.Status)
	sl := s.sellerLocked(sid)
	sl.returns = append(sl.returns, &row)
	return row.ShkID
}

func activeStatus(status string) int {
	if status == ReturnCollected || status == ReturnCancelled {
		return 0
	}
	return 1
}

// SetReturnStatus moves seller sid's return shkID to status, filling the
// dates WB fills: ready and expiry when it reaches the pickup point,
// completion when the seller collects it.
func (s *Server) SetReturnStatus(sid string, shkID int64, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.sellerLocked(sid)
	i := slices.IndexFunc(sl.returns, func(r *ReturnRow) bool { return r.ShkID == shkID })
	if i < 0 {
		return false
	}
	row, now := sl.returns[i], s.now()
	row.Status, row.IsStatusActive = status, activeStatus(status)
	switch status {
	case ReturnReady:
		ready, expires := wbTime(now), wbTime(now.Add(pickupStorage))
		row.ReadyToReturnDt, row.ExpiredDt = &ready, &expires
	case ReturnCollected:
		done := wbTime(now)
		row.CompletedDt = &done
	}
	return true
}

// MoveToPickupPoint puts seller sid's return shkID out for collection at a
// pickup point.
func (s *Server) MoveToPickupPoint(sid string, shkID, officeID int64, address string) bool {
	s.mu.Lock()
	sl := s.sellerLocked(sid)
	for _, r := range sl.returns {
		if r.ShkID == shkID {
			r.DstOfficeID, r.DstOfficeAddress = officeID, address
		}
	}
	s.mu.Unlock()
	return s.SetReturnStatus(sid, shkID, ReturnReady)
}

// Return returns seller sid's report row shkID as the fake holds it now.
func (s *Server) Return(sid string, shkID int64) (ReturnRow, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.sellerLocked(sid).returns {
		if r.ShkID == shkID {
			return *r, true
		}
	}
	return ReturnRow{}, false
}

func (s *Server) getGoodsReturn(w http.ResponseWriter, r *http.Request) {
	bad := func(detail string) { writeProblem(w, http.StatusBadRequest, "Bad Request", detail, "api-statistics") }
	q := r.URL.Query()
	var dates [2]time.Time
	for i, name := range []string{"dateFrom", "dateTo"} {
		v := q.Get(name)
		if v == "" {
			bad(`parameter "` + name + `" in query has an error: value is required but missing`)
			return
		}
		t, err := time.ParseInLocation(time.DateOnly, v, moscow)
		if err != nil {
			bad("can't parse " + name)
			return
		}
		dates[i] = t
	}
	from, to := dates[0], dates[1]
	switch {
	case to.Before(from):
		bad("dateTo should be greater dateFrom")
		return
	case to.Sub(from) > 31*24*time.Hour:
		bad("difference between dateFrom and dateTo should be less or equal 31 days")
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	now := s.now()
	report := []ReturnRow{}
	for _, row := range sl.returns {
		expireLocked(row, now)
		od, err := time.ParseInLocation(time.DateOnly, row.OrderDt, moscow)
		if err == nil && (od.Before(from) || od.After(to)) {
			continue
		}
		report = append(report, *row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": report})
}

// expireLocked sends back a return nobody collected in time.
func expireLocked(row *ReturnRow, now time.Time) {
	if row.Status != ReturnReady || row.ExpiredDt == nil {
		return
	}
	exp, err := time.ParseInLocation("2006-01-02T15:04:05", *row.ExpiredDt, moscow)
	if err == nil && now.After(exp) {
		row.Status, row.IsStatusActive = ReturnCancelled, 0
	}
}
