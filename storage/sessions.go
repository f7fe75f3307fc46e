package storage

import (
	"context"

	"github.com/indigo-warehouse/indigo/domain"
)

// SessionService implements domain.SessionService.
type SessionService struct{ db *DB }

var _ domain.SessionService = (*SessionService)(nil)

// NewSessionService returns the chat session repository.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

// WithSession implements domain.SessionService. The row lock serialises the
// inputs of one chat across goroutines and replicas, so a chat's inputs are
// handled one at a time, in order.
func (ss *SessionService) WithSession(ctx context.Context, ch domain.Channel, chatID string, fn func(ctx context.Context, s *domain.ChatSession) error) (err error) {
	defer wrap(&err, "session %s/%s", ch, chatID)
	return ss.db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		if _, err := tx.Exec(ctx, `INSERT INTO chat_sessions (channel, chat_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, ch, chatID); err != nil {
			return err
		}
		s := domain.ChatSession{Channel: ch, ChatID: chatID}
		var sellerID *int64
		if err := tx.QueryRow(ctx, `SELECT seller_id, flow, state, data, version, last_update_id, updated_at
			FROM chat_sessions WHERE channel = $1 AND chat_id = $2 FOR UPDATE`, ch, chatID).Scan(
			&sellerID, &s.Flow, &s.State, &s.Data, &s.Version, &s.LastUpdateID, &s.UpdatedAt); err != nil {
			return err
		}
		if sellerID != nil {
			s.SellerID = *sellerID
		}
		if s.Data == nil {
			s.Data = map[string]string{}
		}
		if err := fn(ctx, &s); err != nil {
			return err
		}
		var seller *int64
		if s.SellerID != 0 {
			seller = &s.SellerID
		}
		_, err := tx.Exec(ctx, `UPDATE chat_sessions SET seller_id = $3, flow = $4, state = $5, data = $6,
			version = $7, last_update_id = $8, updated_at = now() WHERE channel = $1 AND chat_id = $2`,
			ch, chatID, seller, s.Flow, s.State, s.Data, s.Version, s.LastUpdateID)
		return err
	})
}

// BotOffset returns where a bot's update stream resumes (0 the first time).
func (ss *SessionService) BotOffset(ctx context.Context, bot string) (_ int64, err error) {
	defer wrap(&err, "read offset of bot %s", bot)
	var off int64
	err = ss.db.q(ctx).QueryRow(ctx, `SELECT next_offset FROM bot_offsets WHERE bot = $1`, bot).Scan(&off)
	if errNoRows(err) {
		return 0, nil
	}
	return off, err
}

// SetBotOffset records that every update before next is handled. It never
// moves backwards, so a slow replica cannot undo a faster one's progress.
func (ss *SessionService) SetBotOffset(ctx context.Context, bot string, next int64) (err error) {
	defer wrap(&err, "save offset of bot %s", bot)
	_, err = ss.db.q(ctx).Exec(ctx, `INSERT INTO bot_offsets (bot, next_offset) VALUES ($1, $2)
		ON CONFLICT (bot) DO UPDATE SET next_offset = greatest(bot_offsets.next_offset, $2)`, bot, next)
	return err
}
