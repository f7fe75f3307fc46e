package conversations

import (
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
// as Indigo support, in answer to replyTo when the channel can; a failure
// is reported where the staff member wrote.
func (t *staffTurn) toSeller(sellerID int64, replyTo string) error {
	seller, err := t.d.Engine.Sellers.FindSellerByID(t.ctx, sellerID)
	if err != nil {
		return err
	}
	sl := t.d.Engine.Locales.For(string(seller.Language))
	reply := Reply{}
	for _, f := range t.in.Files {
		if f.Kind != domain.AttachmentPhoto {
			t.say("staff.reply.photos_only", nil)
			return nil
		}
		data, err := openPhoto(t.ctx, f)
		if err != nil {
			return err
		}
		reply.Photos = append(reply.Photos, Photo{Name: f.Name, Data: data})
	}
	text := strings.TrimSpace(t.in.Text)
	switch {
	case text != "":
		reply.Text = sl.T("staff.reply.signed", map[string]any{"Text": text})
	case len(reply.Photos) > 0:
		reply.Text = sl.T("staff.reply.signature")
	default:
		return nil // a sticker, a poll: nothing a seller's channel carries
	}
	if err := t.sendToSeller(seller, replyTo, reply); err != nil {
		if domain.ErrorCode(err) != domain.CodeInternal {
			return err
		}
		t.d.log().Info("staff: reply not delivered", "seller", seller.ID, "err", err)
		id := "staff.reply.failed"
		if errors.Is(err, ErrUnreachable) {
			id = "staff.reply.blocked"
		}
		t.say(id, nil)
		return t.audit("support.reply_failed", nil, seller.ID, map[string]any{"error": err.Error()})
	}
	return t.audit("support.reply", nil, seller.ID, map[string]any{"photos": len(reply.Photos), "in_reply_to": replyTo})
}

func (t *staffTurn) sendToSeller(seller *domain.Seller, replyTo string, reply Reply) error {
	if len(seller.Identities) == 0 {
		return domain.Errorf(domain.CodeInvalid, "staff.reply.no_chat", nil)
	}
	id := seller.Identities[0]
	sender, ok := t.d.Senders[id.Channel]
	if !ok {
		return domain.Errorf(domain.CodeUnavailable, "staff.reply.channel_off", map[string]any{
			"Channel": t.l.Label("channel", string(id.Channel))})
	}
	if rs, ok := sender.(ReplySender); ok && replyTo != "" {
		return rs.SendReply(t.ctx, id.ExternalID, replyTo, []Reply{reply})
	}
	return sender.Send(t.ctx, id.ExternalID, []Reply{reply})
}
