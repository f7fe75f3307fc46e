package conversations

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// notice.go: a push in short, for a channel that cannot always deliver a
// push when it is due. WeChat may write to a follower only within 48 hours
// of their last message; outside it the push waits for their next one, and
// what cannot wait that long (a return at the pickup point, a decision's
// deadline, a token, a sale, a statement) is announced by a template
// message, a handful of short fields and a link. The notice says what the
// fields are, in the seller's language; the channel fits them to the
// templates its operator configured.

// NoticeKind is what a notice announces; a channel maps each kind to one
// of its templates.
type NoticeKind string

// Notice kinds.
const (
	NoticePickupCode NoticeKind = "pickup_code" // a return waits at the pickup point for its code
	NoticeDecision   NoticeKind = "decision"    // a return waits for the seller's decision
	NoticeToken      NoticeKind = "token"       // a WB token was rejected or expires soon
	NoticeResaleSold NoticeKind = "resale_sold" // a buyer bought a unit on WB
	NoticeStatement  NoticeKind = "statement"   // a statement of account is ready
)

// AllNoticeKinds lists every kind, for configuration and locales.
func AllNoticeKinds() []NoticeKind {
	return []NoticeKind{NoticePickupCode, NoticeDecision, NoticeToken, NoticeResaleSold, NoticeStatement}
}

// noticeOf says which notifications cannot wait for the seller's next
// message, and what they announce.
var noticeOf = map[domain.NotificationKind]NoticeKind{
	domain.NotifyPickupCodeNeeded:  NoticePickupCode,
	domain.NotifyPickupExpiring:    NoticePickupCode,
	domain.NotifyPickupCodeOverdue: NoticePickupCode,
	domain.NotifyAwaitingDecision:  NoticeDecision,
	domain.NotifyDecisionDueSoon:   NoticeDecision,
	domain.NotifyTokenRejected:     NoticeToken,
	domain.NotifyTokenExpiring:     NoticeToken,
	domain.NotifyResaleSold:        NoticeResaleSold,
	domain.NotifyStatement:         NoticeStatement,
}

// Notice fields: every kind has title and hint; the others by kind.
const (
	FieldTitle    = "title"     // what happened, in a few words
	FieldHint     = "hint"      // what to do: reply, or open the link
	FieldReturn   = "return"    // the return's number
	FieldProduct  = "product"   // the product's name
	FieldPoint    = "point"     // the pickup point's address
	FieldDaysLeft = "days_left" // whole days left, digits only
	FieldDeadline = "deadline"  // when time runs out, as a date and time
	FieldStore    = "store"     // the store's name
	FieldStatus   = "status"    // a word or two on the state
	FieldAmount   = "amount"    // a currency sign and a number
	FieldPeriod   = "period"    // the statement's period
)

// NoticeFields lists the fields a kind's notices carry, for checking a
// channel's configuration.
func NoticeFields(k NoticeKind) []string {
	common := []string{FieldTitle, FieldHint}
	switch k {
	case NoticePickupCode:
		return append(common, FieldReturn, FieldProduct, FieldPoint, FieldDaysLeft, FieldDeadline)
	case NoticeDecision:
		return append(common, FieldReturn, FieldProduct, FieldDaysLeft, FieldDeadline)
	case NoticeToken:
		return append(common, FieldStore, FieldStatus, FieldDaysLeft)
	case NoticeResaleSold:
		return append(common, FieldReturn, FieldProduct, FieldAmount)
	case NoticeStatement:
		return append(common, FieldPeriod, FieldAmount)
	}
	return nil
}

// Notice is a push in short.
type Notice struct {
	Kind NoticeKind
	// Key names the notification it stands for, the same on every retry:
	// a channel's idempotency key.
	Key string
	// Page is the web view's page that shows it ("/web/returns/12"); ""
	// when a reply in the chat is the way on.
	Page   string
	Fields map[string]string
}

// noticesFor are the notices of the notifications a push covers, one per
// kind (the first of each).
func noticesFor(t *Turn, ns []*domain.Notification) ([]Notice, error) {
	var out []Notice
	seen := map[NoticeKind]bool{}
	for _, n := range ns {
		kind, ok := noticeOf[n.Kind]
		if !ok || seen[kind] {
			continue
		}
		seen[kind] = true
		nt, err := buildNotice(t, kind, n)
		if err != nil {
			return nil, fmt.Errorf("notice of notification %d: %w", n.ID, err)
		}
		out = append(out, nt)
	}
	return out, nil
}

func buildNotice(t *Turn, kind NoticeKind, n *domain.Notification) (Notice, error) {
	nt := Notice{Kind: kind, Key: "n" + strconv.FormatInt(n.ID, 10), Fields: map[string]string{
		FieldTitle: t.l.Label("notice_kind", string(kind)),
		FieldHint:  t.T("notice.hint_reply"),
	}}
	if n.ReturnID != nil {
		r, err := t.e.Returns.FindReturnByID(t.ctx, *n.ReturnID)
		if err != nil {
			return Notice{}, err
		}
		nt.Page = "/web/returns/" + strconv.FormatInt(r.ID, 10)
		nt.Fields[FieldHint] = t.T("notice.hint_open")
		nt.Fields[FieldReturn], nt.Fields[FieldProduct] = r.ReturnNumber, r.ProductName
		if err := returnClock(t, kind, r, nt.Fields); err != nil {
			return Notice{}, err
		}
	}
	kindFields(t, &nt, n)
	return nt, nil
}

