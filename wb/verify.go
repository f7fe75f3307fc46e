package wb

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// Pong is /ping's answer.
type Pong struct {
	TS     string `json:"TS"` // RFC 3339 with +03:00
	Status string `json:"Status"`
}

// Ping checks that token may call cat's host. WB allows 3 pings per 30 s per
// host and blocks clients that automate it, so call it at token intake only.
func (c *Client) Ping(ctx context.Context, token string, cat Category) (Pong, error) {
	var p Pong
	if !cat.known() {
		return p, errors.New("wb ping: unknown category " + string(cat))
	}
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: cat, group: groupPing,
		path: "/ping", out: &p, idempotent: true})
	return p, err
}

// SellerInfo is the seller a token belongs to.
type SellerInfo struct {
	Name      string `json:"name"`
	SID       string `json:"sid"` // equals the token's sid
	TradeMark string `json:"tradeMark"`
}

// SellerInfo asks common-api who the token's seller is. Basic tokens may ask
// once a day: cache the answer.
func (c *Client) SellerInfo(ctx context.Context, token string) (SellerInfo, error) {
	var s SellerInfo
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: CategoryCommon, group: groupSellerInfo,
		path: "/api/v1/seller-info", out: &s, idempotent: true})
	return s, err
}

// VerifyOnline is the online half of token intake (wb-api.md §3.5 step 6):
// one ping per required host, then seller-info, whose sid must be the
// token's. Failures are *domain.Error with error.token.* ids, or
// error.wb.unavailable when WB could not be asked.
func (c *Client) VerifyOnline(ctx context.Context, token string) (SellerInfo, error) {
	claims, err := ParseToken(token)
	if err != nil {
		return SellerInfo{}, err
	}
	for _, cat := range RequiredCategories() {
		if _, err := c.Ping(ctx, token, cat); err != nil {
			return SellerInfo{}, onlineError(err, cat)
		}
	}
	info, err := c.SellerInfo(ctx, token)
	if err != nil {
		return SellerInfo{}, onlineError(err, CategoryCommon)
	}
	if !strings.EqualFold(strings.TrimSpace(info.SID), claims.SellerID) {
		return info, &domain.Error{Code: domain.CodeInvalid, MsgID: "error.token.seller_mismatch", Err: ErrSellerMismatch}
	}
	return info, nil
}

func onlineError(err error, cat Category) error {
	switch {
	case errors.Is(err, ErrMissingScope):
		return &domain.Error{Code: domain.CodeInvalid, MsgID: "error.token.missing_scopes",
			Data: map[string]any{"Missing": []string{string(cat)}}, Err: err}
	case errors.Is(err, ErrTokenRejected):
		return &domain.Error{Code: domain.CodeInvalid, MsgID: "error.token.rejected",
			Data: map[string]any{"Category": string(cat)}, Err: err}
	default:
		return &domain.Error{Code: domain.CodeUnavailable, MsgID: "error.wb.unavailable", Err: err}
	}
}
