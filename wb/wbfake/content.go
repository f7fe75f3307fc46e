package wbfake

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// AddCard adds a product card for seller sid. Empty dates become now.
func (s *Server) AddCard(sid string, c Card) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Format(time.RFC3339Nano)
	if c.UpdatedAt == "" {
		c.UpdatedAt = now
	}
	if c.CreatedAt == "" {
		c.CreatedAt = c.UpdatedAt
	}
	if c.NmUUID == "" {
		c.NmUUID = newUUID()
	}
	if c.Photos == nil {
		c.Photos = []CardPhoto{}
	}
	if c.Sizes == nil {
		c.Sizes = []CardSize{}
	}
	sl := s.sellerLocked(sid)
	sl.cards = append(sl.cards, &c)
}

// cardsRequest is the body of POST /content/v2/get/cards/list.
type cardsRequest struct {
	Settings struct {
		Sort struct {
			Ascending bool `json:"ascending"`
		} `json:"sort"`
		Filter struct {
			WithPhoto  int    `json:"withPhoto"`
			TextSearch string `json:"textSearch"`
		} `json:"filter"`
		Cursor struct {
			Limit     int    `json:"limit"`
			UpdatedAt string `json:"updatedAt"`
			NmID      int64  `json:"nmID"`
		} `json:"cursor"`
	} `json:"settings"`
}

func (s *Server) postCardsList(w http.ResponseWriter, r *http.Request) {
	var in cardsRequest
	if err := decodeBody(r, &in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("Request body can not be decoded"))
		return
	}
	st := in.Settings
	if st.Cursor.Limit == 0 {
		st.Cursor.Limit = 10
	}
	if st.Cursor.Limit < 0 || st.Cursor.Limit > 100 {
		writeContent(w, http.StatusBadRequest, "Limit must be 1..100")
		return
	}
	if s.isFrozen(r.URL.Path) {
		st.Cursor.UpdatedAt, st.Cursor.NmID = "", 0
	}
	sl := s.lock(r)
	var cards []Card
	for _, c := range sl.cards {
		if matchesCard(c, st.Filter.TextSearch, st.Filter.WithPhoto) {
			cards = append(cards, *c)
		}
	}
	s.mu.Unlock()
	order := func(a, b Card) int {
		c := cmp.Or(cmp.Compare(cardTime(a.UpdatedAt), cardTime(b.UpdatedAt)), cmp.Compare(a.NmID, b.NmID))
		if !st.Sort.Ascending {
			c = -c
		}
		return c
	}
	slices.SortFunc(cards, order)
	if st.Cursor.UpdatedAt != "" {
		after := Card{UpdatedAt: st.Cursor.UpdatedAt, NmID: st.Cursor.NmID}
		cards = slices.DeleteFunc(cards, func(c Card) bool { return order(c, after) <= 0 })
	}
	page := cards[:min(len(cards), st.Cursor.Limit)]
	cursor := map[string]any{"total": len(page)}
	if len(page) > 0 {
		last := page[len(page)-1]
		cursor["updatedAt"], cursor["nmID"] = last.UpdatedAt, last.NmID
	}
	if page == nil {
		page = []Card{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cards": page, "cursor": cursor})
}

// matchesCard applies textSearch (vendor code, nmID or barcode) and
// withPhoto (1 with photo, 2 without, anything else any).
func matchesCard(c *Card, text string, withPhoto int) bool {
	if (withPhoto == 1 && len(c.Photos) == 0) || (withPhoto == 2 && len(c.Photos) > 0) {
		return false
	}
	if text == "" || c.VendorCode == text || strconv.FormatInt(c.NmID, 10) == text {
		return true
	}
	for _, sz := range c.Sizes {
		if slices.Contains(sz.Skus, text) {
			return true
		}
	}
	return false
}

func cardTime(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return t.UnixNano()
}
