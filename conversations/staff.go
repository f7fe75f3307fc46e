package conversations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff.go: what support staff go through (issue 5). Staff work from one
// staff chat: each seller has a thread there (a forum topic, or reply
// chains in a chat without topics) holding copies of what the seller sent
// to support; what staff write in it goes back to the seller, signed as
// Indigo support; and the warehouse's steps (pickup, receipt, inspection,
// carrying out the seller's decision) are done there on return cards, each
// as an audited staff actor, so the seller's notifications follow through
// the outbox. This file holds the desk, its ports and the staff commands;
// staff_relay.go moves messages both ways, staff_card.go runs the cards.

// StaffChat is the staff chat as the desk uses it. The channel hosting it
// (bot/telegram) implements it, pacing every post within the chat's limit.
type StaffChat interface {
	// ID is the chat's current id; it changes when a group is upgraded.
	ID() int64
	// Forum reports whether the chat has topics.
	Forum(ctx context.Context) (bool, error)
	OpenTopic(ctx context.Context, name string) (thread int64, err error)
	RenameTopic(ctx context.Context, thread int64, name string) error
	// Post sends m at a place and returns the ids of what it posted: the
	// text (one id per part of a long text), then one per file. It wraps
	// ErrTopicGone when the thread no longer exists.
	Post(ctx context.Context, at StaffPlace, m StaffMessage) ([]string, error)
	// Edit replaces a posted message's text and buttons; with no text, only
	// the buttons.
	Edit(ctx context.Context, messageID string, m StaffMessage) error
}

// ErrTopicGone is wrapped by StaffChat.Post when the topic was deleted or
// archived ("message thread not found"): the desk opens a new one.
var ErrTopicGone = errors.New("staff topic gone")

// StaffPlace is where in the staff chat a message goes.
type StaffPlace struct {
	Thread  int64  // the forum topic; 0 for none or General
	ReplyTo string // the message it answers; "" for none
}

// StaffMessage is one post in the staff chat: text with buttons, then
// files (photos together as an album). A StaffChat opens each file as it
// sends it and lets it go before the next, so a post's memory is one file.
type StaffMessage struct {
	Text    string
	Buttons [][]Button
	Files   []File
	Caption string // on the first file, so files alone still say whose they are
}

// ReplySender is a Sender that can answer one earlier message of a chat,
// so that a staff reply shows in the context of what the seller wrote.
type ReplySender interface {
	SendReply(ctx context.Context, chatID, replyTo string, replies []Reply) error
}

// StaffInput is one thing a member of the staff chat did.
type StaffInput struct {
	Input            // ChatID is the staff chat; UserID and UserName the member
	Thread    int64  // the forum topic it was posted in; 0 for none or General
	ReplyTo   string // the message it answers; a topic's root message is no answer
	Anonymous bool   // posted as the chat itself (an anonymous admin): nobody to attribute it to
}

// StaffDesk is the staff side. It implements SupportDesk (what sellers send
// to support) and StaffAlerts (what the outbox sender cannot deliver).
type StaffDesk struct {
	// Services are the ones the engine is built from (its Support and
	// Staff unset: they are this desk, which the engine takes); the desk
	// reads returns, sellers and stores, and the locales, through them.
	Services Deps
	Support  domain.SupportService
	Audit    domain.AuditService
	Chat     StaffChat
	// Senders reach sellers on their channel, as the Deliverer's do.
	Senders map[domain.Channel]Sender
	// Lang is the language staff read the chat in; default English.
	Lang string
	// Guard recovers a panic while a seller's relays are posted and sets
	// them aside when it keeps coming; nil recovers and logs only.
	Guard *domain.Guard
	// Poisoned holds the inputs any worker set aside: each is posted to the
	// chat once (poisoned.go). nil: they are only logged.
	Poisoned domain.PoisonService
	// Unreached lists the sellers notices do not reach outside their
	// chat's window (staff_notice.go); nil: /unreached says it is off.
	Unreached UnreachedFinder
	// DelayNote is how long a relay may wait for the chat's rate limit
	// before its post says it was held back; default 10 s.
	DelayNote time.Duration
	// Lease is how long a claim of relays holds unless renewed, as it is
	// while its posts go; default 10 minutes. Only a crashed flush's
	// relays wait for it to lapse.
	Lease time.Duration
	Now   func() time.Time
	Log   *slog.Logger
	// Status is what /status shows (staff_status.go); nil: /status says
	// it is off.
	Status StatusSource
	// History keeps staff's answers for the web view's support page
	// (web.go); nil: they are not kept.
	History domain.SupportHistory
}

var (
	_ SupportDesk = (*StaffDesk)(nil)
	_ StaffAlerts = (*StaffDesk)(nil)
)

func (d *StaffDesk) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *StaffDesk) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

func (d *StaffDesk) l() *locales.Localizer { return d.Services.Locales.For(d.Lang) }

