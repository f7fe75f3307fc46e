package wechat

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// send.go: replies and pushes as customer-service messages, fitted into
// the follower's window (5 messages within 48 hours of their last message,
// 3 within a minute of a menu tap or a follow).
//
// Texts of one answer are merged into as few messages as fit, each choice
// a numbered line; photos are uploaded as temporary media and sent one by
// one. A reply that does not fit sends its texts first and holds the rest.
// A push is sent only when it fits whole, ends with an invitation to
// reply (a reply renews the window), and otherwise waits with the others:
// the follower gets one notice while the window allows it, and everything
// held, newest first, the next time they write.

const (
	// showHeld typed by a follower asks for what was held.
	showHeld = "0"
	// maxTextBytes keeps a text under the 2048 bytes passive replies were
	// measured to take (WeChat documents no limit for these).
	maxTextBytes = 2000
	// maxHeldShown pushes go out at once; older ones are only counted.
	maxHeldShown = 10
)

// part is one customer-service message to be: a photo, or a text made of
// segments, each a text with its choices drawn under it as numbered lines.
type part struct {
	photo *conversations.Photo
	segs  []segment
	src   int // a photo's source, as segment.src
}

type segment struct {
	text    string
	buttons []conversations.Button
	// src is what the segment was made from: srcTurn (the replies being
	// sent), srcNote (a notice of ours) or a group of held pushes (held.go).
	src int
}

// Send delivers a push (from the outbox, or staff) to a follower. It
// returns nil when the push was sent or is held for the follower's next
// message, an error wrapping conversations.ErrUnreachable when the
// follower cannot be written to any more, and another error when nothing
// went and the push should be tried again.
func (b *Bot) Send(ctx context.Context, openID string, replies []conversations.Reply) error {
	return b.push(ctx, openID, replies, nil)
}

// push is Send with the push's notices, announced by template when the
// follower's window cannot take the push (template.go).
func (b *Bot) push(ctx context.Context, openID string, replies []conversations.Reply, notices []conversations.Notice) error {
	l := b.localizer(ctx, openID)
	parts := render(l, replies)
	if len(parts) == 0 {
		return nil
	}
	parts = withSegment(parts, segment{text: l.T("msg.wechat.invite"), src: srcNote})
	now := b.cfg.Now()
	held, err := b.store.HeldPushes(ctx, openID)
	if err != nil {
		return fmt.Errorf("send to wechat %s: %w", openID, err)
	}
	left, err := b.store.WindowLeft(ctx, openID, now)
	if err != nil {
		return fmt.Errorf("send to wechat %s: %w", openID, err)
	}
	if held > 0 || len(parts) > left {
		return b.holdPush(ctx, openID, l, replies, held, left, notices)
	}
	got, err := b.store.SpendWindow(ctx, openID, now, len(parts))
	if err != nil {
		return fmt.Errorf("send to wechat %s: %w", openID, err)
	}
	if got < len(parts) { // another sender took the window first
		b.refund(ctx, openID, got)
		return b.holdPush(ctx, openID, l, replies, held, 0, notices)
	}
	sent, err := b.transmit(ctx, openID, l, parts)
	switch {
	case err == nil:
		return nil
	case unreachable(err):
		return fmt.Errorf("send to wechat %s: %w: %w", openID, conversations.ErrUnreachable, err)
	case outOfWindow(err):
		// WeChat's count differs from ours (the follower unfollowed, a
		// clock drifted): believe WeChat, and keep the rest for later.
		b.closeWindow(ctx, openID)
		if err := b.holdParts(ctx, openID, parts[sent:]); err != nil || sent > 0 {
			return err
		}
		b.knock(ctx, openID, notices)
		return nil
	}
	b.refund(ctx, openID, len(parts)-sent)
	if sent > 0 {
		// Half a push went: the rest waits rather than the whole coming twice.
		return b.holdParts(ctx, openID, parts[sent:])
	}
	return fmt.Errorf("send to wechat %s: %w", openID, err)
}

// SendPush implements conversations.PushSender: the outbox hands WeChat a
// push whole, since Send already keeps its own place in it (what the
// window cannot take is held and sent later) and one invitation to reply
// closes the push rather than every reply of it. Its notices go as
// templates when the window is closed or full.
func (b *Bot) SendPush(ctx context.Context, p conversations.Push) error {
	return b.push(ctx, p.ChatID, p.Replies, p.Notices)
}

var _ conversations.PushSender = (*Bot)(nil)

