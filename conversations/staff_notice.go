package conversations

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_notice.go: what staff see of notices (notice.go) in the seller's
// thread: that one reached the seller outside their chat's window, and
// since when none can.

// NoticeRelays tell staff, in the seller's thread, what notices did. It
// queues relays only, so a channel is made with it before the staff desk
// that posts them (which sends through that channel) exists.
type NoticeRelays struct {
	Sellers domain.SellerService
	Support domain.SupportService
}

// NoticeSent tells staff a notice of kind reached the seller on id.
func (n NoticeRelays) NoticeSent(ctx context.Context, id domain.Identity, kind NoticeKind) error {
	return n.queue(ctx, id, domain.RelayNoticeSent, string(kind))
}

// NoticeRefused tells staff the seller on id cannot be reached outside
// their chat's window since since, and why.
func (n NoticeRelays) NoticeRefused(ctx context.Context, id domain.Identity, kind NoticeKind, why NoticeRefusal, since time.Time) error {
	return n.queue(ctx, id, domain.RelayNoticeRefused,
		strings.Join([]string{string(kind), since.UTC().Format(time.RFC3339), string(why)}, "|"))
}

func (n NoticeRelays) queue(ctx context.Context, id domain.Identity, kind domain.RelayKind, text string) error {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	seller, err := n.Sellers.FindSellerByIdentity(ctx, id)
	if err != nil {
		return fmt.Errorf("tell staff of a notice to %s: %w", id.ExternalID, err)
	}
	return n.Support.QueueRelay(ctx, &domain.SupportRelay{SellerID: seller.ID, Kind: kind, Channel: id.Channel, Text: text})
}

// noticeLine is a notice relay as staff read it.
func noticeLine(l *locales.Localizer, r *domain.SupportRelay) string {
	channel := l.Label("channel", string(r.Channel))
	if r.Kind == domain.RelayNoticeSent {
		return l.T("staff.relay.notice_sent", map[string]any{"Channel": channel, "Kind": l.Label("notice_kind", r.Text)})
	}
	parts := strings.SplitN(r.Text, "|", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	since := parts[1]
	if at, err := time.Parse(time.RFC3339, parts[1]); err == nil {
		since = staffTime(l, at)
	}
	return l.T("staff.relay.notice_refused", map[string]any{"Channel": channel, "Since": since,
		"Kind": l.Label("notice_kind", parts[0]), "Reason": l.Label("notice_refusal", parts[2])})
}

// UnreachedFinder lists the chats notices do not reach outside their
// window: storage.WeChatService.
type UnreachedFinder interface {
	UnreachedFollowers(ctx context.Context, limit int) ([]domain.Unreached, error)
}

// maxUnreached bounds the list /unreached posts.
const maxUnreached = 30

// unreachedCommand lists the sellers no notice reaches outside their
// chat's window, the longest first, since when and why.
func (t *Turn) unreachedCommand(string) error {
	if t.staff.desk.Unreached == nil {
		t.staffSay("staff.unreached.off", nil)
		return nil
	}
	list, err := t.staff.desk.Unreached.UnreachedFollowers(t.ctx, maxUnreached)
	if err != nil {
		return errInternal(err)
	}
	var lines []string
	for _, u := range list {
		seller, err := t.staff.desk.Services.Sellers.FindSellerByIdentity(domain.NewContextWithActor(t.ctx, domain.System), u.Identity)
		if domain.ErrorCode(err) == domain.CodeNotFound {
			continue // a follower who never became a seller
		} else if err != nil {
			return errInternal(err)
		}
		lines = append(lines, t.l.T("staff.unreached.line", map[string]any{
			"Seller": sellerName(seller), "Link": "/s_" + strconv.FormatInt(seller.ID, 10),
			"Channel": t.l.Label("channel", string(u.Identity.Channel)), "Since": staffTime(t.l, u.Since),
			"Reason": t.l.Label("notice_refusal", u.Reason), "Kind": t.l.Label("notice_kind", u.Kind),
		}))
	}
	if len(lines) == 0 {
		t.staffSay("staff.unreached.none", nil)
		return nil
	}
	title := t.l.Plural("staff.unreached.title", len(lines), nil)
	t.post(StaffMessage{Text: title + "\n" + strings.Join(lines, "\n")})
	return nil
}

// staffTime is a moment as staff read it, in UTC.
func staffTime(l *locales.Localizer, at time.Time) string {
	at = at.UTC()
	return l.FormatDate(at) + " " + at.Format("15:04") + " UTC"
}
