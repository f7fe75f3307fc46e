package storage

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// boxNumber is the number a seller knows a return by once WB's report
// has its box: the goods-return row's shkId. It replaces the claim's UUID
// or srid a return found by its claim was first given; "" keeps the number.
func boxNumber(r *domain.Return) string {
	if r.ShkID == 0 || r.ReturnNumber == r.ClaimID || r.ReturnNumber == r.SrID {
		return ""
	}
	return r.ReturnNumber
}

// SyncReturn implements domain.ReturnService.SyncReturn. A claim and the
// goods-return row of the same item share WB's srid, so either key finds the
// return the other created.
func (rs *ReturnService) SyncReturn(ctx context.Context, r *domain.Return) (created bool, err error) {
	defer wrap(&err, "sync return srid=%q claim=%q of store %d", r.SrID, r.ClaimID, r.StoreID)
	err = rs.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM returns WHERE store_id = $1
			AND ((srid <> '' AND srid = $2) OR (claim_id <> '' AND claim_id = $3))
			ORDER BY id LIMIT 1 FOR UPDATE`, r.StoreID, r.SrID, r.ClaimID).Scan(&id)
		if errNoRows(err) {
			if err := rs.CreateReturn(ctx, r); err != nil {
				return err
			}
			created = true
			return notifyReturn(ctx, tx, r, r.Status)
		}
		if err != nil {
			return err
		}
		// Fill what the other feed did not know; never blank what is known.
		_, err = tx.Exec(ctx, `UPDATE returns SET
			product_name = CASE WHEN $2 <> '' THEN $2 ELSE product_name END,
			vendor_code = CASE WHEN $3 <> '' THEN $3 ELSE vendor_code END,
			nm_id = CASE WHEN $4 <> 0 THEN $4 ELSE nm_id END,
			barcode = CASE WHEN $5 <> '' THEN $5 ELSE barcode END,
			subject = CASE WHEN $6 <> '' THEN $6 ELSE subject END,
			photo_url = CASE WHEN $7 <> '' THEN $7 ELSE photo_url END,
			defective = defective OR $8,
			srid = CASE WHEN srid = '' THEN $9 ELSE srid END,
			shk_id = CASE WHEN $10 <> 0 THEN $10 ELSE shk_id END,
			claim_id = CASE WHEN claim_id = '' THEN $11 ELSE claim_id END,
			price_rub = CASE WHEN $12 <> 0 THEN $12 ELSE price_rub END,
			price_cny = CASE WHEN $13 <> 0 THEN $13 ELSE price_cny END,
			pickup_point_address = CASE WHEN $14 <> '' THEN $14 ELSE pickup_point_address END,
			ready_at = coalesce($15, ready_at),
			price_source = CASE WHEN $12 <> 0 THEN $16 ELSE price_source END,
			return_number = CASE WHEN $17 <> '' AND return_number IN (claim_id, srid) THEN $17 ELSE return_number END,
			version = version + 1, updated_at = now()
			WHERE id = $1 AND ((product_name, vendor_code, nm_id, barcode, subject, photo_url, defective,
				srid, shk_id, claim_id, price_rub, price_cny, pickup_point_address, ready_at)
			IS DISTINCT FROM (
				CASE WHEN $2 <> '' THEN $2 ELSE product_name END, CASE WHEN $3 <> '' THEN $3 ELSE vendor_code END,
				CASE WHEN $4 <> 0 THEN $4 ELSE nm_id END, CASE WHEN $5 <> '' THEN $5 ELSE barcode END,
				CASE WHEN $6 <> '' THEN $6 ELSE subject END, CASE WHEN $7 <> '' THEN $7 ELSE photo_url END,
				defective OR $8, CASE WHEN srid = '' THEN $9 ELSE srid END,
				CASE WHEN $10 <> 0 THEN $10 ELSE shk_id END, CASE WHEN claim_id = '' THEN $11 ELSE claim_id END,
				CASE WHEN $12 <> 0 THEN $12 ELSE price_rub END, CASE WHEN $13 <> 0 THEN $13 ELSE price_cny END,
				CASE WHEN $14 <> '' THEN $14 ELSE pickup_point_address END, coalesce($15, ready_at))
			  OR ($17 <> '' AND return_number IN (claim_id, srid) AND return_number <> $17))`,
			id, r.ProductName, r.VendorCode, r.NmID, r.Barcode, r.Subject, r.PhotoURL, r.Defective,
			r.SrID, r.ShkID, r.ClaimID, r.PriceRUB, r.PriceCNY, r.PickupPointAddress, r.ReadyAt,
			r.PriceSource, boxNumber(r))
		if err != nil {
			return err
		}
		cur, err := rs.findReturnByID(ctx, id, "")
		if err != nil {
			return err
		}
		*r = *cur
		return nil
	})
	return created, err
}