// kindFields fills in what a kind's notices take from the notification's
// data.
func kindFields(t *Turn, nt *Notice, n *domain.Notification) {
	switch nt.Kind {
	case NoticeToken:
		nt.Fields[FieldStore] = dataText(n, "Store")
		nt.Fields[FieldStatus] = t.T("notice.token_expiring")
		if n.Kind == domain.NotifyTokenRejected {
			nt.Fields[FieldStatus] = t.T("notice.token_rejected")
		}
		if days, ok := number(n.Data["Days"]); ok {
			nt.Fields[FieldDaysLeft] = strconv.FormatInt(days, 10)
		}
	case NoticeResaleSold, NoticeStatement:
		for field, key := range map[string]string{FieldProduct: "Product", FieldReturn: "Return"} {
			if nt.Fields[field] == "" && nt.Kind == NoticeResaleSold {
				nt.Fields[field] = dataText(n, key)
			}
		}
		if price, ok := number(n.Data["Price"]); ok {
			nt.Fields[FieldAmount] = noticeAmount(price, n.Data["Currency"])
		}
		if amount, ok := number(n.Data["Amount"]); ok {
			nt.Fields[FieldAmount] = noticeAmount(amount, n.Data["Currency"])
		}
		if month, ok := n.Data["Month"].(string); ok {
			nt.Fields[FieldPeriod] = month
		}
		if page, ok := n.Data["Page"].(string); ok && nt.Kind == NoticeStatement {
			nt.Page, nt.Fields[FieldHint] = page, t.T("notice.hint_open")
		}
	}
}

// dataText is a text of the notification's data, "" when it has none.
func dataText(n *domain.Notification, key string) string {
	if v, ok := n.Data[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// returnClock fills in the clock a return runs against: WB's storage at
// the pickup point, or the decision's deadline.
func returnClock(t *Turn, kind NoticeKind, r *domain.Return, fields map[string]string) error {
	var end time.Time
	switch kind {
	case NoticePickupCode:
		fields[FieldPoint] = r.PickupPointAddress
		e, ok := domain.PickupDeadline(r)
		if !ok {
			return nil
		}
		end = e
	case NoticeDecision:
		if t.e.Decisions == nil {
			return nil
		}
		dl, ok, err := t.e.Decisions.Deadline(t.ctx, r)
		if err != nil || !ok {
			return err
		}
		end = dl.DueAt
	default:
		return nil
	}
	fields[FieldDeadline] = noticeTime(t.l, end.In(t.zone()))
	fields[FieldDaysLeft] = strconv.Itoa(max(domain.DaysLeft(t.now(), end, t.zone()), 0))
	return nil
}

// noticeTime writes a time the way WeChat's time fields take it: a date
// with year, month and day, then 24-hour time.
func noticeTime(l *locales.Localizer, at time.Time) string {
	if l.Lang() == string(domain.LangChinese) {
		return l.FormatDate(at) + " " + at.Format("15:04") // 2026年1月2日 15:04
	}
	return at.Format("2006-01-02 15:04")
}

// noticeAmount is one currency sign and the amount, without grouping:
// minor units, and the ISO 4217 numeric code (RUB when none).
func noticeAmount(minor int64, currency any) string {
	sign := "₽"
	if code, _ := number(currency); code == 156 {
		sign = "¥"
	} else if code != 0 && code != 643 {
		sign = ""
	}
	minor = max(minor, -minor) // WeChat's amounts have no sign
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// noticesOfDigest are the notices of a digest's notifications, rendered
// as the seller reads them.
func (e *Engine) noticesOfDigest(ctx context.Context, seller *domain.Seller, ns []*domain.Notification) ([]Notice, error) {
	t := &Turn{e: e, ctx: domain.NewContextWithActor(ctx, domain.System), l: e.Locales.For(string(seller.Language)), seller: seller}
	return noticesFor(t, ns)
}

// NoticeRefusal says why a notice did not reach the seller.
type NoticeRefusal string

// Notice refusals.
const (
	RefusalNotConfigured NoticeRefusal = "not_configured" // the operator set no template for the kind
	RefusalDeclined      NoticeRefusal = "declined"       // the seller turned the account's templates off
	RefusalQuota         NoticeRefusal = "quota"          // the account's daily quota is spent
	RefusalBadTemplate   NoticeRefusal = "bad_template"   // the platform does not know the template
	RefusalBadField      NoticeRefusal = "bad_field"      // a value does not fit the template's field
	RefusalNotFollowing  NoticeRefusal = "not_following"  // the seller no longer follows the account
	RefusalUndelivered   NoticeRefusal = "undelivered"    // accepted, then not delivered (the receipt says so)
	RefusalOther         NoticeRefusal = "other"          // another refusal of the platform's
)

// AllNoticeRefusals lists every refusal, for the locales' labels.
func AllNoticeRefusals() []NoticeRefusal {
	return []NoticeRefusal{RefusalNotConfigured, RefusalDeclined, RefusalQuota, RefusalBadTemplate,
		RefusalBadField, RefusalNotFollowing, RefusalUndelivered, RefusalOther}
}