// holdPush keeps a push for the follower's next message. The first one
// held is announced while the window allows a message: the follower's
// reply to the notice opens a fresh window for everything. When the
// window allows none, the push's notices go as templates.
func (b *Bot) holdPush(ctx context.Context, openID string, l *locales.Localizer, replies []conversations.Reply, heldBefore, left int, notices []conversations.Notice) error {
	if err := b.hold(ctx, openID, replies); err != nil {
		return err
	}
	b.log.Info("wechat: push held for the follower's next message", "openid", openID, "window_left", left)
	if left == 0 {
		b.knock(ctx, openID, notices)
		return nil
	}
	if heldBefore > 0 {
		return nil
	}
	notice := []part{{segs: []segment{{text: l.T("msg.wechat.held_notice"), src: srcNote}}}}
	// The push is held: from here on a failure costs only the notice.
	got, err := b.store.SpendWindow(ctx, openID, b.cfg.Now(), 1)
	if err != nil {
		b.log.Warn("wechat: spend window for a notice", "openid", openID, "err", err)
	}
	if got == 0 {
		b.knock(ctx, openID, notices)
		return nil
	}
	if _, err := b.transmit(ctx, openID, l, notice); err != nil {
		b.log.Warn("wechat: notice of a held push", "openid", openID, "err", err)
		if outOfWindow(err) {
			b.closeWindow(ctx, openID)
			b.knock(ctx, openID, notices)
		} else {
			b.refund(ctx, openID, 1)
		}
	}
	return nil
}

func (b *Bot) refund(ctx context.Context, openID string, n int) {
	if n <= 0 {
		return
	}
	if err := b.store.RefundWindow(ctx, openID, n); err != nil {
		b.log.Warn("wechat: refund window", "openid", openID, "err", err)
	}
}

func (b *Bot) closeWindow(ctx context.Context, openID string) {
	if err := b.store.CloseWindow(ctx, openID); err != nil {
		b.log.Warn("wechat: close window", "openid", openID, "err", err)
	}
}

// transmit sends parts in order and returns how many went: a push, or a
// notice of ours (see transmitEach).
func (b *Bot) transmit(ctx context.Context, openID string, l *locales.Localizer, parts []part) (int, error) {
	return b.transmitEach(ctx, openID, l, parts, nil, false)
}

// transmitEach is transmit with a report after each part (held.go settles
// held pushes one message at a time); an error of it stops it. answering:
// the parts carry the replies to what the follower did (updateMenu).
func (b *Bot) transmitEach(ctx context.Context, openID string, l *locales.Localizer, parts []part, each *progress, answering bool) (int, error) {
	if err := b.updateMenu(ctx, openID, parts, answering); err != nil {
		return 0, err
	}
	n := 0
	for i, p := range parts {
		var err error
		if p.photo != nil {
			err = b.sendPhoto(ctx, openID, *p.photo)
		} else {
			text := p.text(l, &n)
			err = b.call(ctx, "send text", func(oa *officialaccount.OfficialAccount) error {
				return oa.GetCustomerMessageManager().Send(message.NewCustomerTextMessage(openID, text))
			})
		}
		if err != nil {
			return i, err
		}
		if err := each.after(ctx, i+1); err != nil {
			return i + 1, err
		}
	}
	return len(parts), nil
}

// updateMenu makes the choices the parts draw the follower's numbered
// menu before the first part goes, so a quick answer already finds it.
// An answer to the follower that draws none ends the old menu: what they
// type next is theirs (a store named "1"), not a number from a list they
// have moved past. A push that draws none leaves it: it asks nothing, and
// the list the follower was answering still stands.
func (b *Bot) updateMenu(ctx context.Context, openID string, parts []part, answering bool) error {
	var menu []string
	for _, p := range parts {
		for _, s := range p.segs {
			for _, btn := range s.buttons {
				menu = append(menu, btn.Data)
			}
		}
	}
	if len(menu) == 0 && !answering {
		return nil
	}
	return b.store.SetMenu(ctx, openID, menu)
}

// localizer speaks the follower's language: the seller's, or Chinese,
// WeChat's default, before they are one.
func (b *Bot) localizer(ctx context.Context, openID string) *locales.Localizer {
	lang := domain.LangChinese
	s, err := b.cfg.Sellers.FindSellerByIdentity(domain.NewContextWithActor(ctx, domain.System),
		domain.Identity{Channel: domain.ChannelWeChat, ExternalID: openID})
	if err == nil && s != nil {
		lang = s.Language
	} else if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
		b.log.Warn("wechat: find the follower's language", "openid", openID, "err", err)
	}
	return b.cfg.Locales.For(string(lang))
}

// --- rendering ---

// render turns replies into messages: texts merged while they fit, photos
// one by one. WeChat can neither edit nor delete a message: an edit comes
// as a new message, and where the engine would delete the follower's
// message (a pasted token) the follower is asked to recall it.
func render(l *locales.Localizer, replies []conversations.Reply) []part {
	return renderFrom(l, replies, nil)
}

