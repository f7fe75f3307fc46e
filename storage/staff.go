package storage

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indigo-warehouse/indigo/domain"
)

// SupportChannel is the NOTIFY channel signalled when a relay is queued.
// Besides QueueRelay, triggers queue relays in the transaction of the
// change (migration 00007): a seller's decision or inspection request on
// return_transitions, a confirmed pickup code on returns.
const SupportChannel = "indigo_support"

// SupportService implements domain.SupportService.
type SupportService struct{ db *DB }

var _ domain.SupportService = (*SupportService)(nil)

// NewSupportService returns the staff side's repository.
func NewSupportService(db *DB) *SupportService { return &SupportService{db: db} }

// staffOnly refuses sellers (and a missing actor): the staff side's
// tables are not seller-facing.
func staffOnly(ctx context.Context) error {
	scope, err := actorScope(ctx)
	if err != nil {
		return err
	}
	if scope != 0 {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("staff side")}
	}
	return nil
}

// QueueRelay adds a relay with its files. A seller may queue only their own.
func (ss *SupportService) QueueRelay(ctx context.Context, r *domain.SupportRelay) (err error) {
	defer wrap(&err, "queue %s relay for seller %d", r.Kind, r.SellerID)
	if scope, err := actorScope(ctx); err != nil {
		return err
	} else if scope != 0 && scope != r.SellerID {
		return &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden"}
	}
	for _, f := range r.Files {
		if len(f.Data) > domain.MaxAttachmentSize {
			return domain.Errorf(domain.CodeInvalid, "error.attachment.too_large", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})
		}
	}
	return ss.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO support_relays
			(seller_id, kind, channel, chat_id, message_id, text, return_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
			r.SellerID, r.Kind, r.Channel, r.ChatID, r.MessageID, r.Text, r.ReturnID,
		).Scan(&r.ID, &r.CreatedAt); err != nil {
			return err
		}
		for _, f := range r.Files {
			if _, err := tx.Exec(ctx, `INSERT INTO support_relay_files (relay_id, kind, file_name, content_type, data)
				VALUES ($1, $2, $3, $4, $5)`, r.ID, f.Kind, f.Name, f.ContentType, f.Data); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClaimRelays implements domain.SupportService. Sellers come in the order
// of their oldest relay, each with every relay they have waiting (up to
// maxClaimedRelays in all), so that one post carries a seller's backlog.
// SKIP LOCKED lets replicas claim side by side without waiting, and the
// new token fences the claim against the one whose lease lapsed. A
// seller whose relays another live claim holds is skipped: one flush at a
// time posts into a seller's thread, so posts keep their order and a new
// seller gets one topic. Claims take turns on an advisory lock for that,
// as two at once would each miss the other's.
func (ss *SupportService) ClaimRelays(ctx context.Context, now time.Time, lease time.Duration, sellers int) (_ []*domain.SupportRelay, err error) {
	defer wrap(&err, "claim support relays")
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	var out []*domain.SupportRelay
	err = ss.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('indigo.support_relays.claim', 0))`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `WITH claim AS (SELECT nextval('outbox_claim_tokens') AS token),
			free AS (SELECT id, seller_id FROM support_relays r
				WHERE relayed_at IS NULL AND (leased_until IS NULL OR leased_until < $1)
				AND NOT EXISTS (SELECT 1 FROM support_relays live WHERE live.seller_id = r.seller_id
					AND live.relayed_at IS NULL AND live.leased_until >= $1)),
			sellers AS (SELECT seller_id FROM free GROUP BY seller_id ORDER BY min(id) LIMIT $3)
			UPDATE support_relays SET leased_until = $2, claim_token = claim.token
			FROM claim
			WHERE id IN (SELECT id FROM support_relays WHERE id IN (SELECT id FROM free WHERE seller_id IN (SELECT seller_id FROM sellers))
				ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
			RETURNING id, seller_id, kind, channel, chat_id, message_id, text, return_id, created_at, claim_token`,
			now, now.Add(lease), sellers, maxClaimedRelays)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.SupportRelay, error) {
			var s domain.SupportRelay
			err := r.Scan(&s.ID, &s.SellerID, &s.Kind, &s.Channel, &s.ChatID, &s.MessageID, &s.Text, &s.ReturnID, &s.CreatedAt, &s.Claim)
			return &s, err
		})
		if err != nil || len(out) == 0 {
			return err
		}
		slices.SortFunc(out, func(a, b *domain.SupportRelay) int { return cmp.Compare(a.ID, b.ID) })
		return loadRelayFiles(ctx, tx, out)
	})
	return out, err
}

// maxClaimedRelays bounds one claim, however many relays its sellers have
// waiting: a post's lines and files are read into memory together.
const maxClaimedRelays = 500

func loadRelayFiles(ctx context.Context, q querier, relays []*domain.SupportRelay) error {
	byID := make(map[int64]*domain.SupportRelay, len(relays))
	ids := make([]int64, len(relays))
	for i, r := range relays {
		byID[r.ID], ids[i] = r, r.ID
	}
	// The bytes stay behind: FindRelayFileData loads each as it is posted.
	rows, err := q.Query(ctx, `SELECT relay_id, id, kind, file_name, content_type, length(data)
		FROM support_relay_files WHERE relay_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return err
	}
	var relayID int64
	var f domain.RelayFile
	_, err = pgx.ForEachRow(rows, []any{&relayID, &f.ID, &f.Kind, &f.Name, &f.ContentType, &f.Size}, func() error {
		file := f
		byID[relayID].Files = append(byID[relayID].Files, &file)
		return nil
	})
	return err
}

