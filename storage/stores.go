package storage

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// StoreService implements domain.StoreService. Tokens are sealed on write
// and opened on read; the ciphertext never leaves this file.
type StoreService struct{ db *DB }

var _ domain.StoreService = (*StoreService)(nil)

// NewStoreService returns the store repository.
func NewStoreService(db *DB) *StoreService { return &StoreService{db: db} }

// tokenOwner is the additional data that binds a sealed token to its seller.
func tokenOwner(sellerID int64) []byte {
	return []byte("store-token/seller/" + strconv.FormatInt(sellerID, 10))
}

// FindStoreByID returns one store, if the actor may see it.
func (ss *StoreService) FindStoreByID(ctx context.Context, id int64) (_ *domain.Store, err error) {
	defer wrap(&err, "find store %d", id)
	stores, err := ss.FindStores(ctx, domain.StoreFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(stores) == 0 {
		return nil, notFound("error.store.not_found")
	}
	return stores[0], nil
}

// FindStores lists stores matching f, oldest first. A seller sees only theirs.
func (ss *StoreService) FindStores(ctx context.Context, f domain.StoreFilter) (_ []*domain.Store, err error) {
	defer wrap(&err, "find stores")
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := ss.db.q(ctx).Query(ctx, `SELECT id, seller_id, marketplace, name, token_ciphertext,
		token_expires_at, supplier_id, token_rejected, active, last_polled_at, created_at, updated_at
		FROM stores
		WHERE ($1::bigint IS NULL OR id = $1) AND ($2::bigint IS NULL OR seller_id = $2)
		  AND ($3::boolean IS NULL OR active = $3) AND ($4::bigint = 0 OR seller_id = $4)
		  AND ($5::bigint[] IS NULL OR id = ANY($5)) AND ($6::text IS NULL OR supplier_id = $6)
		ORDER BY id`, f.ID, f.SellerID, f.Active, scope, f.IDs, f.SupplierID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Store, error) {
		var s domain.Store
		var sealed []byte
		if err := r.Scan(&s.ID, &s.SellerID, &s.Marketplace, &s.Name, &sealed, &s.TokenExpiresAt,
			&s.SupplierID, &s.TokenRejected, &s.Active, &s.LastPolledAt, &s.CreatedAt, &s.UpdatedAt); err != nil {
			return nil, err
		}
		plain, err := ss.db.crypter.open(sealed, tokenOwner(s.SellerID))
		if err != nil {
			return nil, err
		}
		s.Token = string(plain)
		return &s, nil
	})
}

// CreateStore stores a new store with its token sealed. A seller may only
// create stores of their own.
func (ss *StoreService) CreateStore(ctx context.Context, s *domain.Store) (err error) {
	defer wrap(&err, "create store for seller %d", s.SellerID)
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 && scope != s.SellerID {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	if s.Marketplace == "" {
		s.Marketplace = domain.MarketplaceWildberries
	}
	sealed, err := ss.db.crypter.seal([]byte(s.Token), tokenOwner(s.SellerID))
	if err != nil {
		return err
	}
	s.Active = true
	return ss.db.q(ctx).QueryRow(ctx, `INSERT INTO stores
		(seller_id, marketplace, name, token_ciphertext, token_expires_at, supplier_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at, updated_at`,
		s.SellerID, s.Marketplace, s.Name, sealed, s.TokenExpiresAt, s.SupplierID,
	).Scan(&s.ID, &s.CreatedAt, &s.UpdatedAt)
}

// UpdateStore changes the given fields; a new token is sealed and clears the
// rejected flag unless the update sets it.
func (ss *StoreService) UpdateStore(ctx context.Context, id int64, upd domain.StoreUpdate) (_ *domain.Store, err error) {
	defer wrap(&err, "update store %d", id)
	cur, err := ss.FindStoreByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	rejected := upd.TokenRejected
	if upd.Token != nil {
		if sealed, err = ss.db.crypter.seal([]byte(*upd.Token), tokenOwner(cur.SellerID)); err != nil {
			return nil, err
		}
		if rejected == nil {
			no := false
			rejected = &no
		}
	}
	_, err = ss.db.q(ctx).Exec(ctx, `UPDATE stores SET
		name = coalesce($2, name), token_ciphertext = coalesce($3, token_ciphertext),
		token_expires_at = coalesce($4, token_expires_at), supplier_id = coalesce($5, supplier_id),
		token_rejected = coalesce($6, token_rejected), active = coalesce($7, active),
		last_polled_at = coalesce($8, last_polled_at), updated_at = now()
		WHERE id = $1`,
		id, upd.Name, sealed, upd.TokenExpiresAt, upd.SupplierID, rejected, upd.Active, upd.LastPolledAt)
	if err != nil {
		return nil, err
	}
	return ss.FindStoreByID(ctx, id)
}

// DeleteStore removes a store and, with it, its returns.
func (ss *StoreService) DeleteStore(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "delete store %d", id)
	if _, err := ss.FindStoreByID(ctx, id); err != nil {
		return err
	}
	tag, err := ss.db.q(ctx).Exec(ctx, `DELETE FROM stores WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound("error.store.not_found")
	}
	return err
}

// errNoRows reports a missing row in scans that use QueryRow.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
