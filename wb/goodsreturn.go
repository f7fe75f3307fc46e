package wb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxGoodsReturnSpan is the widest window the goods-return report accepts.
const MaxGoodsReturnSpan = 31 * 24 * time.Hour

// GoodsReturn is one unit (shkId) travelling back to the seller, a row of
// seller-analytics GET /api/v1/analytics/goods-return.
type GoodsReturn struct {
	Barcode          string  `json:"barcode"`
	Brand            string  `json:"brand"`
	CompletedDt      *string `json:"completedDt"`
	DstOfficeAddress string  `json:"dstOfficeAddress"`
	DstOfficeID      int64   `json:"dstOfficeId"`
	ExpiredDt        *string `json:"expiredDt"`
	IsStatusActive   int     `json:"isStatusActive"`
	NmID             int64   `json:"nmId"`
	OrderDt          string  `json:"orderDt"`
	OrderID          int64   `json:"orderId"` // may be 0
	ReadyToReturnDt  *string `json:"readyToReturnDt"`
	Reason           string  `json:"reason"`
	ReturnType       string  `json:"returnType"`
	ShkID            int64   `json:"shkId"`
	Srid             string  `json:"srid"`
	Status           string  `json:"status"` // free Russian text; see Stage
	StickerID        string  `json:"stickerId"`
	SubjectName      string  `json:"subjectName"`
	TechSize         string  `json:"techSize"`
}

// ReturnStage is what a goods-return status string means for Indigo.
type ReturnStage string

// Return stages, in the order a returned unit moves.
const (
	StageUnknown        ReturnStage = "unknown"
	StageInTransit      ReturnStage = "in_transit"       // Оформлен, В пути в пвз, …
	StageReadyForPickup ReturnStage = "ready_for_pickup" // Готов к выдаче
	StageCollected      ReturnStage = "collected"        // Выдано
	StageCancelled      ReturnStage = "cancelled"        // not collected in time, or cancelled
)

// WB publishes no enum of these strings (wb-api.md §6): match by prefix,
// case-insensitively, and treat anything else as unknown rather than guess.
var stagePrefixes = []struct {
	prefix string
	stage  ReturnStage
}{
	{"готов к выдаче", StageReadyForPickup},
	{"выдано", StageCollected},
	{"отмена", StageCancelled},
	{"истек срок хранения", StageCancelled},
	{"истёк срок хранения", StageCancelled},
	{"неподбор", StageCancelled},
	{"в пути", StageInTransit},
	{"оформлен", StageInTransit},
	{"погружен", StageInTransit},
	{"ожидает забор", StageInTransit},
}

// Stage classifies the row's status string.
func (g GoodsReturn) Stage() ReturnStage {
	s := strings.ToLower(strings.TrimSpace(g.Status))
	for _, p := range stagePrefixes {
		if strings.HasPrefix(s, p.prefix) {
			return p.stage
		}
	}
	return StageUnknown
}

// ReadyAt is when the unit was put out at the pickup point, if it was.
func (g GoodsReturn) ReadyAt() *time.Time { return parseOptionalTime(g.ReadyToReturnDt) }

// CompletedAt is when the unit was handed to the seller, if it was.
func (g GoodsReturn) CompletedAt() *time.Time { return parseOptionalTime(g.CompletedDt) }

func parseOptionalTime(s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t, err := ParseWBTime(*s)
	if err != nil {
		return nil
	}
	return &t
}

// GoodsReturns reads the goods-return report for the days from..to
// (inclusive, Moscow dates). WB takes dates only and at most 31 days.
func (c *Client) GoodsReturns(ctx context.Context, token string, from, to time.Time) ([]GoodsReturn, error) {
	df, dt := from.In(Moscow).Format(time.DateOnly), to.In(Moscow).Format(time.DateOnly)
	if to.Sub(from) > MaxGoodsReturnSpan || to.Before(from) {
		return nil, fmt.Errorf("wb goods-return %s..%s: window must be 0..31 days", df, dt)
	}
	var out struct {
		Report []GoodsReturn `json:"report"`
	}
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: CategoryAnalytics, group: groupGoodsReturn,
		path: "/api/v1/analytics/goods-return", query: url.Values{"dateFrom": {df}, "dateTo": {dt}},
		out: &out, idempotent: true})
	return out.Report, err
}
