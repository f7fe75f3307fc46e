package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// template.go: template messages (模板消息), what reaches a follower
// outside the customer-service window. A push that waits for the
// follower's next message (send.go) is announced, when the window is
// closed or full, by one template per kind of news, at most once per
// Templates.Every for each follower: a few short fields and a link into
// the web view, or an invitation to reply. A template WeChat refuses
// leaves the push waiting as before, and staff hear, once, since when the
// follower cannot be reached.

// Templates configures template messages.
type Templates struct {
	// Kinds maps what a notice announces to the operator's template; a
	// kind without one is not announced, and staff hear of it.
	Kinds map[conversations.NoticeKind]Template
	// Every is how often a follower may get a template of one kind at
	// most; default a day.
	Every time.Duration
	// PublicURL is how browsers reach the web view; "" sends no links.
	PublicURL string
}

// Template is one template of the account: its id and which notice field
// fills each of its keys.
type Template struct {
	ID     string
	Fields []TemplateField
}

// TemplateField fills the template's Key (thing1, time3, keyword2…) with
// the notice's field From (conversations.NoticeFields).
type TemplateField struct{ Key, From string }

// TemplateStore keeps what templates did: storage.WeChatService.
type TemplateStore interface {
	TakeTemplateSlot(ctx context.Context, openID, kind string, now, until time.Time) (bool, error)
	ReturnTemplateSlot(ctx context.Context, openID, kind string, until time.Time) error
	RecordTemplate(ctx context.Context, openID, kind, templateID, clientMsgID string, msgID int64, at time.Time) (status string, err error)
	FinishTemplate(ctx context.Context, msgID int64, status string, at time.Time) (openID, kind string, found bool, err error)
	RefuseTemplate(ctx context.Context, openID, kind, reason string, at time.Time) (since time.Time, first bool, err error)
	ReachedFollower(ctx context.Context, openID string) error
}

// Staff is told in the seller's thread what templates did
// (conversations.NoticeRelays).
type Staff interface {
	NoticeSent(ctx context.Context, id domain.Identity, kind conversations.NoticeKind) error
	NoticeRefused(ctx context.Context, id domain.Identity, kind conversations.NoticeKind, why conversations.NoticeRefusal, since time.Time) error
}

// OAuthPath is the web view's route that takes WeChat's web authorization
// code and opens the page named by its "next" parameter.
const OAuthPath = "/web/wechat/oauth"

// WebLink is the link that opens page of the web view from WeChat:
// through the account's web authorization (snsapi_base, which asks the
// follower nothing), whose code OAuthPath turns into the follower's
// openid before it shows page. Every link into the web view that WeChat
// opens is made here.
func (b *Bot) WebLink(page string) string {
	redirect := strings.TrimRight(b.cfg.Templates.PublicURL, "/") + OAuthPath + "?next=" + url.QueryEscape(page)
	link, _ := b.account("").GetOauth().GetRedirectURL(redirect, "snsapi_base", "indigo")
	return link
}

func (b *Bot) templateEvery() time.Duration {
	if b.cfg.Templates.Every <= 0 {
		return 24 * time.Hour
	}
	return b.cfg.Templates.Every
}

// knock announces by template what waits for the follower.
func (b *Bot) knock(ctx context.Context, openID string, notices []conversations.Notice) {
	for _, n := range notices {
		b.sendTemplate(ctx, openID, n)
	}
}

func (b *Bot) sendTemplate(ctx context.Context, openID string, n conversations.Notice) {
	tpl, msg, why := b.prepareTemplate(openID, n)
	if why != "" {
		b.refused(ctx, openID, n.Kind, why)
		return
	}
	now := b.cfg.Now()
	until := now.Add(b.templateEvery())
	if ok, err := b.store.TakeTemplateSlot(ctx, openID, string(n.Kind), now, until); err != nil || !ok {
		if err != nil {
			b.log.Error("wechat: take template slot", "openid", openID, "err", err)
		}
		return // one went recently: the push waits with the others
	}
	var msgID int64
	err := b.call(ctx, "send template", func(oa *officialaccount.OfficialAccount) error {
		var err error
		msgID, err = oa.GetTemplate().Send(msg)
		return err
	})
	if err != nil {
		b.templateFailed(ctx, openID, n.Kind, until, err)
		return
	}
	b.log.Info("wechat: template sent", "openid", openID, "kind", n.Kind, "msgid", msgID)
	// WeChat has it: it is recorded even if the push's lease lapsed
	// meanwhile, and the slot stays taken, so no second one goes.
	b.templateSent(context.WithoutCancel(ctx), openID, n.Kind, tpl.ID, msg.ClientMsgID, msgID, now)
}

// prepareTemplate is the kind's template filled for the follower, or why
// there is none to send.
func (b *Bot) prepareTemplate(openID string, n conversations.Notice) (Template, *message.TemplateMessage, conversations.NoticeRefusal) {
	tpl, ok := b.cfg.Templates.Kinds[n.Kind]
	if !ok {
		return Template{}, nil, conversations.RefusalNotConfigured
	}
	msg, err := b.templateMessage(openID, tpl, n)
	if err != nil {
		b.log.Error("wechat: template does not fit", "kind", n.Kind, "err", err)
		return Template{}, nil, conversations.RefusalBadField
	}
	return tpl, msg, ""
}

