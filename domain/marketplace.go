package domain

import (
	"context"
	"time"
)

// Feed is one thing Indigo reads from a marketplace per store, each polled
// on its own schedule because the marketplace limits each separately.
type Feed string

// Feeds.
const (
	FeedClaims      Feed = "claims"       // buyers' return claims
	FeedGoodsReturn Feed = "goods_return" // items travelling back, with their pickup point
)

// AllFeeds lists the feeds every store is polled for.
func AllFeeds() []Feed { return []Feed{FeedClaims, FeedGoodsReturn} }

// PollSlot is one store's feed, due to be polled.
type PollSlot struct {
	Store *Store
	Feed  Feed
	DueAt time.Time
}

// PollScheduleService keeps when each store's feed is next due. Leasing a
// slot hides it from other replicas until the lease ends, so a store is
// never polled twice at once.
type PollScheduleService interface {
	LeaseDuePolls(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]PollSlot, error)
	FinishPoll(ctx context.Context, storeID int64, feed Feed, next time.Time, pollErr error) error
	// PollNow makes a store's feeds due at once: a seller asked for fresh data.
	PollNow(ctx context.Context, storeID int64) error
}

// TokenInfo is what a good marketplace token tells about its store.
type TokenInfo struct {
	SupplierID string
	ExpiresAt  time.Time
	Warnings   []*Error // shown to the seller, but the token is accepted
}

// Marketplace is what Indigo asks of a marketplace outside polling.
type Marketplace interface {
	// CheckToken checks a pasted token offline (its claims) and online; a
	// rejection is an *Error whose MsgID tells the seller what to fix.
	CheckToken(ctx context.Context, token string) (TokenInfo, error)
}
