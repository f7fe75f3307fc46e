package domain

import (
	"context"
	"time"
)

// Marketplace names a marketplace a store sells on. Only Wildberries for now.
type MarketplaceName string

// Marketplaces.
const MarketplaceWildberries MarketplaceName = "wildberries"

// Store is a seller's shop on a marketplace, reached with the seller's token.
type Store struct {
	ID          int64
	SellerID    int64
	Marketplace MarketplaceName
	Name        string

	// Token is the plaintext WB token. Storage encrypts it at rest; it is never
	// logged and never shown back in full (see TokenHint).
	Token          string
	TokenExpiresAt *time.Time
	SupplierID     string // the token's sid: WB's seller id
	TokenRejected  bool   // WB answered 401: the seller must enter a new token
	Active         bool
	LastPolledAt   *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TokenHint shows at most the last four characters of a token.
func TokenHint(token string) string {
	if len(token) <= 4 {
		return "…"
	}
	return "…" + token[len(token)-4:]
}

// StoreFilter selects stores. A seller acting in the context sees only theirs.
type StoreFilter struct {
	ID       *int64
	IDs      []int64 // nil does not filter
	SellerID *int64
	Active   *bool
	// SupplierID finds the stores connected to one WB seller account.
	SupplierID *string
}

// StoreUpdate changes a store. Nil fields are kept.
type StoreUpdate struct {
	Name           *string
	Token          *string
	TokenExpiresAt *time.Time
	SupplierID     *string
	TokenRejected  *bool
	Active         *bool
	LastPolledAt   *time.Time
}

// StoreService stores a seller's stores and their tokens.
type StoreService interface {
	FindStoreByID(ctx context.Context, id int64) (*Store, error)
	FindStores(ctx context.Context, f StoreFilter) ([]*Store, error)
	CreateStore(ctx context.Context, s *Store) error
	UpdateStore(ctx context.Context, id int64, upd StoreUpdate) (*Store, error)
	DeleteStore(ctx context.Context, id int64) error
}
