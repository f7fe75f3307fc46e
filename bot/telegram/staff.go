package telegram

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// staff.go: the staff group. Its updates go to the conversations.StaffDesk
// instead of the seller engine, and the desk posts into it through
// StaffChat: into forum topics when the group has them, answering messages
// when it has not, paced with every other send to the group (20 a minute),
// following the group when it is upgraded to a supergroup.

// anonymousAdmin is @GroupAnonymousBot, the `from` of messages an admin
// posts as the group: they cannot be told apart.
const anonymousAdmin = 1087968824

// forumTTL is how long a read of the group's is_forum is trusted: staff
// may switch topics on at any time.
const forumTTL = 5 * time.Minute

// StaffChat is the staff group as a conversations.StaffChat.
type StaffChat struct {
	b      *Bot
	moves  ChatMoves
	id     atomic.Int64
	prev   sync.Map // earlier ids (int64): the upgrade's service message comes from there
	fields sync.Map // update id → topicFields, from decode until handled

	mu      sync.Mutex
	forum   bool
	forumAt time.Time // zero: not read yet
}

var _ conversations.StaffChat = (*StaffChat)(nil)

// ChatMoves records the staff chat's new id when the group is upgraded to
// a supergroup, moving the sellers' threads along (storage's support
// service).
type ChatMoves interface {
	MoveStaffChat(ctx context.Context, from, to int64) error
}

// StaffChat makes group chatID the bot's staff chat: its updates run as
// staff input (Engine.HandleStaff) once the bot runs, and moves records
// the group's upgrade to a supergroup.
func (b *Bot) StaffChat(chatID int64, moves ChatMoves) *StaffChat {
	c := &StaffChat{b: b, moves: moves}
	c.id.Store(chatID)
	b.staff.Store(c)
	return c
}

// ID is the group's current id.
func (c *StaffChat) ID() int64 { return c.id.Load() }

// SetID points the chat at the group's current id, e.g. after looking up a
// recorded upgrade at start.
func (c *StaffChat) SetID(id int64) {
	if old := c.id.Swap(id); old != id {
		c.prev.Store(old, true)
		c.mu.Lock()
		c.forumAt = time.Time{}
		c.mu.Unlock()
	}
}

func (c *StaffChat) owns(chat int64) bool {
	if chat == c.ID() {
		return true
	}
	_, ok := c.prev.Load(chat)
	return ok
}

func (c *StaffChat) forgetBefore(offset int) {
	c.fields.Range(func(k, _ any) bool {
		if k.(int) < offset {
			c.fields.Delete(k)
		}
		return true
	})
}

// moved follows the group to its supergroup: the stored ids move too.
func (c *StaffChat) moved(ctx context.Context, from, to int64) error {
	if err := c.moves.MoveStaffChat(domain.NewContextWithActor(ctx, domain.System), from, to); err != nil {
		return fmt.Errorf("staff chat moved from %d to %d: %w", from, to, err)
	}
	c.b.log.Info("telegram: the staff group moved", "from", from, "to", to)
	c.SetID(to)
	return nil
}

// routeStaff takes the staff group's updates, and refuses staff commands
// sent anywhere else. routed is false for what the seller engine handles.
func (b *intake) routeStaff(ctx context.Context, u tgbotapi.Update) (routed bool, err error) {
	c := b.staff.Load()
	if c == nil {
		return false, nil
	}
	if m := u.Message; c.owns(chatOf(u)) || (m != nil && m.MigrateFromChatID != 0 && c.owns(m.MigrateFromChatID)) {
		defer c.fields.Delete(u.UpdateID)
		return true, c.handle(ctx, b.engine, u)
	}
	m := u.Message
	if m == nil || m.Chat == nil || m.From == nil || !conversations.IsStaffCommand(m.Text) {
		return false, nil
	}
	b.log.Info("telegram: staff command outside the staff chat refused", "chat", m.Chat.ID, "user", m.From.ID)
	refusal := conversations.Reply{Text: b.bundle.For(m.From.LanguageCode).T("staff.refused.elsewhere")}
	if err := b.Send(ctx, strconv.FormatInt(m.Chat.ID, 10), []conversations.Reply{refusal}); err != nil {
		b.log.Warn("telegram: refuse staff command", "err", err)
	}
	return true, nil
}

func (c *StaffChat) handle(ctx context.Context, engine *conversations.Engine, u tgbotapi.Update) error {
	if m := u.Message; m != nil {
		switch {
		case m.MigrateToChatID != 0:
			return c.moved(ctx, m.Chat.ID, m.MigrateToChatID)
		case m.MigrateFromChatID != 0:
			return c.moved(ctx, m.MigrateFromChatID, m.Chat.ID)
		case m.From == nil || (m.From.IsBot && m.From.ID != anonymousAdmin):
			return nil // service messages and other bots
		}
	}
	in, _, ok := c.b.input(u)
	if !ok {
		if q := u.CallbackQuery; q != nil {
			c.b.answerCallback(ctx, q.ID, "")
		}
		return nil
	}
	sin := conversations.StaffInput{Input: in}
	var f topicFields
	if v, ok := c.fields.Load(u.UpdateID); ok {
		f = v.(topicFields)
	}
	if f.IsTopicMessage {
		sin.Thread = f.ThreadID
	}
	if m := u.Message; m != nil {
		// Inside a topic every message "replies" to the topic's root: no answer.
		if r := m.ReplyToMessage; r != nil && (sin.Thread == 0 || int64(r.MessageID) != sin.Thread) {
			sin.ReplyTo = strconv.Itoa(r.MessageID)
		}
		sin.Anonymous = m.From.ID == anonymousAdmin || (f.SenderChatID != 0 && f.SenderChatID == m.Chat.ID)
	}
	toast, err := engine.HandleStaff(ctx, sin)
	if q := u.CallbackQuery; q != nil {
		c.b.answerCallback(ctx, q.ID, truncate(toast, maxToast))
	}
	return err
}

// Forum reports whether the group has topics.
func (c *StaffChat) Forum(ctx context.Context) (bool, error) {
	c.mu.Lock()
	if !c.forumAt.IsZero() && time.Since(c.forumAt) < forumTTL {
		defer c.mu.Unlock()
		return c.forum, nil
	}
	c.mu.Unlock()
	forum, err := c.b.isForum(ctx, c.ID())
	if err != nil {
		return false, fmt.Errorf("staff chat: %w", err)
	}
	c.mu.Lock()
	c.forum, c.forumAt = forum, time.Now()
	c.mu.Unlock()
	return forum, nil
}

// OpenTopic creates a topic for a seller.
func (c *StaffChat) OpenTopic(ctx context.Context, name string) (int64, error) {
	for attempt := 0; ; attempt++ {
		chat := c.ID()
		id, err := c.b.createTopic(ctx, chat, name)
		if to := migratedTo(err); to != 0 && attempt == 0 {
			if err := c.moved(ctx, chat, to); err != nil {
				return 0, err
			}
			continue
		}
		if isAPIError(err, "the chat is not a forum") {
			// Topics were switched off: read is_forum again next time.
			c.mu.Lock()
			c.forumAt = time.Time{}
			c.mu.Unlock()
		}
		return id, err
	}
}

// RenameTopic renames a seller's topic.
func (c *StaffChat) RenameTopic(ctx context.Context, thread int64, name string) error {
	err := c.b.editTopic(ctx, c.ID(), thread, name)
	if threadGone(err) {
		return fmt.Errorf("rename topic %d: %w", thread, conversations.ErrTopicGone)
	}
	return err
}
