package wb

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Card is a product card: the name, photos and sizes Indigo shows for a
// return (content-api POST /content/v2/get/cards/list).
type Card struct {
	NmID        int64       `json:"nmID"`
	ImtID       int64       `json:"imtID"`
	SubjectID   int64       `json:"subjectID"`
	SubjectName string      `json:"subjectName"`
	VendorCode  string      `json:"vendorCode"`
	Brand       string      `json:"brand"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Photos      []CardPhoto `json:"photos"`
	Video       string      `json:"video"`
	Sizes       []CardSize  `json:"sizes"`
	CreatedAt   string      `json:"createdAt"`
	UpdatedAt   string      `json:"updatedAt"`
}

// CardPhoto holds one photo in WB's sizes.
type CardPhoto struct {
	Big      string `json:"big"`
	C246x328 string `json:"c246x328"`
	C516x688 string `json:"c516x688"`
	Square   string `json:"square"`
	Tm       string `json:"tm"`
}

// CardSize is one size of a card; ChrtID is what stocks are set by.
type CardSize struct {
	ChrtID   uint64   `json:"chrtID"` // uint64 in WB's schemas since 2026-09
	TechSize string   `json:"techSize"`
	WBSize   string   `json:"wbSize"`
	Skus     []string `json:"skus"`
}

// MainPhoto is the first photo's mid-size URL, or "".
func (c Card) MainPhoto() string {
	if len(c.Photos) == 0 {
		return ""
	}
	if p := c.Photos[0].C516x688; p != "" {
		return p
	}
	return c.Photos[0].Big
}

// CardCursor is where the next page of cards starts.
type CardCursor struct {
	UpdatedAt string `json:"updatedAt,omitempty"`
	NmID      int64  `json:"nmID,omitempty"`
	Total     int    `json:"total,omitempty"` // in answers: cards on this page
}

// CardQuery selects a page of cards.
type CardQuery struct {
	TextSearch string // vendor code, nmID or barcode
	Limit      int    // 1..100; 0 means 100
	Cursor     CardCursor
	Locale     string // ru, en or zh; "" leaves WB's default
}

// CardPage is one page of cards and the cursor after it.
type CardPage struct {
	Cards  []Card     `json:"cards"`
	Cursor CardCursor `json:"cursor"`
}

// ListCards reads one page of cards.
func (c *Client) ListCards(ctx context.Context, token string, q CardQuery) (CardPage, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 100
	}
	cursor := map[string]any{"limit": q.Limit}
	if q.Cursor.UpdatedAt != "" {
		cursor["updatedAt"], cursor["nmID"] = q.Cursor.UpdatedAt, q.Cursor.NmID
	}
	// withPhoto -1: since June 2026 0 no longer means "without photo only",
	// and -1 has meant "any" throughout.
	filter := map[string]any{"withPhoto": -1}
	if q.TextSearch != "" {
		filter["textSearch"] = q.TextSearch
	}
	body := map[string]any{"settings": map[string]any{
		"sort": map[string]any{"ascending": false}, "filter": filter, "cursor": cursor}}
	var p CardPage
	cl := call{token: token, method: http.MethodPost, cat: CategoryContent, group: groupContent,
		path: "/content/v2/get/cards/list", body: body, out: &p, idempotent: true}
	if q.Locale != "" {
		cl.query = url.Values{"locale": {q.Locale}}
	}
	return p, c.do(ctx, cl)
}

// AllCards reads every card matching textSearch ("" for all), copying the
// answer's cursor into the next request until a page is short.
func (c *Client) AllCards(ctx context.Context, token, textSearch string) ([]Card, error) {
	const limit = 100
	return walk(ctx, c.maxPages, CardCursor{}, func(ctx context.Context, cur CardCursor) ([]Card, CardCursor, bool, error) {
		p, err := c.ListCards(ctx, token, CardQuery{TextSearch: textSearch, Limit: limit, Cursor: cur})
		next := CardCursor{UpdatedAt: p.Cursor.UpdatedAt, NmID: p.Cursor.NmID}
		return p.Cards, next, p.Cursor.Total >= limit, err
	})
}

// CardByNmID finds the card of one WB article, or reports found=false.
func (c *Client) CardByNmID(ctx context.Context, token string, nmID int64) (card Card, found bool, err error) {
	p, err := c.ListCards(ctx, token, CardQuery{TextSearch: strconv.FormatInt(nmID, 10), Limit: 100})
	if err != nil {
		return Card{}, false, err
	}
	for _, c := range p.Cards {
		if c.NmID == nmID {
			return c, true, nil
		}
	}
	return Card{}, false, nil
}

// SizeFor finds the size a unit with barcode is: the one listing the
// barcode, or the only size when the card has one and the barcode is not
// known.
func (c Card) SizeFor(barcode string) (CardSize, bool) {
	for _, s := range c.Sizes {
		if barcode != "" && slices.Contains(s.Skus, barcode) {
			return s, true
		}
	}
	if len(c.Sizes) == 1 && (barcode == "" || len(c.Sizes[0].Skus) == 0) {
		return c.Sizes[0], true
	}
	return CardSize{}, false
}
