package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The staff side: support staff work from one shared staff chat (a Telegram
// supergroup, ideally with forum topics). Everything a seller sends to
// support is queued as a SupportRelay and copied into the seller's thread
// there; what staff post is relayed back, and every staff action is done
// as an Actor of kind staff.

// StaffActor is the actor for a member of the staff chat: their chat
// account's user id and display name, for transitions and the audit log.
// Sellers never see it.
func StaffActor(userID int64, name string) Actor {
	return Actor{Kind: ActorStaff, ID: userID, Name: name}
}

// SupportThread is a seller's forum topic in the staff chat. A chat without
// topics has no threads: each relayed post carries the seller's header.
type SupportThread struct {
	ChatID    int64 // the staff chat; it changes when a group becomes a supergroup
	SellerID  int64
	ThreadID  int64  // the topic's message_thread_id
	Name      string // the topic's name as last set: seller, stores, channel
	UpdatedAt time.Time
}

// RelayKind says what a queued relay carries to staff.
type RelayKind string

// Relay kinds.
const (
	RelayMessage    RelayKind = "message"     // what the seller sent to support: text and files
	RelayPickupCode RelayKind = "pickup_code" // the seller confirmed a pickup code for a return
	RelayTask       RelayKind = "task"        // the seller decided (or asked for inspection): staff act
	RelayAlert      RelayKind = "alert"       // staff should know: the seller blocked the bot
	// RelayAccountTaken: the seller tried to connect a WB account (Text is
	// its sid) that another Indigo seller has connected, and was refused.
	RelayAccountTaken RelayKind = "account_taken"
	// RelayResale: a shelf unit needs staff (Text is a ResaleTask): pick
	// an order with its sticker, hand a supply over with its QR, put a
	// unit back or take it off the shelf. ReturnID is the unit's return.
	RelayResale RelayKind = "resale"
	// RelayNoticeSent: a pushed notice reached the seller outside their
	// chat's window (a WeChat template); Text is the notice's kind.
	RelayNoticeSent RelayKind = "notice_sent"
	// RelayNoticeRefused: the seller cannot be reached outside their
	// chat's window; Text is "kind|since (RFC 3339)|reason".
	RelayNoticeRefused RelayKind = "notice_refused"
)

// Unreached is a chat that notices outside its window do not reach (a
// WeChat follower whose templates are refused): since when, the kind of
// the last notice and why (conversations.NoticeRefusal).
type Unreached struct {
	Identity     Identity
	Since        time.Time
	Kind, Reason string
}

// ResaleTask is what a RelayResale asks of staff.
type ResaleTask string

// Resale tasks.
const (
	ResalePick     ResaleTask = "pick"      // a buyer ordered the unit: pick, label, pack
	ResaleQR       ResaleTask = "qr"        // the unit's supply was delivered: here is its QR
	ResaleUnpick   ResaleTask = "cancel"    // the order was cancelled: back to the shelf place
	ResaleRefused  ResaleTask = "refuse"    // cancelled after hand-over: it comes back as a return
	ResaleWithdraw ResaleTask = "withdraw"  // the seller withdrew it: off the shelf
	ResaleDrift    ResaleTask = "drift"     // WB's stock differs from the shelf (Text after the task)
	ResaleNoSize   ResaleTask = "no_size"   // the card has no size for the unit's barcode
	ResaleNoUnit   ResaleTask = "no_unit"   // an order came for a size with no unit on the shelf: Indigo cancelled it
	ResalePass     ResaleTask = "pass"      // a pass to the WB warehouse is needed
	ResaleBlocked  ResaleTask = "blocked"   // the store cannot sell on WB: the seller was told why
	ResalePickList ResaleTask = "pick_list" // the day's picks of the seller (Text after the task: the day)
)

// SupportRelay is something waiting to be posted into the seller's thread
// in the staff chat. It is queued in the same transaction as the turn that
// caused it, so nothing a seller sent is lost to a crash, and posted in
// merged batches that stay within the staff chat's rate limit.
type SupportRelay struct {
	ID       int64
	SellerID int64
	Kind     RelayKind
	// Where the seller said it: the message staff answer in context.
	Channel   Channel
	ChatID    string
	MessageID string
	Text      string // the message or caption; the code; the lifecycle event of a task
	ReturnID  *int64 // the return it is about, if any
	Files     []*RelayFile
	CreatedAt time.Time
	// Claim is the token of the lease the relay was claimed under: marks
	// and renewals by any other claim are refused.
	Claim int64
}

// RelayFile is a file a seller sent to support, kept until it is posted.
// Claimed relays describe their files without the bytes, which are loaded
// one file at a time as each is posted (FindRelayFileData): a batch of
// hundreds of relays never holds their files at once.
type RelayFile struct {
	ID          int64
	Kind        AttachmentKind
	Name        string
	ContentType string
	Size        int64
	Data        []byte // the bytes to queue; nil in claimed relays
}

// StaffPostKind says what a message the bot posted in the staff chat is.
type StaffPostKind string

// Staff post kinds.
const (
	StaffPostRelay StaffPostKind = "relay" // a copy of what a seller sent; a reply to it goes to the seller
	StaffPostCard  StaffPostKind = "card"  // a return card; a reply to it records on the return
	// A question a staff step waits on (StaffPost.Question names it); only
	// a reply to it answers.
	StaffPostQuestion StaffPostKind = "question"
)

// StaffPost ties a message the bot posted in the staff chat to the seller
// and return it is about, so that a staff reply to it lands in context.
type StaffPost struct {
	ChatID          int64
	MessageID       int64
	Kind            StaffPostKind
	SellerID        int64
	SellerMessageID string // the seller's message it copies, "" for none
	ReturnID        *int64
	Question        string // the declared staff state a question post waits in
	CreatedAt       time.Time
}

// SupportService keeps the staff side's state: the relay queue, the
// sellers' threads, the posts' links and where the staff chat moved.
// Only staff and the system use it, except QueueRelay, which a seller's
// turn calls for that seller.
type SupportService interface {
	// QueueRelay adds a relay, inside the caller's transaction if any.
	QueueRelay(ctx context.Context, r *SupportRelay) error
	// ClaimRelays leases the unposted relays of up to sellers sellers, the
	// longest waiting first and none another live claim holds relays of,
	// under one new claim token, their files described but not loaded; a
	// claim neither renewed nor marked relayed before the lease ends is
	// claimed again.
	ClaimRelays(ctx context.Context, now time.Time, lease time.Duration, sellers int) ([]*SupportRelay, error)
	// RenewRelayClaim extends to until the lease of the unposted relays
	// claim still holds and returns their ids.
	RenewRelayClaim(ctx context.Context, claim int64, until time.Time) ([]int64, error)
	// MarkRelayed records those of ids that claim still holds as posted,
	// drops their files and returns how many it marked.
	MarkRelayed(ctx context.Context, ids []int64, claim int64) (int, error)
	// FindRelayFileData loads the bytes of one file of a claimed relay.
	FindRelayFileData(ctx context.Context, fileID int64) ([]byte, error)

	FindSupportThread(ctx context.Context, chatID, sellerID int64) (*SupportThread, error)
	FindSupportThreadByTopic(ctx context.Context, chatID, threadID int64) (*SupportThread, error)
	// SaveSupportThread creates or replaces the seller's thread in the chat.
	SaveSupportThread(ctx context.Context, t *SupportThread) error

	// SaveStaffPost records (or replaces) what a posted message is about.
	SaveStaffPost(ctx context.Context, p *StaffPost) error
	FindStaffPost(ctx context.Context, chatID, messageID int64) (*StaffPost, error)

	// MoveStaffChat records that chat from became chat to (a group upgraded
	// to a supergroup) and moves the sellers' threads along.
	MoveStaffChat(ctx context.Context, from, to int64) error
	// CurrentStaffChat follows recorded moves from a configured chat id.
	CurrentStaffChat(ctx context.Context, chatID int64) (int64, error)

	// SearchSellers finds sellers by id ("#12"), name, company or chat
	// account id, for staff looking a seller up.
	SearchSellers(ctx context.Context, query string, limit int) ([]*Seller, error)
}

// Text is the relay text of the task with its arguments, e.g. the order
// and size of ResaleNoUnit: "no_unit:5000012:987".
func (t ResaleTask) Text(args ...any) string {
	s := string(t)
	for _, a := range args {
		s += ":" + fmt.Sprint(a)
	}
	return s
}

// ParseResaleTask splits a relay text made by ResaleTask.Text.
func ParseResaleTask(text string) (ResaleTask, []string) {
	parts := strings.Split(text, ":")
	return ResaleTask(parts[0]), parts[1:]
}