// templateSent records a template WeChat accepted and tells staff; a
// receipt that came first saying it was not delivered is a refusal.
func (b *Bot) templateSent(ctx context.Context, openID string, kind conversations.NoticeKind, templateID, clientMsgID string, msgID int64, at time.Time) {
	status, err := b.store.RecordTemplate(ctx, openID, string(kind), templateID, clientMsgID, msgID, at)
	if err != nil {
		b.log.Error("wechat: record template", "openid", openID, "msgid", msgID, "err", err)
	}
	if b.cfg.Staff != nil {
		if err := b.cfg.Staff.NoticeSent(ctx, identity(openID), kind); err != nil {
			b.log.Warn("wechat: tell staff of a template", "openid", openID, "err", err)
		}
	}
	if status != "" && status != receiptDelivered {
		b.refused(ctx, openID, kind, conversations.RefusalUndelivered)
	}
}

// templateFailed: a refusal keeps the slot (asking again at once would be
// refused again) and is told to staff; a call that did not reach WeChat
// gives it back for the next push.
func (b *Bot) templateFailed(ctx context.Context, openID string, kind conversations.NoticeKind, until time.Time, err error) {
	why, refused := refusalOf(err)
	if !refused {
		b.log.Warn("wechat: send template", "openid", openID, "kind", kind, "err", err)
		if err := b.store.ReturnTemplateSlot(context.WithoutCancel(ctx), openID, string(kind), until); err != nil {
			b.log.Error("wechat: return template slot", "openid", openID, "err", err)
		}
		return
	}
	b.log.Info("wechat: template refused", "openid", openID, "kind", kind, "reason", why, "err", err)
	b.refused(ctx, openID, kind, why)
}

// refused records that a template did not reach the follower and tells
// staff when none has since the follower was last reached.
func (b *Bot) refused(ctx context.Context, openID string, kind conversations.NoticeKind, why conversations.NoticeRefusal) {
	since, first, err := b.store.RefuseTemplate(ctx, openID, string(kind), string(why), b.cfg.Now())
	if err != nil {
		b.log.Error("wechat: record template refused", "openid", openID, "err", err)
		return
	}
	if !first || b.cfg.Staff == nil {
		return
	}
	if err := b.cfg.Staff.NoticeRefused(ctx, identity(openID), kind, why, since); err != nil {
		b.log.Warn("wechat: tell staff of a refused template", "openid", openID, "err", err)
	}
}

func identity(openID string) domain.Identity {
	return domain.Identity{Channel: domain.ChannelWeChat, ExternalID: openID}
}

// WeChat's refusals of a template.
const (
	codeSystemBusy      = -1
	codeBadTemplate     = 40037 // invalid template_id
	codeUserRefused     = 43101 // the follower turned the account's messages off
	codeDailyQuota      = 45009
	codeArgumentInvalid = 47003 // a value does not fit its field
)

// refusalOf says why WeChat refused a template; false when it was not
// WeChat that answered, or it was busy: the next push asks again.
func refusalOf(err error) (conversations.NoticeRefusal, bool) {
	switch c := errCode(err); c {
	case 0, codeSystemBusy:
		return "", false
	case codeBadTemplate:
		return conversations.RefusalBadTemplate, true
	case codeUserRefused:
		return conversations.RefusalDeclined, true
	case codeDailyQuota:
		return conversations.RefusalQuota, true
	case codeArgumentInvalid:
		return conversations.RefusalBadField, true
	case codeBadOpenID, codeNotFollowing, codeBlockedByUser:
		return conversations.RefusalNotFollowing, true
	}
	return conversations.RefusalOther, true
}

// receiptDelivered is a receipt's Status for a template delivered.
const receiptDelivered = "success"

// finishTemplate records WeChat's receipt of a template
// (TEMPLATESENDJOBFINISH); one that says it was not delivered is a
// refusal staff hear of.
func (b *Bot) finishTemplate(ctx context.Context, msgID int64, status string) error {
	openID, kind, found, err := b.store.FinishTemplate(ctx, msgID, status, b.cfg.Now())
	if err != nil || !found || status == receiptDelivered {
		return err
	}
	b.refused(ctx, openID, conversations.NoticeKind(kind), conversations.RefusalUndelivered)
	return nil
}

// templateMessage fills the template with the notice's fields, each
// fitted to its key's rules.
func (b *Bot) templateMessage(openID string, tpl Template, n conversations.Notice) (*message.TemplateMessage, error) {
	msg := &message.TemplateMessage{ToUser: openID, TemplateID: tpl.ID, ClientMsgID: "indigo-" + n.Key,
		Data: map[string]*message.TemplateDataItem{}}
	if n.Page != "" && b.cfg.Templates.PublicURL != "" {
		msg.URL = b.WebLink(n.Page)
	}
	for _, f := range tpl.Fields {
		v, err := fitValue(f.Key, n.Fields[f.From])
		if err != nil {
			return nil, fmt.Errorf("template %s, %s from %s: %w", tpl.ID, f.Key, f.From, err)
		}
		if v != "" { // a key left out shows blank
			msg.Data[f.Key] = &message.TemplateDataItem{Value: v}
		}
	}
	return msg, nil
}

