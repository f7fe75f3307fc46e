package conversations

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// notify.go: a push is a conversation turn the system starts. It renders
// an outbox notification in the seller's language, on the chat the seller
// uses, with the buttons that act on it.

// Push is what to send to one chat for a notification.
type Push struct {
	Channel domain.Channel
	ChatID  string
	Replies []Reply
	// Notices are the push in short, for a channel that cannot deliver it
	// now (notice.go); nil when nothing in it is pressing.
	Notices []Notice
}

// maxPushPhotos is Telegram's media-group size; WeChat sends them one by one.
const maxPushPhotos = 10

// RenderNotification builds the messages of a notification. It runs in the
// chat's session so a channel without buttons can map a typed number to
// the push's buttons as it does for replies.
func (e *Engine) RenderNotification(ctx context.Context, n *domain.Notification) (Push, error) {
	sysCtx := domain.NewContextWithActor(ctx, domain.System)
	seller, err := e.Sellers.FindSellerByID(sysCtx, n.SellerID)
	if err != nil {
		return Push{}, fmt.Errorf("render notification %d: %w", n.ID, err)
	}
	if len(seller.Identities) == 0 {
		return Push{}, fmt.Errorf("render notification %d: seller %d has no chat", n.ID, seller.ID)
	}
	id := seller.Identities[0]
	push := Push{Channel: id.Channel, ChatID: id.ExternalID}
	err = e.Sessions.WithSession(ctx, id.Channel, id.ExternalID, func(ctx context.Context, s *domain.ChatSession) error {
		t := &Turn{e: e, s: s, ctx: domain.NewContextWithActor(ctx, domain.System), l: e.Locales.For(string(seller.Language))}
		s.SellerID = seller.ID
		t.actAs(seller)
		if err := renderNotification(t, n); err != nil {
			return err
		}
		push.Replies = t.replies
		notices, err := noticesFor(t, []*domain.Notification{n})
		push.Notices = notices
		return err
	})
	if err != nil {
		return Push{}, fmt.Errorf("render notification %d: %w", n.ID, err)
	}
	return push, nil
}

func renderNotification(t *Turn, n *domain.Notification) error {
	n, sent, err := renderResale(t, n) // resale.go
	if sent || err != nil {
		return err
	}
	if sent, err := renderAccountPush(t, n); sent || err != nil { // accounts.go
		return err
	}
	id := "notify." + string(n.Kind)
	if n.Kind == domain.NotifyDailyDigest {
		return dailyDigest(t, n)
	}
	if n.ReturnID == nil {
		t.Say(id, n.Data)
		return nil
	}
	r, err := t.e.Returns.FindReturnByID(t.ctx, *n.ReturnID)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Product": r.ProductName, "Return": r.ReturnNumber, "Address": r.PickupPointAddress,
		"Comment": r.InspectionComment, "Decision": t.l.Label("decision", string(r.Decision)),
	}
	for k, v := range clockData(t, r) { // economics.go: days left, WB's charge
		data[k] = v
	}
	for k, v := range n.Data {
		data[k] = v
	}
	switch n.Kind {
	case domain.NotifyAwaitingDecision, domain.NotifyDecisionDueSoon:
		return decisionPrompt(t, r, t.T(id, data))
	case domain.NotifyDecidedByDefault:
		return decidedPush(t, r, t.T(id, data))
	case domain.NotifyPickupCodeNeeded, domain.NotifyPickupExpiring:
		t.Send(Reply{Text: t.T(id, data), Buttons: [][]Button{{{
			Text: t.T("button.send_pickup_code"), Data: btnPickup.on(r.ID, r.Version),
		}}}})
	default:
		t.Send(Reply{Text: t.T(id, data), Buttons: [][]Button{{{
			Text: t.T("button.open_return"), Data: btnCard.on(r.ID, 0),
		}}}})
	}
	return nil
}