// FindRelayFileData implements domain.SupportService. It reads from the
// pool, never the caller's transaction: a Telegram upload reads the file
// on a goroutine of its own, which must not share the transaction's
// connection with its caller.
func (ss *SupportService) FindRelayFileData(ctx context.Context, fileID int64) (_ []byte, err error) {
	defer wrap(&err, "find relay file %d", fileID)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	var data []byte
	err = ss.db.Pool.QueryRow(ctx, `SELECT data FROM support_relay_files WHERE id = $1`, fileID).Scan(&data)
	return data, err // a missing row is not_found, through wrap
}

// RenewRelayClaim implements domain.SupportService.
func (ss *SupportService) RenewRelayClaim(ctx context.Context, claim int64, until time.Time) (_ []int64, err error) {
	defer wrap(&err, "renew relay claim %d", claim)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	rows, err := ss.db.q(ctx).Query(ctx, `UPDATE support_relays SET leased_until = $2
		WHERE claim_token = $1 AND relayed_at IS NULL RETURNING id`, claim, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// MarkRelayed implements domain.SupportService. The rows stay as the
// history of what was relayed; the files go.
func (ss *SupportService) MarkRelayed(ctx context.Context, ids []int64, claim int64) (marked int, err error) {
	defer wrap(&err, "mark %d relays relayed", len(ids))
	if err := staffOnly(ctx); err != nil {
		return 0, err
	}
	err = ss.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE support_relays SET relayed_at = $3, leased_until = NULL
			WHERE id = ANY($1) AND claim_token = $2 AND relayed_at IS NULL RETURNING id`, ids, claim, ss.db.Now())
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		marked = len(done)
		_, err = tx.Exec(ctx, `DELETE FROM support_relay_files WHERE relay_id = ANY($1)`, done)
		return err
	})
	return marked, err
}

const threadColumns = `chat_id, seller_id, thread_id, name, updated_at`

func (ss *SupportService) findThread(ctx context.Context, where string, args ...any) (*domain.SupportThread, error) {
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	var t domain.SupportThread
	err := ss.db.q(ctx).QueryRow(ctx, `SELECT `+threadColumns+` FROM support_threads `+where, args...).
		Scan(&t.ChatID, &t.SellerID, &t.ThreadID, &t.Name, &t.UpdatedAt)
	if errNoRows(err) {
		return nil, notFound("error.not_found")
	}
	return &t, err
}

// FindSupportThread returns the seller's topic in the staff chat.
func (ss *SupportService) FindSupportThread(ctx context.Context, chatID, sellerID int64) (_ *domain.SupportThread, err error) {
	defer wrap(&err, "find support thread of seller %d", sellerID)
	return ss.findThread(ctx, `WHERE chat_id = $1 AND seller_id = $2`, chatID, sellerID)
}

// FindSupportThreadByTopic returns the thread a topic belongs to.
func (ss *SupportService) FindSupportThreadByTopic(ctx context.Context, chatID, threadID int64) (_ *domain.SupportThread, err error) {
	defer wrap(&err, "find support thread %d", threadID)
	return ss.findThread(ctx, `WHERE chat_id = $1 AND thread_id = $2`, chatID, threadID)
}

// SaveSupportThread implements domain.SupportService. A recreated topic
// replaces the seller's old one.
func (ss *SupportService) SaveSupportThread(ctx context.Context, t *domain.SupportThread) (err error) {
	defer wrap(&err, "save support thread of seller %d", t.SellerID)
	if err := staffOnly(ctx); err != nil {
		return err
	}
	return ss.db.inTx(ctx, func(tx pgx.Tx) error {
		// Telegram does not reuse topic ids, but a stale row must not block the new one.
		if _, err := tx.Exec(ctx, `DELETE FROM support_threads WHERE chat_id = $1 AND thread_id = $2 AND seller_id <> $3`,
			t.ChatID, t.ThreadID, t.SellerID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO support_threads (chat_id, seller_id, thread_id, name, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (chat_id, seller_id) DO UPDATE SET thread_id = $3, name = $4, updated_at = $5
			RETURNING updated_at`, t.ChatID, t.SellerID, t.ThreadID, t.Name, ss.db.Now()).Scan(&t.UpdatedAt)
	})
}

