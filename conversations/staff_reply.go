package conversations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_reply.go: staff → seller. What a staff member writes in a seller's
// topic, or in answer to a relayed post, goes to the seller on their
// channel signed as Indigo support, in answer to the seller's message when
// the channel can show that. The reply is at least once: kept in the
// staff chat's session row with the turn that decided it, it is sent after
// the commit and forgotten once it went, and the same input delivered
// again (after a crash, or a send that failed) brings it back.

// message handles what a staff member wrote that is not a command: in a
// seller's topic or in answer to a relayed post it goes to the seller; in
// answer to a card it records on the return; anything else is staff
// talking among themselves.
// A message posted as the group (an anonymous admin) is refused where it
// would act: nobody could be named in the audit log.
func (t *Turn) staffMessage() error {
	if t.staff.in.ReplyTo != "" {
		id, _ := strconv.ParseInt(t.staff.in.ReplyTo, 10, 64)
		post, err := t.staff.desk.Support.FindStaffPost(t.ctx, t.staff.chat, id)
		switch {
		case err == nil && t.staff.in.Anonymous:
			t.staffSay("staff.anonymous.refused", nil)
			return nil
		case err == nil && post.Kind == domain.StaffPostCard && post.ReturnID != nil:
			return t.cardReply(post)
		case err == nil && post.Kind == domain.StaffPostQuestion:
			return t.staffAnswer(post)
		case err == nil:
			return t.toSeller(post.SellerID, post.SellerMessageID)
		case domain.ErrorCode(err) != domain.CodeNotFound:
			return errInternal(err)
		}
	}
	if t.staff.in.Thread == 0 {
		return nil
	}
	th, err := t.staff.desk.Support.FindSupportThreadByTopic(t.ctx, t.staff.chat, t.staff.in.Thread)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
		return nil // a topic staff opened for themselves
	case err != nil:
		return errInternal(err)
	case t.staff.in.Anonymous:
		t.staffSay("staff.anonymous.refused", nil)
		return nil
	}
	return t.toSeller(th.SellerID, "")
}

// toSeller sends a staff message to the seller on their channel, signed
// as Indigo support, in answer to replyTo when the channel can. What can
// be refused (no chat, the channel off, not a photo) is refused in the
// turn; the reply is kept with the turn (keepReply) and sent after it
// commits, the photos fetched then, and a failure reported where the
// staff member wrote.
func (t *Turn) toSeller(sellerID int64, replyTo string) error {
	seller, err := t.staff.desk.Services.Sellers.FindSellerByID(t.ctx, sellerID)
	if err != nil {
		return err
	}
	for _, f := range t.in.Files {
		if f.Kind != domain.AttachmentPhoto {
			t.staffSay("staff.reply.photos_only", nil)
			return nil
		}
	}
	text := strings.TrimSpace(t.in.Text)
	if text == "" && len(t.in.Files) == 0 {
		return nil // a sticker, a poll: nothing a seller's channel carries
	}
	if _, err := t.sellerSender(seller, replyTo); err != nil {
		return err
	}
	sl := t.e.pushLocalizer(seller)
	r := &sellerReply{Update: t.in.UpdateID, Seller: seller.ID, ReplyTo: replyTo, Photos: len(t.in.Files),
		Text: sl.T("staff.reply.signature"), At: t.staff.desk.now(), Attempts: 1}
	if text != "" {
		r.Text = sl.T("staff.reply.signed", map[string]any{"Text": text})
	}
	t.staff.reply = r
	if !writtenIn(text, seller.Language) {
		// Sent as written: staff may mean it (a tracking number, a name),
		// but a Russian answer to a Chinese seller should not go unnoticed.
		t.staffSay("staff.reply.other_language", map[string]any{"Seller": sellerName(seller),
			"Language": t.l.Label("language", string(seller.Language))})
	}
	return nil
}

// scripts are the letters each language is written in.
var scripts = map[domain.Language]*unicode.RangeTable{
	domain.LangChinese: unicode.Han, domain.LangRussian: unicode.Cyrillic, domain.LangEnglish: unicode.Latin,
}

// writtenIn reports whether most of text's letters are in lang's script;
// a text with hardly any letters (a number, a code) is in every language.
func writtenIn(text string, lang domain.Language) bool {
	script, ok := scripts[lang]
	letters, in := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(script, r) {
				in++
			}
		}
	}
	return !ok || letters < 4 || 2*in >= letters
}

// sendReply sends the reply the turn kept, if any, and forgets it. A
// failure that may pass returns an error, so that the input comes again
// and brings the reply back (unsentReply), up to maxReplyAttempts; then,
// or when the channel refuses it, staff are told where they wrote.
func (t *Turn) sendReply(ctx context.Context) error {
	r := t.staff.reply
	if r == nil {
		return nil
	}
	err := t.deliverReply(ctx, r)
	if err == nil {
		t.staff.desk.recordReply(ctx, r) // web.go
	}
	if err != nil && domain.ErrorCode(err) == domain.CodeInternal && !errors.Is(err, ErrUnreachable) && r.Attempts < maxReplyAttempts {
		return fmt.Errorf("staff reply to seller %d (attempt %d): %w", r.Seller, r.Attempts, err)
	}
	t.replied(ctx, r.Seller, r.ReplyTo, r.Photos, err)
	return t.staff.desk.forgetReply(ctx, t.staff.in)
}

