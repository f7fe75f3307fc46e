package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// ReturnService implements domain.ReturnService.
type ReturnService struct{ db *DB }

var _ domain.ReturnService = (*ReturnService)(nil)

// NewReturnService returns the return repository.
func NewReturnService(db *DB) *ReturnService { return &ReturnService{db: db} }

const returnColumns = `id, store_id, seller_id, request_date, product_name, vendor_code, nm_id, barcode,
	return_number, subject, photo_url, defective, srid, shk_id, claim_id, price_rub, price_cny, price_source,
	pickup_point_address, ready_at, pickup_code, needs_verification, photo_video_required,
	status, tracking_number, received_at, defect_after_check, inspection_comment, decision,
	version, created_at, updated_at`

func scanReturn(row pgx.Row) (*domain.Return, error) {
	var r domain.Return
	err := row.Scan(&r.ID, &r.StoreID, &r.SellerID, &r.RequestDate, &r.ProductName, &r.VendorCode, &r.NmID,
		&r.Barcode, &r.ReturnNumber, &r.Subject, &r.PhotoURL, &r.Defective, &r.SrID, &r.ShkID, &r.ClaimID,
		&r.PriceRUB, &r.PriceCNY, &r.PriceSource, &r.PickupPointAddress, &r.ReadyAt, &r.PickupCode,
		&r.NeedsVerification, &r.PhotoVideoRequired, &r.Status, &r.TrackingNumber, &r.ReceivedAt,
		&r.DefectAfterCheck, &r.InspectionComment, &r.Decision, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	return &r, err
}

// FindReturnByID returns one return with its attachments (without their
// bytes), if the actor may see it.
func (rs *ReturnService) FindReturnByID(ctx context.Context, id int64) (_ *domain.Return, err error) {
	defer wrap(&err, "find return %d", id)
	return rs.findReturnByID(ctx, id, "")
}

func (rs *ReturnService) findReturnByID(ctx context.Context, id int64, lock string) (*domain.Return, error) {
	scope, err := actorScope(ctx)
	if err != nil {
		return nil, err
	}
	q := rs.db.q(ctx)
	r, err := scanReturn(q.QueryRow(ctx, `SELECT `+returnColumns+` FROM returns
		WHERE id = $1 AND ($2::bigint = 0 OR seller_id = $2) `+lock, id, scope))
	if errNoRows(err) {
		return nil, notFound("error.return.not_found")
	}
	if err != nil {
		return nil, err
	}
	r.Attachments, err = findAttachments(ctx, q, r.SellerID, &r.ID)
	return r, err
}

// whereReturns turns a filter into a WHERE clause. The acting seller's id is
// always part of it.
func whereReturns(ctx context.Context, f domain.ReturnFilter) (string, []any, error) {
	scope, err := actorScope(ctx)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if scope != 0 {
		add("seller_id = ?", scope)
	}
	if f.ID != nil {
		add("id = ?", *f.ID)
	}
	if f.SellerID != nil {
		add("seller_id = ?", *f.SellerID)
	}
	if f.StoreID != nil {
		add("store_id = ?", *f.StoreID)
	}
	if f.Tab != nil {
		// A one-status tab says "=": with ANY the planner cannot read the
		// (seller, status, date) index in date order and sorts every match.
		if sts := domain.StatusesOf(*f.Tab); len(sts) == 1 {
			add("status = ?", sts[0])
		} else {
			add("status = ANY(?)", sts)
		}
	}
	if f.Status != nil {
		add("status = ?", *f.Status)
	}
	if f.Defective != nil {
		add("defective = ?", *f.Defective)
	}
	if f.RequestFrom != nil {
		add("request_date >= ?", *f.RequestFrom)
	}
	if f.RequestUntil != nil {
		add("request_date < ?", *f.RequestUntil)
	}
	if f.ReturnNumber != nil {
		add("return_number = ?", *f.ReturnNumber)
	}
	if f.SrID != nil {
		add("srid = ?", *f.SrID)
	}
	if f.NmID != nil {
		add("nm_id = ?", *f.NmID)
	}
	if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
		add(searchText+` ILIKE ?`, "%"+escapeLike(strings.TrimSpace(*f.Search))+"%")
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args, nil
}

// searchText is what search matches in: the four columns joined by a
// character nobody types, so a match never spans two of them. It is the
// expression of the trigram index returns_search_trgm (migration 00027).
const searchText = `(product_name || E'\x1f' || vendor_code || E'\x1f' || barcode || E'\x1f' || return_number)`

// escapeLike makes a person's search text match literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindReturns lists matching returns, newest request first, and the total
// count without paging (up to f.CountUpTo when set).
func (rs *ReturnService) FindReturns(ctx context.Context, f domain.ReturnFilter) (_ []*domain.Return, n int, err error) {
	defer wrap(&err, "find returns")
	where, args, err := whereReturns(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	q := rs.db.q(ctx)
	// Planned for these values each time (no prepared statement's generic
	// plan): the best plan for a seller of 1,000 returns scans all of a
	// seller of 250,000.
	args = append([]any{pgx.QueryExecModeCacheDescribe}, args...)
	if f.Search != nil && f.CountUpTo > 0 && f.CountUpTo <= maxSearchIDs {
		return rs.findSearched(ctx, q, f, where, args)
	}
	count := `SELECT count(*) FROM returns ` + where
	if f.CountUpTo > 0 {
		count = fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM returns %s LIMIT %d) bounded`, where, f.CountUpTo)
	}
	if err := q.QueryRow(ctx, count, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	page := fmt.Sprintf(" OFFSET %d", max(f.Offset, 0))
	if f.Limit > 0 {
		page += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	// The page's ids first, then their rows: a tab's filters are all in
	// an index (migration 00027), so the ids come from it alone and only
	// the page's rows are read, not every row a filter looks at.
	rows, err := q.Query(ctx, `SELECT `+returnColumns+` FROM returns WHERE id IN (SELECT id FROM returns `+where+
		` ORDER BY request_date DESC, id DESC`+page+`) ORDER BY request_date DESC, id DESC`, args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Return, error) { return scanReturn(r) })
	return list, n, err
}

// maxSearchIDs bounds the ids a bounded search reads in one go.
const maxSearchIDs = 1000

// findSearched is FindReturns for a search with a small count bound: a
// search's matches are checked row by row (trigram recheck), so the
// matches' ids, in order and up to the bound, are found once, and both
// the count and the page come from them.
func (rs *ReturnService) findSearched(ctx context.Context, q querier, f domain.ReturnFilter, where string, args []any) ([]*domain.Return, int, error) {
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT id FROM returns %s ORDER BY request_date DESC, id DESC LIMIT %d`,
		where, f.CountUpTo), args...)
	if err != nil {
		return nil, 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, 0, err
	}
	n := len(ids)
	ids = ids[min(max(f.Offset, 0), n):]
	if f.Limit > 0 {
		ids = ids[:min(f.Limit, len(ids))]
	}
	rows, err = q.Query(ctx, `SELECT `+returnColumns+` FROM returns WHERE id = ANY($1) ORDER BY request_date DESC, id DESC`, ids)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Return, error) { return scanReturn(r) })
	return list, n, err
}

