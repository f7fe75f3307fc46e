package storage

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// SellerService implements domain.SellerService.
type SellerService struct{ db *DB }

var _ domain.SellerService = (*SellerService)(nil)

// NewSellerService returns the seller repository.
func NewSellerService(db *DB) *SellerService { return &SellerService{db: db} }

const sellerColumns = `s.id, s.name, s.company, s.phone, s.language, s.time_zone, s.return_address,
	s.unreachable, s.muted_notifications, s.quiet_hours, s.created_at, s.updated_at,
	(SELECT count(*) FROM attachments a WHERE a.seller_id = s.id AND a.kind = 'document')`

func scanSeller(row pgx.Row) (*domain.Seller, error) {
	var s domain.Seller
	err := row.Scan(&s.ID, &s.Name, &s.Company, &s.Phone, &s.Language, &s.TimeZone, &s.ReturnAddress,
		&s.Unreachable, &s.MutedNotifications, &s.QuietHours, &s.CreatedAt, &s.UpdatedAt, &s.LegalDocuments)
	return &s, err
}

// FindSellerByID returns a seller with its identities. A seller may look up
// only themselves.
func (ss *SellerService) FindSellerByID(ctx context.Context, id int64) (_ *domain.Seller, err error) {
	defer wrap(&err, "find seller %d", id)
	if scope, err := actorScope(ctx); err != nil {
		return nil, err
	} else if scope != 0 && scope != id {
		return nil, notFound("error.seller.not_found")
	}
	return ss.findSeller(ctx, `WHERE s.id = $1`, id)
}

// FindSellerByIdentity returns the seller who owns a chat account. Channels
// call it before they know who is acting, so it takes no actor.
func (ss *SellerService) FindSellerByIdentity(ctx context.Context, ident domain.Identity) (_ *domain.Seller, err error) {
	defer wrap(&err, "find seller by %s identity", ident.Channel)
	return ss.findSeller(ctx, `JOIN seller_identities i ON i.seller_id = s.id
		WHERE i.channel = $1 AND i.external_id = $2`, ident.Channel, ident.ExternalID)
}

func (ss *SellerService) findSeller(ctx context.Context, where string, args ...any) (*domain.Seller, error) {
	q := ss.db.q(ctx)
	s, err := scanSeller(q.QueryRow(ctx, `SELECT `+sellerColumns+` FROM sellers s `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("error.seller.not_found")
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT channel, external_id, name FROM seller_identities
		WHERE seller_id = $1 ORDER BY created_at, channel, external_id`, s.ID)
	if err != nil {
		return nil, err
	}
	s.Identities, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Identity, error) {
		var i domain.Identity
		return i, r.Scan(&i.Channel, &i.ExternalID, &i.Name)
	})
	return s, err
}

// CreateSeller stores a new seller and its identities; s.ID and timestamps
// are set on success.
func (ss *SellerService) CreateSeller(ctx context.Context, s *domain.Seller) (err error) {
	defer wrap(&err, "create seller")
	if s.Language == "" {
		s.Language = domain.LangEnglish
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	return ss.db.inTx(ctx, func(tx pgx.Tx) error {
		muted := s.MutedNotifications
		if muted == nil {
			muted = []domain.NotificationKind{}
		}
		err := tx.QueryRow(ctx, `INSERT INTO sellers (name, company, phone, language, time_zone, return_address,
			muted_notifications, quiet_hours)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at, updated_at`,
			s.Name, s.Company, s.Phone, s.Language, s.TimeZone, s.ReturnAddress, muted, s.QuietHours,
		).Scan(&s.ID, &s.CreatedAt, &s.UpdatedAt)
		if err != nil {
			return err
		}
		for _, ident := range s.Identities {
			if err := addIdentity(ctx, tx, s.ID, ident); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateSeller changes the given fields.
func (ss *SellerService) UpdateSeller(ctx context.Context, id int64, upd domain.SellerUpdate) (_ *domain.Seller, err error) {
	defer wrap(&err, "update seller %d", id)
	if _, err := ss.FindSellerByID(ctx, id); err != nil {
		return nil, err
	}
	err = ss.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := updateSeller(ctx, tx, id, upd); err != nil {
			return err
		}
		if upd.QuietHours != nil && !*upd.QuietHours {
			return releaseQuietHeld(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ss.FindSellerByID(ctx, id)
}

func updateSeller(ctx context.Context, q querier, id int64, upd domain.SellerUpdate) error {
	_, err := q.Exec(ctx, `UPDATE sellers SET
		name = coalesce($2, name), company = coalesce($3, company), phone = coalesce($4, phone),
		language = coalesce($5, language), time_zone = coalesce($6, time_zone),
		return_address = coalesce($7, return_address), unreachable = coalesce($8, unreachable),
		muted_notifications = coalesce($9, muted_notifications), quiet_hours = coalesce($10, quiet_hours),
		updated_at = now()
		WHERE id = $1`,
		id, upd.Name, upd.Company, upd.Phone, upd.Language, upd.TimeZone, upd.ReturnAddress, upd.Unreachable,
		upd.MutedNotifications, upd.QuietHours)
	return err
}

// AddIdentity links another chat account to a seller.
func (ss *SellerService) AddIdentity(ctx context.Context, sellerID int64, ident domain.Identity) (err error) {
	defer wrap(&err, "add %s identity to seller %d", ident.Channel, sellerID)
	return addIdentity(ctx, ss.db.q(ctx), sellerID, ident)
}

func addIdentity(ctx context.Context, q querier, sellerID int64, ident domain.Identity) error {
	_, err := q.Exec(ctx, `INSERT INTO seller_identities (channel, external_id, seller_id, name) VALUES ($1, $2, $3, $4)`,
		ident.Channel, ident.ExternalID, sellerID, ident.Name)
	return err
}