// --- WeChat's field rules ---

// A template key is its type and a number: thing1, character_string2.
// Templates from the category library type their keys, and WeChat checks
// each value against its type; classic templates number "keyword"s, which
// since May 2023 show at most 20 characters on one line, with no colours
// and no first or remark line (chat-platforms.md §D8).
var keyPattern = regexp.MustCompile(`^([a-z_]+?)(\d*)$`)

// maxChars are the types' lengths in characters; the types not listed
// carry formats fitValue checks.
var maxChars = map[string]int{"thing": 20, "keyword": 20, "character_string": 32, "number": 32, "letter": 32, "phrase": 5}

var (
	numberValue = regexp.MustCompile(`^\d+(\.\d+)?$`)
	letterValue = regexp.MustCompile(`^[A-Za-z]+$`)
	amountValue = regexp.MustCompile(`^[¥$€£₽]?\d{1,10}(\.\d{1,2})?元?$`)
	// timeValue: 24-hour time, with a date before it (2026年12月4日 or
	// 2026-12-04), or a range of two joined by "~".
	timeValue = regexp.MustCompile(`^(` + dateTime + `)(~(` + dateTime + `))?$`)
	dateValue = regexp.MustCompile(`^(` + dateOnly + `( \d{1,2}:\d{2}(:\d{2})?)?)$`)
)

const (
	dateOnly = `(\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})`
	dateTime = `(` + dateOnly + ` )?\d{1,2}:\d{2}(:\d{2})?`
)

// keyType is the type of a template key.
func keyType(key string) (string, error) {
	m := keyPattern.FindStringSubmatch(key)
	if m == nil {
		return "", fmt.Errorf("%q is no template key (thing1, time2, keyword3…)", key)
	}
	switch t := m[1]; t {
	case "first", "remark":
		return "", fmt.Errorf("%q: WeChat shows no first or remark line since May 2023", key)
	case "time", "date", "amount":
		return t, nil
	default:
		if _, ok := maxChars[t]; ok {
			return t, nil
		}
		return "", fmt.Errorf("%q: Indigo fills thing, keyword, character_string, number, letter, phrase, time, date and amount keys", key)
	}
}

var errDoesNotFit = errors.New("does not fit")

// fitValue makes v what key's type takes: a line of text is cut to its
// length; a code, a number, a phrase, a time or an amount that breaks
// the type's rule is refused, as a cut one would say something else.
func fitValue(key, v string) (string, error) {
	typ, err := keyType(key)
	if err != nil {
		return "", err
	}
	v = strings.Join(strings.Fields(v), " ") // no line breaks, no runs of space
	if v == "" {
		return "", nil
	}
	ok := true
	switch typ {
	case "thing", "keyword":
		return cut(v, maxChars[typ]), nil
	case "character_string":
		ok = !strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r > '~' })
	case "number":
		ok = numberValue.MatchString(v)
	case "letter":
		ok = letterValue.MatchString(v)
	case "phrase":
		ok = !strings.ContainsFunc(v, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
	case "time":
		ok = timeValue.MatchString(v)
	case "date":
		ok = dateValue.MatchString(v)
	case "amount":
		ok = amountValue.MatchString(v)
	}
	if limit, has := maxChars[typ]; !ok || has && utf8.RuneCountInString(v) > limit {
		return "", fmt.Errorf("%s %q: %w", typ, v, errDoesNotFit)
	}
	return v, nil
}

// cut shortens v to n characters, the last an ellipsis when cut.
func cut(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	return string(r[:n-1]) + "…"
}

// ParseTemplate reads a template from configuration: its id, then each
// key=field, separated by spaces, such as
// "Abc123 thing1=title character_string2=return time3=deadline".
// Every field must be one the kind's notices carry.
func ParseTemplate(kind conversations.NoticeKind, spec string) (Template, error) {
	words := strings.Fields(spec)
	if len(words) < 2 {
		return Template{}, errors.New("want the template id and at least one key=field")
	}
	tpl := Template{ID: words[0]}
	known := conversations.NoticeFields(kind)
	for _, w := range words[1:] {
		key, from, ok := strings.Cut(w, "=")
		if !ok {
			return Template{}, fmt.Errorf("%q: want key=field", w)
		}
		if _, err := keyType(key); err != nil {
			return Template{}, err
		}
		if !slices.Contains(known, from) {
			return Template{}, fmt.Errorf("%q: %s notices have the fields %s", from, kind, strings.Join(known, ", "))
		}
		if slices.ContainsFunc(tpl.Fields, func(f TemplateField) bool { return f.Key == key }) {
			return Template{}, fmt.Errorf("%q twice", key)
		}
		tpl.Fields = append(tpl.Fields, TemplateField{Key: key, From: from})
	}
	return tpl, nil
}
