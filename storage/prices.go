package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// PriceService keeps what the pricing round needs: which stores have
// returns without a price or products without facts, the products' facts,
// and the prices it found. Only the system uses it.
type PriceService struct{ db *DB }

var _ domain.ProductService = (*PriceService)(nil)

// NewPriceService returns the pricing repository.
func NewPriceService(db *DB) *PriceService { return &PriceService{db: db} }

// DuePriceChecks lists every active store with pricing work, with when its
// prices were last asked of WB; the caller paces each token.
func (ps *PriceService) DuePriceChecks(ctx context.Context, limit int) (_ []domain.PriceCheck, err error) {
	defer wrap(&err, "find due price checks")
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := ps.db.q(ctx).Query(ctx, `SELECT r.store_id, r.id, r.srid, r.nm_id, r.request_date, r.price_source = '',
			r.nm_id <> 0 AND (p.nm_id IS NULL OR (p.length_cm = 0 AND p.weight_g = 0 AND p.subject_id = 0)), c.checked_at
		FROM returns r JOIN stores s ON s.id = r.store_id AND s.active AND NOT s.token_rejected
		LEFT JOIN wb_products p ON p.store_id = r.store_id AND p.nm_id = r.nm_id
		LEFT JOIN wb_price_checks c ON c.store_id = r.store_id
		WHERE r.price_source = '' OR (r.status NOT IN ('transferred_to_sale', 'sent_to_seller', 'disposed', 'pickup_expired')
			AND r.nm_id <> 0 AND (p.nm_id IS NULL OR (p.length_cm = 0 AND p.weight_g = 0 AND p.subject_id = 0)))
		ORDER BY r.store_id, r.id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	byStore := map[int64]*domain.PriceCheck{}
	var order []int64
	var storeID int64
	var r domain.Return
	var unpriced, noFacts bool
	var checked *time.Time
	_, err = pgx.ForEachRow(rows, []any{&storeID, &r.ID, &r.SrID, &r.NmID, &r.RequestDate, &unpriced, &noFacts, &checked}, func() error {
		pc, ok := byStore[storeID]
		if !ok {
			pc = &domain.PriceCheck{LastChecked: checked}
			byStore[storeID] = pc
			order = append(order, storeID)
		}
		if unpriced {
			cp := r
			cp.StoreID = storeID
			pc.Unpriced = append(pc.Unpriced, &cp)
		}
		if noFacts && !containsID(pc.NoFacts, r.NmID) {
			pc.NoFacts = append(pc.NoFacts, r.NmID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	stores := NewStoreService(ps.db)
	out := make([]domain.PriceCheck, 0, len(order))
	for _, id := range order {
		s, err := stores.FindStoreByID(ctx, id)
		if err != nil {
			return nil, err
		}
		byStore[id].Store = s
		out = append(out, *byStore[id])
	}
	return out, nil
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// FinishPriceCheck records that a store's prices were asked of WB.
func (ps *PriceService) FinishPriceCheck(ctx context.Context, storeID int64, at time.Time, checkErr error) (err error) {
	defer wrap(&err, "finish price check of store %d", storeID)
	_, err = ps.db.q(ctx).Exec(ctx, `INSERT INTO wb_price_checks (store_id, checked_at, error) VALUES ($1, $2, $3)
		ON CONFLICT (store_id) DO UPDATE SET checked_at = $2, error = $3`, storeID, at, errText(checkErr))
	return err
}

// SetReturnPrices records prices found, each only where it is better than
// the return's own (a buyer's price over the seller's, any over none); it
// returns how many returns it priced.
func (ps *PriceService) SetReturnPrices(ctx context.Context, prices []domain.PricedReturn) (n int, err error) {
	defer wrap(&err, "set %d return prices", len(prices))
	if err := staffOnly(ctx); err != nil {
		return 0, err
	}
	for _, p := range prices {
		if !p.Source.Known() || p.PriceRUB <= 0 {
			continue
		}
		tag, err := ps.db.q(ctx).Exec(ctx, `UPDATE returns SET price_rub = $2, price_cny = $3, price_source = $4,
			version = version + 1, updated_at = now()
			WHERE id = $1 AND (CASE price_source WHEN 'claim' THEN 0 WHEN 'order' THEN 1 WHEN 'seller_price' THEN 2 ELSE 3 END) >
				(CASE $4::text WHEN 'claim' THEN 0 WHEN 'order' THEN 1 ELSE 2 END)`,
			p.ReturnID, p.PriceRUB, p.PriceCNY, p.Source)
		if err != nil {
			return n, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// SaveProduct implements domain.ProductService.
func (ps *PriceService) SaveProduct(ctx context.Context, p *domain.Product) (err error) {
	defer wrap(&err, "save product %d of store %d", p.NmID, p.StoreID)
	if err := staffOnly(ctx); err != nil {
		return err
	}
	_, err = ps.db.q(ctx).Exec(ctx, `INSERT INTO wb_products (store_id, nm_id, subject_id, subject_name, vendor_code,
			length_cm, width_cm, height_cm, weight_g, price_rub, price_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (store_id, nm_id) DO UPDATE SET
			subject_id = CASE WHEN $3 <> 0 THEN $3 ELSE wb_products.subject_id END,
			subject_name = CASE WHEN $4 <> '' THEN $4 ELSE wb_products.subject_name END,
			vendor_code = CASE WHEN $5 <> '' THEN $5 ELSE wb_products.vendor_code END,
			length_cm = CASE WHEN $6 <> 0 THEN $6 ELSE wb_products.length_cm END,
			width_cm = CASE WHEN $7 <> 0 THEN $7 ELSE wb_products.width_cm END,
			height_cm = CASE WHEN $8 <> 0 THEN $8 ELSE wb_products.height_cm END,
			weight_g = CASE WHEN $9 <> 0 THEN $9 ELSE wb_products.weight_g END,
			price_rub = CASE WHEN $10 <> 0 THEN $10 ELSE wb_products.price_rub END,
			price_at = coalesce($11, wb_products.price_at), updated_at = now()`,
		p.StoreID, p.NmID, p.SubjectID, p.SubjectName, p.VendorCode, p.LengthCM, p.WidthCM, p.HeightCM,
		p.WeightGram, p.PriceRUB, p.PriceAt)
	return err
}

// FindProduct implements domain.ProductService; a seller finds only the
// products of their own stores.
func (ps *PriceService) FindProduct(ctx context.Context, storeID, nmID int64) (_ *domain.Product, err error) {
	defer wrap(&err, "find product %d of store %d", nmID, storeID)
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	var p domain.Product
	err = ps.db.q(ctx).QueryRow(ctx, `SELECT p.store_id, p.nm_id, p.subject_id, p.subject_name, p.vendor_code,
			p.length_cm, p.width_cm, p.height_cm, p.weight_g, p.price_rub, p.price_at
		FROM wb_products p JOIN stores s ON s.id = p.store_id
		WHERE p.store_id = $1 AND p.nm_id = $2 AND ($3::bigint = 0 OR s.seller_id = $3)`, storeID, nmID, scope).Scan(
		&p.StoreID, &p.NmID, &p.SubjectID, &p.SubjectName, &p.VendorCode, &p.LengthCM, &p.WidthCM, &p.HeightCM,
		&p.WeightGram, &p.PriceRUB, &p.PriceAt)
	if errNoRows(err) {
		return nil, notFound("error.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}