// decisionPrompt sends the inspection photos as one album, then the card
// with Sell on WB / Return to seller / Dispose, each explained in a line.
func decisionPrompt(t *Turn, r *domain.Return, intro string) error {
	var photos []Photo
	for _, a := range r.Attachments {
		if a.Kind != domain.AttachmentPhoto || len(photos) == maxPushPhotos {
			continue
		}
		full, err := t.e.Attachments.FindAttachmentData(t.ctx, a.ID)
		if err != nil {
			return err
		}
		photos = append(photos, Photo{Name: full.FileName, Data: full.Data, AttachmentID: a.ID, Missing: t.T("label.photo_unavailable")})
	}
	if len(photos) > 0 {
		t.Send(Reply{Photos: photos})
	}
	card := ReturnCard(t, r)
	card.Photos = nil
	explain := ""
	for _, d := range domain.AllDecisions() {
		explain += "\n" + t.l.Bullet(t.l.Field(t.l.Label("decision", string(d)), t.T("flow.decision.explain."+string(d))))
		if d == domain.DecisionSellOnWB {
			explain += resaleExplain(t, r) // resale.go
		}
	}
	card.Text = intro + "\n\n" + card.Text + "\n" + explain
	t.Send(card)
	return nil
}

// dailyDigest is the morning summary: what waits on the seller today,
// and what was decided for them since the last one.
func dailyDigest(t *Turn, n *domain.Notification) error {
	sums, err := t.e.Returns.Summarize(t.ctx, domain.ReturnFilter{})
	if err != nil {
		return err
	}
	auto, undo := autoDigest(t, n) // economics.go: decisions made for the seller
	t.Send(Reply{Text: t.T("notify.daily_digest", map[string]any{"Tabs": strings.Join(tabLines(t.l, sums), "\n")}) + auto,
		Buttons: append(undo, []Button{{Text: t.T("button.open_returns"), Data: btnTab.data(0, "all", "0")}})})
	return nil
}

// RenderDigest sums a backlog of one seller's notifications up in one
// message. News on returns is told as where the seller's returns stand
// now, tab by tab as /returns counts them, each return once: counting the
// notifications instead would count a return that went from the pickup
// point to a decision in four lines, and add up to no tab. Other news
// (tokens, the team) keeps a line per kind. A poll that finds 200
// returns must not become 200 messages.
func (e *Engine) RenderDigest(ctx context.Context, seller *domain.Seller, ns []*domain.Notification) (Push, error) {
	l := e.Locales.For(string(seller.Language))
	changed := map[int64]bool{}
	counts := map[domain.NotificationKind]int{}
	for _, n := range ns {
		if n.ReturnID != nil && n.Kind != domain.NotifyDailyDigest {
			changed[*n.ReturnID] = true
		} else {
			counts[n.Kind]++
		}
	}
	var other []string
	for kind, n := range counts {
		other = append(other, l.Bullet(l.Field(l.T("digest."+string(kind)), strconv.Itoa(n))))
	}
	sort.Strings(other)
	text := l.T("notify.digest", map[string]any{"Count": len(ns), "Lines": strings.Join(other, "\n")})
	if len(changed) > 0 {
		var err error
		if text, err = e.returnsDigest(ctx, l, seller, len(changed), other); err != nil {
			return Push{}, err
		}
	}
	notices, err := e.noticesOfDigest(ctx, seller, ns)
	if err != nil {
		return Push{}, fmt.Errorf("digest for seller %d: %w", seller.ID, err)
	}
	id := seller.Identities[0]
	return Push{Channel: id.Channel, ChatID: id.ExternalID, Notices: notices, Replies: []Reply{{
		Text:    text,
		Buttons: [][]Button{{{Text: l.T("button.open_returns"), Data: btnTab.data(0, "all", "0")}}},
	}}}, nil
}

// returnsDigest is a digest with news on changed returns: the seller's
// tabs now, the returns that wait for the seller's pickup code, and the
// other lines.
func (e *Engine) returnsDigest(ctx context.Context, l *locales.Localizer, seller *domain.Seller, changed int, other []string) (string, error) {
	sums, err := e.Returns.Summarize(ctx, domain.ReturnFilter{SellerID: &seller.ID})
	if err != nil {
		return "", fmt.Errorf("digest for seller %d: %w", seller.ID, err)
	}
	st := domain.StatusAwaitingPickupCode
	atPoints, _, err := e.Returns.FindReturns(ctx, domain.ReturnFilter{SellerID: &seller.ID, Status: &st})
	if err != nil {
		return "", fmt.Errorf("digest for seller %d: %w", seller.ID, err)
	}
	codes := 0
	for _, r := range atPoints {
		if !r.AwaitsCollection() {
			codes++
		}
	}
	return l.Plural("notify.digest_returns", changed, map[string]any{
		"Tabs": strings.Join(tabLines(l, sums), "\n"), "Codes": codes, "Other": strings.Join(other, "\n"),
	}), nil
}