// memberL is the language the bot answers a staff member in: their own,
// once they set it with /language, else the staff chat's. What the desk
// posts for everybody (relays, cards) stays in the chat's.
func (d *StaffDesk) memberL(s *domain.ChatSession, userID string) *locales.Localizer {
	if lang := s.Data[staffLangKey(userID)]; lang != "" {
		return d.Services.Locales.For(lang)
	}
	return d.l()
}

// staffLangKey keeps a member's language in the staff chat's session.
func staffLangKey(userID string) string { return "_staff_lang:" + userID }

// staffModule is the staff chat's part of the registry: what members type
// there ("/r_<id>" and "/s_<id>" open a return card and a seller's returns:
// links in posts) and the buttons of its posts. The engine keeps them apart
// from the sellers' (Module.Staff): no seller reaches them.
func staffModule() Module {
	return Module{
		Name:  "staff",
		Staff: true,
		Commands: []Command{
			{Name: "find", Run: (*Turn).find},
			{Name: "inspect", Run: (*Turn).inspectCommand},
			{Name: "ship", Run: (*Turn).shipCommand},
			{Name: "help", Run: (*Turn).staffHelp},
			{Name: "language", Run: (*Turn).staffLanguage}, // staff_find.go: what the bot tells this member
			// staff_tariff.go: Indigo's tariff, and returns about to expire at WB.
			{Name: "tariff", Run: (*Turn).tariffCommand},
			{Name: "expiring", Run: (*Turn).expiringCommand},
			{Name: "status", Run: (*Turn).statusCommand}, // staff_status.go: the service's own figures
			// staff_accounts.go: a seller's account, payments and charges.
			{Name: "account", Run: (*Turn).accountCommand},
			{Name: "payment", Run: (*Turn).paymentCommand},
			{Name: "charge", Run: (*Turn).chargeCommand},
			{Name: "correct", Run: (*Turn).correctCommand},
			{Name: "limit", Run: (*Turn).limitCommand},
			{Name: "paydetails", Run: (*Turn).payDetailsCommand},
			// staff_notice.go: sellers no notice reaches outside their window.
			{Name: "unreached", Run: (*Turn).unreachedCommand},
			{Name: "note", Run: func(*Turn, string) error { return nil }}, // a note between staff, never relayed
		},
		Buttons: staffButtons(), // staff_card.go
	}
}

// staffCommandNames are the staff module's commands, for IsStaffCommand,
// which channels call with no engine at hand.
var staffCommandNames = func() map[string]bool {
	names := map[string]bool{}
	for _, c := range staffModule().Commands {
		names[c.Name] = true
	}
	return names
}()

// IsStaffCommand reports whether text is a staff command, which channels
// refuse anywhere but the staff chat. /help is everybody's.
func IsStaffCommand(text string) bool {
	name, _, ok := commandName(text)
	if !ok || name == "help" {
		return false
	}
	return staffCommandNames[name] || shortcutID(name, "r_") != 0 || shortcutID(name, "s_") != 0
}

// commandName splits "/find@IndigoBot R-1" into "find" and "R-1". The
// name ends at any white space, as Telegram's command entity does: a
// newline or a tab typed after the command is no part of it.
func commandName(text string) (name, arg string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	name = strings.TrimPrefix(text, "/")
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name, arg = name[:i], strings.TrimSpace(name[i:])
	}
	name, _, _ = strings.Cut(name, "@")
	return strings.ToLower(name), arg, true
}

