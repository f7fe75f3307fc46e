package wb

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Moscow is the zone of WB's zone-less timestamps. Russia has kept UTC+3
// without daylight saving since 2014, so a fixed zone needs no tzdata.
var Moscow = time.FixedZone("MSK", 3*60*60)

// Claim actions (wb-api.md §5.1): the answers a seller may give.
const (
	ActionApprove1             = "approve1"     // approve; WB checks the goods, defects go to the seller
	ActionApprove2             = "approve2"     // approve; goods go to the seller
	ActionAutorefund1          = "autorefund1"  // refund, buyer keeps the goods
	ActionReject1              = "reject1"      // reject: defect not found
	ActionReject2              = "reject2"      // reject: add photo/video
	ActionReject3              = "reject3"      // reject: send to a service centre
	ActionRejectCustom         = "rejectcustom" // reject with the seller's comment (10..1000 chars)
	ActionApproveCC1           = "approvecc1"
	ActionConfirmReturnGoodCC1 = "confirmreturngoodcc1"
)

// BuyerClaim is a buyer's request to return or refund a product
// (returns-api GET /api/v1/claims).
type BuyerClaim struct {
	ID           string   `json:"id"`
	ClaimType    int      `json:"claim_type"` // 1 buyer portal, 3 chat
	Status       int      `json:"status"`     // 0 review, 1 refused, 2 approved
	StatusEx     int      `json:"status_ex"`  // goods: 0,1,2,5,8,10
	NmID         int64    `json:"nm_id"`
	UserComment  string   `json:"user_comment"`
	WBComment    *string  `json:"wb_comment"`
	Dt           string   `json:"dt"` // Moscow time, no zone
	ImtName      *string  `json:"imt_name"`
	OrderDt      string   `json:"order_dt"`
	DtUpdate     string   `json:"dt_update"`
	Photos       []string `json:"photos"`      // protocol-relative
	VideoPaths   []string `json:"video_paths"` // protocol-relative
	Actions      []string `json:"actions"`
	Price        float64  `json:"price"` // roubles paid
	CurrencyCode string   `json:"currency_code"`
	Srid         string   `json:"srid"`
	OriginIDInfo *string  `json:"origin_id_info"`
	DeliveryDt   string   `json:"delivery_dt"`
}

// Created is when the buyer filed the claim.
func (b BuyerClaim) Created() (time.Time, error) { return ParseWBTime(b.Dt) }

// NeedsDecision reports whether the seller can still approve or reject.
// status_ex is unreliable for this (wb-api.md §10); the actions are not.
func (b BuyerClaim) NeedsDecision() bool {
	return slices.ContainsFunc(b.Actions, func(a string) bool {
		return strings.HasPrefix(a, "approve") || strings.HasPrefix(a, "reject")
	})
}

// PhotoURLs returns the claim's photos as absolute https URLs.
func (b BuyerClaim) PhotoURLs() []string { return absoluteURLs(b.Photos) }

// VideoURLs returns the claim's videos as absolute https URLs.
func (b BuyerClaim) VideoURLs() []string { return absoluteURLs(b.VideoPaths) }

func absoluteURLs(in []string) []string {
	out := make([]string, len(in))
	for i, u := range in {
		if strings.HasPrefix(u, "//") {
			u = "https:" + u
		}
		out[i] = u
	}
	return out
}

// ClaimFilter selects claims. WB returns only the last 14 days.
type ClaimFilter struct {
	Archive bool   // false: under review; true: decided
	ID      string // one claim
	NmID    int64
	Limit   int // 1..200; 0 means 200
	Offset  int
}

// ClaimPage is one page of claims; Total ignores Limit and Offset.
type ClaimPage struct {
	Claims []BuyerClaim `json:"claims"`
	Total  int          `json:"total"`
}

// ListClaims reads one page of buyer claims.
func (c *Client) ListClaims(ctx context.Context, token string, f ClaimFilter) (ClaimPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	q := url.Values{
		"is_archive": {strconv.FormatBool(f.Archive)},
		"limit":      {strconv.Itoa(f.Limit)},
		"offset":     {strconv.Itoa(f.Offset)},
	}
	if f.ID != "" {
		q.Set("id", f.ID)
	}
	if f.NmID != 0 {
		q.Set("nm_id", strconv.FormatInt(f.NmID, 10))
	}
	var p ClaimPage
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: CategoryReturns, group: groupClaims,
		path: "/api/v1/claims", query: q, out: &p, idempotent: true})
	return p, err
}

// AllClaims reads every claim of one archive side, page by page, while
// offset < total (wb-api.md §5.3).
func (c *Client) AllClaims(ctx context.Context, token string, archive bool) ([]BuyerClaim, error) {
	const limit = 200
	return walk(ctx, c.maxPages, 0, func(ctx context.Context, offset int) ([]BuyerClaim, int, bool, error) {
		p, err := c.ListClaims(ctx, token, ClaimFilter{Archive: archive, Limit: limit, Offset: offset})
		next := offset + len(p.Claims)
		return p.Claims, next, next < p.Total, err
	})
}

// ClaimAnswer is the seller's answer to a claim. Comment is required for
// rejectcustom (10..1000 characters) and allowed for approvecc1.
type ClaimAnswer struct {
	ID      string `json:"id"`
	Action  string `json:"action"`
	Comment string `json:"comment,omitempty"`
}

// AnswerClaim sends the seller's decision. It is not resent after a 5xx:
// an answer that did land would make the resend fail.
func (c *Client) AnswerClaim(ctx context.Context, token string, a ClaimAnswer) error {
	return c.do(ctx, call{token: token, method: http.MethodPatch, cat: CategoryReturns, group: groupClaims,
		path: "/api/v1/claim", body: a})
}

// ParseWBTime parses WB's timestamps: RFC 3339, or zone-less date-times with
// optional fractions (Moscow time), or bare dates.
func ParseWBTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, Moscow); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &time.ParseError{Layout: "WB date-time", Value: s, Message: ": unknown layout"}
}
