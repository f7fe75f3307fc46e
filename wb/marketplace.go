package wb

import (
	"context"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// Marketplace is the client as domain.Marketplace: what token entry asks.
type Marketplace struct{ *Client }

var _ domain.Marketplace = Marketplace{}

// CheckToken runs the offline claim checks, then the online ones. The
// offline ones come first because they cost WB no requests and catch
// most mistakes (wrong string, test token, missing categories).
func (m Marketplace) CheckToken(ctx context.Context, token string) (domain.TokenInfo, error) {
	report, err := CheckToken(token, m.now())
	if err != nil {
		return domain.TokenInfo{}, err
	}
	if _, err := m.VerifyOnline(ctx, token); err != nil {
		return domain.TokenInfo{}, err
	}
	return domain.TokenInfo{
		SupplierID: report.Claims.SellerID,
		ExpiresAt:  report.Claims.ExpiresAt,
		Warnings:   report.Warnings,
	}, nil
}

// PollInterval is how often a store's feed may be read with this token:
// WB's limit for the token's type, never faster than every few minutes
// (fresher data would not change what a seller sees, and the rest of the
// budget stays free for refreshes a seller asks for).
func PollInterval(token string, feed domain.Feed) time.Duration {
	const floor = 5 * time.Minute
	_, typ := accountOf(token)
	var g group
	switch feed {
	case domain.FeedClaims:
		g = groupClaims
	default:
		g = groupGoodsReturn
	}
	l := limitFor(g, typ)
	return max(floor, time.Duration(float64(l.interval())*paceSlack))
}