// shortcutID reads the id of "r_12" for prefix "r_", or 0.
func shortcutID(name, prefix string) int64 {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// staffPart is what a Turn holds when its input came from the staff chat.
// The turn is the sellers' Turn type, acting as the staff member (its
// ctx's actor) in the staff chat's session, in the staff language.
type staffPart struct {
	desk  *StaffDesk
	in    StaffInput
	chat  int64
	toast string
	// sends are the posts, edits and replies to sellers the turn decided,
	// made in order once its transaction committed, never if it rolled
	// back: made inside it, they held the staff chat's one session row
	// (and so every other staff input) through Telegram's and WeChat's
	// calls, and a commit that failed after them made them again.
	sends []func(ctx context.Context)
	// reply is the turn's message to a seller (staff_reply.go), kept in
	// the session with the turn and sent after the sends.
	reply *sellerReply
}

// later queues a remote call for after the turn commits; ctx then acts as
// the staff member outside the transaction.
func (t *Turn) later(send func(ctx context.Context)) { t.staff.sends = append(t.staff.sends, send) }

// HandleStaff runs one input from the staff chat and returns the answer to
// a pressed button. Like a seller's input it runs as a Turn in the chat's
// session, so a redelivered input is skipped and a staff action commits
// with it; an error means nothing was done and the input should come again.
func (e *Engine) HandleStaff(ctx context.Context, in StaffInput) (toast string, err error) {
	d := e.Staff
	if d == nil {
		return "", errors.New("staff input while the staff chat is off")
	}
	chat, err := strconv.ParseInt(in.ChatID, 10, 64)
	if err != nil {
		return "", fmt.Errorf("staff input from chat %q: %w", in.ChatID, err)
	}
	uid, _ := strconv.ParseInt(in.UserID, 10, 64)
	actor := domain.StaffActor(uid, in.UserName)
	in.Files = fetchFirst(ctx, in.Files)
	var turn *Turn
	err = e.Sessions.WithSession(ctx, in.Channel, in.ChatID, func(ctx context.Context, s *domain.ChatSession) error {
		// A retried transaction starts the turn again.
		t := &Turn{e: e, s: s, in: in.Input, l: d.memberL(s, in.UserID), ctx: domain.NewContextWithActor(ctx, actor),
			staff: &staffPart{desk: d, in: in, chat: chat}}
		turn = t
		if seen(s, in.UpdateID) {
			var err error
			t.staff.reply, err = unsentReply(s, in.UpdateID) // staff_reply.go
			return err
		}
		markSeen(s, in.UpdateID)
		if err := t.apologize(t.staffDispatch()); err != nil {
			return err
		}
		toast = t.staff.toast
		return keepReply(s, t)
	})
	if e.OnTurn != nil {
		e.OnTurn("staff", err)
	}
	if err != nil {
		return "", fmt.Errorf("handle staff input in chat %s: %w", in.ChatID, err)
	}
	out := domain.NewContextWithActor(ctx, actor)
	for _, send := range turn.staff.sends {
		send(out)
	}
	return toast, turn.sendReply(out)
}

func (t *Turn) staffDispatch() error {
	_, _, isCommand := commandName(t.in.Text)
	switch {
	case t.in.Button != "":
		// A press always carries the real member, even from anonymous admins.
		return t.staffPress()
	case t.staff.in.Anonymous && isCommand:
		t.staffSay("staff.anonymous.refused", nil)
		return nil
	case isCommand:
		return t.staffCommand()
	default:
		return t.staffMessage()
	}
}

// fetchFirst downloads a staff member's files (within the attachment
// limit, two of them at most in memory) before the turn's transaction
// opens, so that no download from Telegram runs with the staff chat's row
// locked; a file that is too large or fails to come is left for the turn,
// which refuses it with the reason.
func fetchFirst(ctx context.Context, files []File) []File {
	out := make([]File, len(files))
	var held int64 // bounded: an album of large files is not all held at once
	for i, f := range files {
		out[i] = f
		if f.Open == nil || f.Size > domain.MaxAttachmentSize || held+f.Size > 2*domain.MaxAttachmentSize {
			continue
		}
		data, err := f.Open(ctx)
		if err != nil || int64(len(data)) > domain.MaxAttachmentSize {
			continue
		}
		held += int64(len(data))
		out[i].Size = int64(len(data))
		out[i].Open = func(context.Context) ([]byte, error) { return data, nil }
	}
	return out
}

// post answers the input where it was made, after the turn commits.
func (t *Turn) post(m StaffMessage) {
	t.later(func(ctx context.Context) { t.postNow(ctx, m) })
}

// postNow is post from a call made after commit. A post that fails is
// logged, not fatal: the action it reports has been done.
func (t *Turn) postNow(ctx context.Context, m StaffMessage) {
	if _, err := t.staff.desk.Chat.Post(ctx, StaffPlace{Thread: t.staff.in.Thread, ReplyTo: t.in.MessageID}, m); err != nil {
		t.staff.desk.log().Warn("staff: post", "err", err)
	}
}

func (t *Turn) staffSay(id string, data map[string]any) {
	t.post(StaffMessage{Text: t.l.T(id, data)})
}

// audit records a staff action with who did it, in the turn's transaction.
func (t *Turn) staffAudit(action string, r *domain.Return, sellerID int64, details map[string]any) error {
	return t.staffAuditIn(t.ctx, action, r, sellerID, details)
}

// auditIn is audit with ctx: outside the transaction after commit.
func (t *Turn) staffAuditIn(ctx context.Context, action string, r *domain.Return, sellerID int64, details map[string]any) error {
	e := &domain.AuditEntry{Action: action, Details: details}
	if r != nil {
		e.ReturnID, sellerID = &r.ID, r.SellerID
	}
	if sellerID != 0 {
		e.SellerID = &sellerID
	}
	if details == nil {
		e.Details = map[string]any{}
	}
	e.Details["staff_chat"] = t.staff.chat
	if t.in.MessageID != "" {
		e.Details["message_id"] = t.in.MessageID
	}
	if err := t.staff.desk.Audit.CreateAuditEntry(ctx, e); err != nil {
		return errInternal(err)
	}
	return nil
}

// sellerName is how staff know a seller: company or name, and the id.
func sellerName(s *domain.Seller) string {
	name := s.Company
	if name == "" {
		name = s.Name
	}
	if name == "" {
		return "#" + strconv.FormatInt(s.ID, 10)
	}
	return name + " #" + strconv.FormatInt(s.ID, 10)
}