// renderFrom is render with the source of each reply (srcs[i] for
// replies[i]; nil: all srcTurn), which its segments and photos keep.
func renderFrom(l *locales.Localizer, replies []conversations.Reply, srcs []int) []part {
	var parts []part
	add := func(s segment) {
		if n := len(parts); n > 0 && parts[n-1].photo == nil && size(append(parts[n-1].segs, s)) <= maxTextBytes {
			parts[n-1].segs = append(parts[n-1].segs, s)
			return
		}
		parts = append(parts, part{segs: []segment{s}})
	}
	for ri, r := range replies {
		src := srcTurn
		if srcs != nil {
			src = srcs[ri]
		}
		if t := strings.TrimSpace(r.Toast); t != "" {
			add(segment{text: t, src: src})
		}
		if r.DeleteMessage != "" {
			add(segment{text: l.T("msg.wechat.recall"), src: src})
		}
		text := strings.TrimSpace(r.Text)
		for _, p := range r.Photos {
			if len(p.Data) == 0 {
				if p.URL != "" { // a picture on the web: a link costs no message
					text = strings.TrimSpace(text + "\n" + l.T("label.picture_link", map[string]any{"URL": p.URL}))
				}
				continue
			}
			parts = append(parts, part{photo: &p, src: src})
		}
		var buttons []conversations.Button
		for _, row := range r.Buttons {
			buttons = append(buttons, row...)
		}
		if text == "" && len(buttons) == 0 {
			continue
		}
		chunks := splitText(text, maxTextBytes-size([]segment{{buttons: buttons}}))
		for i, c := range chunks {
			s := segment{text: c, src: src}
			if i == len(chunks)-1 {
				s.buttons = buttons
			}
			add(s)
		}
	}
	return parts
}

// withSegment adds a segment to the last text part, or a new part.
func withSegment(parts []part, s segment) []part {
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i].photo == nil {
			if size(append(parts[i].segs, s)) <= maxTextBytes {
				parts[i].segs = append(parts[i].segs[:len(parts[i].segs):len(parts[i].segs)], s)
				return parts
			}
			break
		}
	}
	return append(parts, part{segs: []segment{s}})
}

// fit picks what goes within a window of budget messages: texts first
// (the answer, the choices), then photos, in their order; the rest waits.
func fit(parts []part, budget int) (send, rest []part) {
	if len(parts) <= budget {
		return parts, nil
	}
	keep := make([]bool, len(parts))
	n := 0
	for _, photos := range []bool{false, true} {
		for i, p := range parts {
			if (p.photo != nil) == photos && n < budget {
				keep[i] = true
				n++
			}
		}
	}
	for i, p := range parts {
		if keep[i] {
			send = append(send, p)
		} else {
			rest = append(rest, p)
		}
	}
	return send, rest
}

// toReplies turns parts back into replies, to hold them.
func toReplies(parts []part) []conversations.Reply {
	var out []conversations.Reply
	for _, p := range parts {
		if p.photo != nil {
			out = append(out, conversations.Reply{Photos: []conversations.Photo{*p.photo}})
			continue
		}
		for _, s := range p.segs {
			r := conversations.Reply{Text: s.text}
			for _, btn := range s.buttons {
				r.Buttons = append(r.Buttons, []conversations.Button{btn})
			}
			out = append(out, r)
		}
	}
	return out
}

// text lays a text part out; n numbers the choices across one answer.
func (p part) text(l *locales.Localizer, n *int) string {
	var b strings.Builder
	choices := false
	for _, s := range p.segs {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s.text)
		for i, btn := range s.buttons {
			*n++
			switch {
			case i == 0 && s.text != "":
				b.WriteString("\n\n")
			case i > 0:
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d. %s", *n, btn.Text)
			choices = true
		}
	}
	if choices {
		b.WriteString("\n\n" + l.T("msg.wechat.choose"))
	}
	return b.String()
}

// size bounds the bytes a part's text takes, choices and hint included.
func size(segs []segment) int {
	n := 0
	for _, s := range segs {
		n += len(s.text) + 2
		for _, btn := range s.buttons {
			n += len(btn.Text) + len("\n999. ")
		}
	}
	return n + 200 // the hint and the invitation, in any language
}

// splitText cuts text into pieces of at most max bytes, at line ends where
// it can and never inside a character.
func splitText(text string, limit int) []string {
	limit = max(limit, 200)
	var out []string
	for len(text) > limit {
		cut := strings.LastIndex(text[:limit], "\n")
		if cut <= 0 {
			cut = limit
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}
