package conversations

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_reply.go: staff → seller. What a staff member writes in a seller's
// topic, or in answer to a relayed post, goes to the seller on their
// channel signed as Indigo support, in answer to the seller's message when
// the channel can show that.

// message handles what a staff member wrote that is not a command: in a
// seller's topic or in answer to a relayed post it goes to the seller; in
// answer to a card it records on the return; anything else is staff
// talking among themselves.
// A message posted as the group (an anonymous admin) is refused where it
// would act: nobody could be named in the audit log.
func (t *staffTurn) message() error {
	if t.in.ReplyTo != "" {
		id, _ := strconv.ParseInt(t.in.ReplyTo, 10, 64)
		post, err := t.d.Support.FindStaffPost(t.ctx, t.chat, id)
		switch {
		case err == nil && t.in.Anonymous:
			t.say("staff.anonymous.refused", nil)
			return nil
		case err == nil && post.Kind == domain.StaffPostCard && post.ReturnID != nil:
			return t.cardReply(post)
		case err == nil && post.Kind == domain.StaffPostQuestion:
			return t.answer(post)
		case err == nil:
			return t.toSeller(post.SellerID, post.SellerMessageID)
		case domain.ErrorCode(err) != domain.CodeNotFound:
			return errInternal(err)
		}
	}
	if t.in.Thread == 0 {
		return nil
	}
	th, err := t.d.Support.FindSupportThreadByTopic(t.ctx, t.chat, t.in.Thread)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
		return nil // a topic staff opened for themselves
	case err != nil:
		return errInternal(err)
	case t.in.Anonymous:
		t.say("staff.anonymous.refused", nil)
		return nil
	}
	return t.toSeller(th.SellerID, "")
}

// toSeller sends a staff message to the seller on their channel, signed
// as Indigo support, in answer to replyTo when the channel can. What can
// be refused (no chat, the channel off, not a photo) is refused in the
// turn; the photos are fetched and the reply sent after it commits, and a
// failure is reported where the staff member wrote.
func (t *staffTurn) toSeller(sellerID int64, replyTo string) error {
	seller, err := t.d.Services.Sellers.FindSellerByID(t.ctx, sellerID)
	if err != nil {
		return err
	}
	for _, f := range t.in.Files {
		if f.Kind != domain.AttachmentPhoto {
			t.say("staff.reply.photos_only", nil)
			return nil
		}
	}
	text := strings.TrimSpace(t.in.Text)
	if text == "" && len(t.in.Files) == 0 {
		return nil // a sticker, a poll: nothing a seller's channel carries
	}
	send, err := t.sellerSender(seller, replyTo)
	if err != nil {
		return err
	}
	sl := t.d.Services.Locales.For(string(seller.Language))
	files := t.in.Files
	t.later(func(ctx context.Context) {
		reply := Reply{Text: sl.T("staff.reply.signature")}
		if text != "" {
			reply.Text = sl.T("staff.reply.signed", map[string]any{"Text": text})
		}
		err := func() error {
			for _, f := range files {
				data, err := openPhoto(ctx, f)
				if err != nil {
					return err
				}
				reply.Photos = append(reply.Photos, Photo{Name: f.Name, Data: data, Missing: sl.T("label.photo_unavailable")})
			}
			return send(ctx, []Reply{reply})
		}()
		t.replied(ctx, seller.ID, replyTo, len(reply.Photos), err)
	})
	return nil
}

// replied reports how a reply to a seller went, after commit: audited
// either way, and a failure said where the staff member wrote.
func (t *staffTurn) replied(ctx context.Context, sellerID int64, replyTo string, photos int, err error) {
	action, details := "support.reply", map[string]any{"photos": photos, "in_reply_to": replyTo}
	switch {
	case err != nil && domain.ErrorCode(err) != domain.CodeInternal:
		// The channel refused what was sent (a photo too large): say why.
		t.postNow(ctx, StaffMessage{Text: "⛔ " + t.l.T(domain.ErrorMsgID(err), domain.ErrorData(err))})
		action, details = "support.reply_failed", map[string]any{"error": err.Error()}
	case err != nil:
		t.d.log().Info("staff: reply not delivered", "seller", sellerID, "err", err)
		id := "staff.reply.failed"
		if errors.Is(err, ErrUnreachable) {
			id = "staff.reply.blocked"
		}
		t.postNow(ctx, StaffMessage{Text: t.l.T(id, nil)})
		action, details = "support.reply_failed", map[string]any{"error": err.Error()}
	}
	if err := t.auditIn(ctx, action, nil, sellerID, details); err != nil {
		t.d.log().Error("staff: audit a reply", "seller", sellerID, "err", err)
	}
}

// sellerSender is how a reply reaches the seller: on their first channel,
// in answer to replyTo when the channel can show that.
func (t *staffTurn) sellerSender(seller *domain.Seller, replyTo string) (func(ctx context.Context, rs []Reply) error, error) {
	if len(seller.Identities) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "staff.reply.no_chat", nil)
	}
	id := seller.Identities[0]
	sender, ok := t.d.Senders[id.Channel]
	if !ok {
		return nil, domain.Errorf(domain.CodeUnavailable, "staff.reply.channel_off", map[string]any{
			"Channel": t.l.Label("channel", string(id.Channel))})
	}
	if rs, ok := sender.(ReplySender); ok && replyTo != "" {
		return func(ctx context.Context, replies []Reply) error {
			return rs.SendReply(ctx, id.ExternalID, replyTo, replies)
		}, nil
	}
	return func(ctx context.Context, replies []Reply) error {
		return sender.Send(ctx, id.ExternalID, replies)
	}, nil
}