// CreateReturn stores a new return for a store the actor may see. Its
// seller is the store's; its status defaults to the first of the lifecycle.
func (rs *ReturnService) CreateReturn(ctx context.Context, r *domain.Return) (err error) {
	defer wrap(&err, "create return %q", r.ReturnNumber)
	store, err := NewStoreService(rs.db).FindStoreByID(ctx, r.StoreID)
	if err != nil {
		return err
	}
	r.SellerID = store.SellerID
	if r.Status == "" {
		r.Status = domain.StatusAwaitingReceiptAtWB
	}
	return rs.db.q(ctx).QueryRow(ctx, `INSERT INTO returns (store_id, seller_id, request_date, product_name,
		vendor_code, nm_id, barcode, return_number, subject, photo_url, defective, srid, shk_id, price_rub,
		price_cny, pickup_point_address, ready_at, pickup_code, needs_verification, photo_video_required,
		status, tracking_number, claim_id, price_source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24)
		RETURNING id, version, created_at, updated_at`,
		r.StoreID, r.SellerID, r.RequestDate, r.ProductName, r.VendorCode, r.NmID, r.Barcode, r.ReturnNumber,
		r.Subject, r.PhotoURL, r.Defective, r.SrID, r.ShkID, r.PriceRUB, r.PriceCNY, r.PickupPointAddress,
		r.ReadyAt, r.PickupCode, r.NeedsVerification, r.PhotoVideoRequired, r.Status, r.TrackingNumber, r.ClaimID,
		r.PriceSource,
	).Scan(&r.ID, &r.Version, &r.CreatedAt, &r.UpdatedAt)
}

// UpdateReturn changes fields other than the status and bumps the version.
func (rs *ReturnService) UpdateReturn(ctx context.Context, id int64, upd domain.ReturnUpdate) (_ *domain.Return, err error) {
	defer wrap(&err, "update return %d", id)
	err = rs.db.inTx(ctx, func(tx pgx.Tx) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		cur, err := rs.findReturnByID(ctx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		if err := cur.CheckBeforeArrival(upd); err != nil {
			return err
		}
		return updateReturn(ctx, tx, id, upd)
	})
	if err != nil {
		return nil, err
	}
	return rs.FindReturnByID(ctx, id)
}

func updateReturn(ctx context.Context, q querier, id int64, u domain.ReturnUpdate) error {
	_, err := q.Exec(ctx, `UPDATE returns SET
		product_name = coalesce($2, product_name), vendor_code = coalesce($3, vendor_code),
		barcode = coalesce($4, barcode), subject = coalesce($5, subject), photo_url = coalesce($6, photo_url),
		defective = coalesce($7, defective), price_rub = coalesce($8, price_rub), price_cny = coalesce($9, price_cny),
		pickup_point_address = coalesce($10, pickup_point_address), ready_at = coalesce($11, ready_at),
		pickup_code = coalesce($12, pickup_code), needs_verification = coalesce($13, needs_verification),
		photo_video_required = coalesce($14, photo_video_required), tracking_number = coalesce($15, tracking_number),
		received_at = coalesce($16, received_at), defect_after_check = coalesce($17, defect_after_check),
		inspection_comment = coalesce($18, inspection_comment), price_source = coalesce($19, price_source),
		version = version + 1, updated_at = now()
		WHERE id = $1`,
		id, u.ProductName, u.VendorCode, u.Barcode, u.Subject, u.PhotoURL, u.Defective, u.PriceRUB, u.PriceCNY,
		u.PickupPointAddress, u.ReadyAt, u.PickupCode, u.NeedsVerification, u.PhotoVideoRequired,
		u.TrackingNumber, u.ReceivedAt, u.DefectAfterCheck, u.InspectionComment, u.PriceSource)
	return err
}