func (t *Turn) deliverReply(ctx context.Context, r *sellerReply) error {
	seller, err := t.staff.desk.Services.Sellers.FindSellerByID(ctx, r.Seller)
	if err != nil {
		return errInternal(err)
	}
	send, err := t.sellerSender(seller, r.ReplyTo)
	if err != nil {
		return err
	}
	reply := Reply{Text: r.Text}
	for _, f := range t.in.Files[:min(r.Photos, len(t.in.Files))] {
		data, err := openPhoto(ctx, f)
		if err != nil {
			return err
		}
		reply.Photos = append(reply.Photos, Photo{Name: f.Name, Data: data})
	}
	return send(ctx, []Reply{reply})
}

// replied reports how a reply to a seller went, after commit: audited
// either way, and a failure said where the staff member wrote.
func (t *Turn) replied(ctx context.Context, sellerID int64, replyTo string, photos int, err error) {
	action, details := "support.reply", map[string]any{"photos": photos, "in_reply_to": replyTo}
	switch {
	case err != nil && domain.ErrorCode(err) != domain.CodeInternal:
		// The channel refused what was sent (a photo too large): say why.
		t.postNow(ctx, StaffMessage{Text: t.T("label.refused", map[string]any{"Text": t.l.T(domain.ErrorMsgID(err), domain.ErrorData(err))})})
		action, details = "support.reply_failed", map[string]any{"error": err.Error()}
	case err != nil:
		t.staff.desk.log().Info("staff: reply not delivered", "seller", sellerID, "err", err)
		id := "staff.reply.failed"
		if errors.Is(err, ErrUnreachable) {
			id = "staff.reply.blocked"
		}
		t.postNow(ctx, StaffMessage{Text: t.l.T(id, nil)})
		action, details = "support.reply_failed", map[string]any{"error": err.Error()}
	}
	if err := t.staffAuditIn(ctx, action, nil, sellerID, details); err != nil {
		t.staff.desk.log().Error("staff: audit a reply", "seller", sellerID, "err", err)
	}
}

// sellerSender is how a reply reaches the seller: on their first channel,
// in answer to replyTo when the channel can show that.
func (t *Turn) sellerSender(seller *domain.Seller, replyTo string) (func(ctx context.Context, rs []Reply) error, error) {
	if len(seller.Identities) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "staff.reply.no_chat", nil)
	}
	id := seller.Identities[0]
	sender, ok := t.staff.desk.Senders[id.Channel]
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

const (
	// repliesKey holds, in the staff chat's session, the replies to
	// sellers decided and not sent yet, by update.
	repliesKey = "_seller_replies"
	// maxReplyAttempts bounds how often an input comes again for a reply
	// whose send keeps failing, as each time holds up the chat's intake.
	maxReplyAttempts = 4
)

// sellerReply is a staff message on its way to a seller.
type sellerReply struct {
	Update   int64     `json:"update"`
	Seller   int64     `json:"seller"`
	ReplyTo  string    `json:"reply_to,omitempty"`
	Text     string    `json:"text"`             // signed, in the seller's language
	Photos   int       `json:"photos,omitempty"` // the input's files, all photos, fetched again at each send
	At       time.Time `json:"at"`
	Attempts int       `json:"attempts"`
}

// keptReplies reads the replies a staff chat's session keeps; those older
// than any redelivery are dropped.
func keptReplies(s *domain.ChatSession) ([]sellerReply, error) {
	var rs []sellerReply
	if raw := s.Data[repliesKey]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &rs); err != nil {
			return nil, fmt.Errorf("read the staff replies kept: %w", err)
		}
	}
	fresh := rs[:0]
	for _, r := range rs {
		if time.Since(r.At) < redeliveryWindow {
			fresh = append(fresh, r)
		}
	}
	return fresh, nil
}

func saveReplies(s *domain.ChatSession, rs []sellerReply) error {
	if len(rs) == 0 {
		delete(s.Data, repliesKey)
		return nil
	}
	raw, err := json.Marshal(rs)
	if err != nil {
		return fmt.Errorf("keep staff replies: %w", err)
	}
	s.Data[repliesKey] = string(raw)
	return nil
}

// keepReply records the turn's reply in its transaction; an input without
// an update id cannot come again, so there is nothing to keep it for.
func keepReply(s *domain.ChatSession, t *Turn) error {
	if t.staff.reply == nil || t.in.UpdateID == 0 {
		return nil
	}
	rs, err := keptReplies(s)
	if err != nil {
		return err
	}
	return saveReplies(s, append(rs, *t.staff.reply))
}

// unsentReply is what is left of the reply to an update delivered again,
// counted as one more attempt.
func unsentReply(s *domain.ChatSession, update int64) (*sellerReply, error) {
	rs, err := keptReplies(s)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if rs[i].Update == update {
			rs[i].Attempts++
			r := rs[i]
			return &r, saveReplies(s, rs)
		}
	}
	return nil, nil
}

// forgetReply drops the reply to in once it went or was given up.
func (d *StaffDesk) forgetReply(ctx context.Context, in StaffInput) error {
	if in.UpdateID == 0 {
		return nil
	}
	err := d.Services.Sessions.WithSession(ctx, in.Channel, in.ChatID, func(ctx context.Context, s *domain.ChatSession) error {
		rs, err := keptReplies(s)
		if err != nil {
			return err
		}
		left := rs[:0]
		for _, r := range rs {
			if r.Update != in.UpdateID {
				left = append(left, r)
			}
		}
		return saveReplies(s, left)
	})
	if err != nil {
		// The input coming again resends the reply: better twice than never.
		return fmt.Errorf("staff: forget the reply to update %d: %w", in.UpdateID, err)
	}
	return nil
}
