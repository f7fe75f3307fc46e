package domain

import (
	"context"
	"strings"
	"time"
)

// Language is a language a person reads Indigo in.
type Language string

// Languages Indigo speaks.
const (
	LangEnglish Language = "en"
	LangChinese Language = "zh"
	LangRussian Language = "ru"
)

// AllLanguages lists the languages in menu order.
func AllLanguages() []Language { return []Language{LangEnglish, LangChinese, LangRussian} }

// ParseLanguage maps a language tag such as Telegram's "ru" or "zh-hans" to
// one of Indigo's languages, falling back to English.
func ParseLanguage(tag string) Language {
	if len(tag) >= 2 {
		switch Language(tag[:2]) {
		case LangChinese:
			return LangChinese
		case LangRussian:
			return LangRussian
		}
	}
	return LangEnglish
}

// Channel is a chat platform a seller talks to Indigo on.
type Channel string

// Channels.
const (
	ChannelTelegram Channel = "telegram"
	ChannelWeChat   Channel = "wechat"
)

// AllChannels lists the channels.
func AllChannels() []Channel { return []Channel{ChannelTelegram, ChannelWeChat} }

// Identity ties a seller to an account on a channel: a Telegram user id or
// a WeChat openid.
type Identity struct {
	Channel    Channel
	ExternalID string
	// Name is how a team member is shown in the audit and on decisions;
	// "" for the account that created the seller, shown as Seller.Name.
	Name string
}

// Same reports whether two identities are one account, whatever their names.
func (i Identity) Same(o Identity) bool {
	return i.Channel == o.Channel && i.ExternalID == o.ExternalID
}

// String is the identity as the audit records it: "telegram:42".
func (i Identity) String() string { return string(i.Channel) + ":" + i.ExternalID }

// ParseIdentity reads an identity back from its String form.
func ParseIdentity(s string) Identity {
	ch, ext, _ := strings.Cut(s, ":")
	return Identity{Channel: Channel(ch), ExternalID: ext}
}

// Seller is a marketplace seller using Indigo.
type Seller struct {
	ID         int64
	Name       string
	Company    string
	Phone      string
	Language   Language
	TimeZone   string // IANA name, for quiet hours and digests
	Identities []Identity

	// Profile, required before "Return to seller" (manual §5).
	ReturnAddress  string
	LegalDocuments int  // how many legal document attachments are on file
	Unreachable    bool // the seller blocked the bot; pushes stop

	// What pushes the seller wants (/notifications).
	MutedNotifications []NotificationKind
	QuietHours         bool // no pushes 22:00–08:00 in TimeZone, except what cannot wait
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ProfileComplete reports whether returns can be shipped to this seller.
func (s *Seller) ProfileComplete() bool {
	return s.ReturnAddress != "" && s.LegalDocuments > 0
}

// SellerUpdate changes a seller. Nil fields are kept.
type SellerUpdate struct {
	Name          *string
	Company       *string
	Phone         *string
	Language      *Language
	TimeZone      *string
	ReturnAddress *string
	Unreachable   *bool

	MutedNotifications *[]NotificationKind
	// QuietHours set to false also releases what quiet hours held
	// (OutboxService.MarkHeld): the seller asked for it now, not at 08:00.
	QuietHours *bool
}

// SellerService stores sellers and their channel identities.
type SellerService interface {
	FindSellerByID(ctx context.Context, id int64) (*Seller, error)
	FindSellerByIdentity(ctx context.Context, id Identity) (*Seller, error)
	CreateSeller(ctx context.Context, s *Seller) error
	UpdateSeller(ctx context.Context, id int64, upd SellerUpdate) (*Seller, error)
	AddIdentity(ctx context.Context, sellerID int64, id Identity) error
	// RemoveIdentity takes a team member's account off the seller; the
	// seller's first account, its owner, cannot be removed.
	RemoveIdentity(ctx context.Context, sellerID int64, id Identity) error

	// CreateInvite makes a one-time invitation for a colleague to act for
	// the seller and returns its secret code; only a hash is stored.
	CreateInvite(ctx context.Context, sellerID int64, ttl time.Duration) (code string, err error)
	// AcceptInvite spends an invitation: id joins the seller that made it.
	// A used, expired or unknown code is an error with a locales id, and
	// so is an account that already acts for a seller.
	AcceptInvite(ctx context.Context, code string, id Identity) (*Seller, error)
}

// Owner is the account that created the seller: the first identity.
func (s *Seller) Owner() (Identity, bool) {
	if len(s.Identities) == 0 {
		return Identity{}, false
	}
	return s.Identities[0], true
}

// IsOwner reports whether id is the seller's owner.
func (s *Seller) IsOwner(id Identity) bool {
	owner, ok := s.Owner()
	return ok && owner.Same(id)
}

// Member returns the seller's identity that is the same account as id.
func (s *Seller) Member(id Identity) (Identity, bool) {
	for _, i := range s.Identities {
		if i.Same(id) {
			return i, true
		}
	}
	return Identity{}, false
}

// NameOf is how the person acting as id is shown: a member by their own
// name, the owner (and a member without one) by the seller's.
func (s *Seller) NameOf(id Identity) string {
	if m, ok := s.Member(id); ok && m.Name != "" {
		return m.Name
	}
	return s.Name
}

// ActorForPerson is ActorFor the person an audit string names
// ("telegram:42"), or the owner for "". It is false when that person no
// longer acts for the seller: a removed member's browser stops working.
func (s *Seller) ActorForPerson(person string) (Actor, bool) {
	id, ok := s.Owner()
	if person != "" {
		id, ok = s.Member(ParseIdentity(person))
	}
	if !ok {
		return Actor{}, false
	}
	return s.ActorFor(id), true
}

// ActorFor is the actor for a person acting for the seller: the seller's
// id, so every query stays within the seller's data, and the person's own
// account and name, so the audit says who it was.
func (s *Seller) ActorFor(id Identity) Actor {
	return Actor{Kind: ActorSeller, ID: s.ID, Name: s.NameOf(id), Person: id.String()}
}

// Wants reports whether the seller wants pushes of this kind.
func (s *Seller) Wants(k NotificationKind) bool {
	for _, m := range s.MutedNotifications {
		if m == k {
			return false
		}
	}
	return true
}
