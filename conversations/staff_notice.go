package conversations

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_notice.go: what staff see of notices (notice.go) in the seller's
// thread: that one reached the seller outside their chat's window, and
// since when none can.

// NoticeSent tells staff a notice of kind reached the seller on id.
func (d *StaffDesk) NoticeSent(ctx context.Context, id domain.Identity, kind NoticeKind) error {
	return d.queueNotice(ctx, id, domain.RelayNoticeSent, string(kind))
}

// NoticeRefused tells staff the seller on id cannot be reached outside
// their chat's window since since, and why.
func (d *StaffDesk) NoticeRefused(ctx context.Context, id domain.Identity, kind NoticeKind, why NoticeRefusal, since time.Time) error {
	return d.queueNotice(ctx, id, domain.RelayNoticeRefused,
		strings.Join([]string{string(kind), since.UTC().Format(time.RFC3339), string(why)}, "|"))
}

func (d *StaffDesk) queueNotice(ctx context.Context, id domain.Identity, kind domain.RelayKind, text string) error {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	seller, err := d.Services.Sellers.FindSellerByIdentity(ctx, id)
	if err != nil {
		return fmt.Errorf("tell staff of a notice to %s: %w", id.ExternalID, err)
	}
	return d.Support.QueueRelay(ctx, &domain.SupportRelay{SellerID: seller.ID, Kind: kind, Channel: id.Channel, Text: text})
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
		since = l.FormatDate(at) + " " + at.Format("15:04") + " UTC"
	}
	return l.T("staff.relay.notice_refused", map[string]any{"Channel": channel, "Since": since,
		"Kind": l.Label("notice_kind", parts[0]), "Reason": l.Label("notice_refusal", parts[2])})
}
