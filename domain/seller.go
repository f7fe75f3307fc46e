package domain

import (
	"context"
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
	QuietHours         *bool
}

// SellerService stores sellers and their channel identities.
type SellerService interface {
	FindSellerByID(ctx context.Context, id int64) (*Seller, error)
	FindSellerByIdentity(ctx context.Context, id Identity) (*Seller, error)
	CreateSeller(ctx context.Context, s *Seller) error
	UpdateSeller(ctx context.Context, id int64, upd SellerUpdate) (*Seller, error)
	AddIdentity(ctx context.Context, sellerID int64, id Identity) error
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
