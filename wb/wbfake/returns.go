package wbfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// claimWindow is how far back GET /api/v1/claims reaches.
const claimWindow = 14 * 24 * time.Hour

// DefaultClaimActions are the answers an open claim offers unless AddClaim
// is told otherwise.
var DefaultClaimActions = []string{"approve1", "approve2", "autorefund1", "reject1", "reject2", "reject3", "rejectcustom"}

// AddClaim adds a buyer claim for seller sid and returns its id. Empty
// fields get WB-like defaults: a new id, filed now, open with
// DefaultClaimActions (none when archived).
func (s *Server) AddClaim(sid string, c Claim) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if c.ID == "" {
		c.ID = newUUID()
	}
	if c.Dt == "" {
		c.Dt = now.In(moscow).Format("2006-01-02T15:04:05.000000")
	}
	if c.DtUpdate == "" {
		c.DtUpdate = c.Dt
	}
	if c.OrderDt == "" {
		c.OrderDt = wbTime(now.Add(-72 * time.Hour))
	}
	if c.CurrencyCode == "" {
		c.CurrencyCode = "643"
	}
	if c.ClaimType == 0 {
		c.ClaimType = 1
	}
	if c.Actions == nil && !c.Archive {
		c.Actions = slices.Clone(DefaultClaimActions)
	}
	for _, list := range []*[]string{&c.Photos, &c.VideoPaths, &c.Actions} {
		if *list == nil {
			*list = []string{}
		}
	}
	sl := s.sellerLocked(sid)
	sl.claims = append(sl.claims, &c)
	return c.ID
}

// Claim returns seller sid's claim id as the fake holds it now.
func (s *Server) Claim(sid, id string) (Claim, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.sellerLocked(sid).claims {
		if c.ID == id {
			return *c, true
		}
	}
	return Claim{}, false
}

func (s *Server) getClaims(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(detail string) {
		writeProblem(w, http.StatusBadRequest, "Invalid query params", "Failed to deserialize query string: "+detail, "")
	}
	if !q.Has("is_archive") {
		bad("missing field `is_archive`")
		return
	}
	archive, err := strconv.ParseBool(q.Get("is_archive"))
	if err != nil {
		bad("is_archive: provided string was not `true` or `false`")
		return
	}
	limit, offset := 50, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 200 {
			bad("limit: must be 1..200")
			return
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			bad("offset: invalid digit found in string")
			return
		}
	}
	if s.isFrozen(r.URL.Path) {
		offset = 0
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	since := s.now().Add(-claimWindow)
	var match []Claim
	for _, c := range sl.claims {
		dt, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", c.Dt, moscow)
		if c.Archive != archive || (err == nil && dt.Before(since)) ||
			(q.Get("id") != "" && c.ID != q.Get("id")) ||
			(q.Get("nm_id") != "" && strconv.FormatInt(c.NmID, 10) != q.Get("nm_id")) {
			continue
		}
		match = append(match, *c)
	}
	slices.SortStableFunc(match, func(a, b Claim) int { return strings.Compare(b.Dt, a.Dt) })
	page := []Claim{}
	if offset < len(match) {
		page = match[offset:min(len(match), offset+limit)]
	}
	writeJSON(w, http.StatusOK, map[string]any{"claims": page, "total": len(match)})
}

// claimOutcomes is where each answer leaves a claim: status, status_ex.
var claimOutcomes = map[string][2]int{
	"approve1": {2, 8}, "approve2": {2, 10}, "autorefund1": {2, 5},
	"reject1": {1, 1}, "reject2": {1, 1}, "reject3": {1, 1}, "rejectcustom": {1, 1},
	"approvecc1": {2, 10}, "confirmreturngoodcc1": {2, 10},
}

func (s *Server) patchClaim(w http.ResponseWriter, r *http.Request) {
	invalid := func(detail string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeJSONProblem(w, "Validation error", "Input model is not valid; Details: "+detail)
	}
	var in struct {
		ID      string `json:"id"`
		Action  string `json:"action"`
		Comment string `json:"comment"`
	}
	if err := decodeBody(r, &in); err != nil {
		invalid("The request body could not be read.")
		return
	}
	if in.ID == "" || in.Action == "" {
		invalid("The ID and Action fields are required.")
		return
	}
	sl := s.lock(r)
	defer s.mu.Unlock()
	i := slices.IndexFunc(sl.claims, func(c *Claim) bool { return c.ID == in.ID })
	switch {
	case i < 0:
		invalid("Claim not found.")
		return
	case !slices.Contains(sl.claims[i].Actions, in.Action):
		invalid("The action is not allowed for the claim.")
		return
	case in.Action == "rejectcustom" && (utf8.RuneCountInString(in.Comment) < 10 || utf8.RuneCountInString(in.Comment) > 1000):
		invalid("The Comment field must be 10..1000 characters for rejectcustom.")
		return
	}
	c := sl.claims[i]
	out := claimOutcomes[in.Action]
	c.Status, c.StatusEx = out[0], out[1]
	c.DtUpdate = s.now().In(moscow).Format("2006-01-02T15:04:05.000000")
	if in.Comment != "" {
		c.WBComment = &in.Comment
	}
	if in.Action == "approvecc1" {
		c.Actions = []string{"confirmreturngoodcc1", "rejectcustom"}
	} else {
		c.Archive, c.Actions = true, []string{}
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSONProblem(w http.ResponseWriter, title, detail string) {
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"title": title, "detail": detail, "requestId": requestID()})
}