// SaveStaffPost implements domain.SupportService.
func (ss *SupportService) SaveStaffPost(ctx context.Context, p *domain.StaffPost) (err error) {
	defer wrap(&err, "save staff post %d", p.MessageID)
	if err := staffOnly(ctx); err != nil {
		return err
	}
	return ss.db.q(ctx).QueryRow(ctx, `INSERT INTO staff_posts
		(chat_id, message_id, kind, seller_id, seller_message_id, return_id, question, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (chat_id, message_id) DO UPDATE SET kind = $3, seller_id = $4,
			seller_message_id = $5, return_id = $6, question = $7
		RETURNING created_at`,
		p.ChatID, p.MessageID, p.Kind, p.SellerID, p.SellerMessageID, p.ReturnID, p.Question, ss.db.Now()).Scan(&p.CreatedAt)
}

// FindStaffPost implements domain.SupportService.
func (ss *SupportService) FindStaffPost(ctx context.Context, chatID, messageID int64) (_ *domain.StaffPost, err error) {
	defer wrap(&err, "find staff post %d", messageID)
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	p := domain.StaffPost{ChatID: chatID, MessageID: messageID}
	err = ss.db.q(ctx).QueryRow(ctx, `SELECT kind, seller_id, seller_message_id, return_id, question, created_at
		FROM staff_posts WHERE chat_id = $1 AND message_id = $2`, chatID, messageID).
		Scan(&p.Kind, &p.SellerID, &p.SellerMessageID, &p.ReturnID, &p.Question, &p.CreatedAt)
	if errNoRows(err) {
		return nil, notFound("error.not_found")
	}
	return &p, err
}

// MoveStaffChat implements domain.SupportService. It is idempotent: the
// group's service message and a send refused with migrate_to_chat_id may
// both report the same move. Posts stay keyed by the old chat, where their
// message ids belong.
func (ss *SupportService) MoveStaffChat(ctx context.Context, from, to int64) (err error) {
	defer wrap(&err, "move staff chat %d to %d", from, to)
	if err := staffOnly(ctx); err != nil {
		return err
	}
	if from == to {
		return nil
	}
	return ss.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO staff_chats (chat_id, migrated_to, migrated_at) VALUES ($1, $2, $3)
			ON CONFLICT (chat_id) DO UPDATE SET migrated_to = $2`, from, to, ss.db.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE support_threads t SET chat_id = $2 WHERE chat_id = $1
			AND NOT EXISTS (SELECT 1 FROM support_threads n WHERE n.chat_id = $2 AND n.seller_id = t.seller_id)`,
			from, to); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM support_threads WHERE chat_id = $1`, from)
		return err
	})
}

// CurrentStaffChat implements domain.SupportService.
func (ss *SupportService) CurrentStaffChat(ctx context.Context, chatID int64) (_ int64, err error) {
	defer wrap(&err, "resolve staff chat %d", chatID)
	if err := staffOnly(ctx); err != nil {
		return 0, err
	}
	seen := map[int64]bool{chatID: true}
	for {
		var next int64
		err := ss.db.q(ctx).QueryRow(ctx, `SELECT migrated_to FROM staff_chats WHERE chat_id = $1`, chatID).Scan(&next)
		if errNoRows(err) {
			return chatID, nil
		}
		if err != nil {
			return 0, err
		}
		if seen[next] {
			return chatID, nil // a loop can only come from a bad manual edit; stop at the last hop
		}
		seen[next], chatID = true, next
	}
}

// SearchSellers implements domain.SupportService.
func (ss *SupportService) SearchSellers(ctx context.Context, query string, limit int) (_ []*domain.Seller, err error) {
	defer wrap(&err, "search sellers")
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(query, "#"), 10, 64)
	rows, err := ss.db.q(ctx).Query(ctx, `SELECT DISTINCT s.id FROM sellers s
		LEFT JOIN seller_identities i ON i.seller_id = s.id
		WHERE s.id = $1 OR i.external_id = $2 OR s.name ILIKE $3 OR s.company ILIKE $3
		ORDER BY s.id LIMIT $4`, id, query, "%"+escapeLike(query)+"%", max(limit, 1))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	sellers := NewSellerService(ss.db)
	out := make([]*domain.Seller, 0, len(ids))
	for _, id := range ids {
		s, err := sellers.FindSellerByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
