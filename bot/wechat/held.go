package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
)

// held.go: what was held for a follower goes with the answer to their
// next message. The held pushes are claimed, not taken: each is deleted
// only once the messages carrying it went, and what of it is left is
// written back into it after every message, so a send that fails, a
// deadline that passes or a replica that dies leaves the rest held for
// the next turn, in its order; a claimant that died is presumed so when
// its lease ends.

const (
	// srcTurn marks what is made of the replies being sent: if they do
	// not go, they are held anew.
	srcTurn = 0
	// srcNote marks a notice of ours (a header, a count, the invitation):
	// if it does not go, it is dropped; the next answer has its own.
	srcNote = -1

	// heldLease is how long a claim on held pushes lasts, and the budget
	// of the answer that carries them: it starts after the turn committed,
	// so the turn's own deadline passing does not strand them.
	heldLease = 5 * time.Minute
)

// errLeaseShort stops an answer whose claim has too little time left for
// one more message: the rest waits for the next turn rather than risking
// another claimant sending it too.
var errLeaseShort = errors.New("the claim on held pushes ends too soon for another message")

// errClaimLost stops an answer whose claim lapsed and was taken over.
var errClaimLost = errors.New("the claim on held pushes was taken over")

// heldPush is what is kept of a push that waits for the follower.
type heldPush struct {
	Replies []conversations.Reply `json:"replies"`
	At      time.Time             `json:"at"`
}

// heldGroup is what one segment source stands for: a held push (one id),
// or the older pushes only counted (several ids, one segment).
type heldGroup struct {
	ids []int64
	at  time.Time
}

// progress settles a claim while an answer goes: after each message, the
// pushes whose every piece went are deleted and those sent in part keep
// what is left. A nil progress does nothing.
type progress struct {
	b      *Bot
	token  int64
	until  time.Time
	groups []heldGroup
	// parts is what the answer sends, then what waits; left[g] counts the
	// pieces of group g not sent yet.
	parts   []part
	left    []int
	settled []bool
}

func (p *progress) before() error {
	if p == nil {
		return nil
	}
	if p.b.cfg.Now().Add(p.b.partBudget()).After(p.until) {
		return errLeaseShort
	}
	return nil
}

// after records that the first sent parts went.
func (p *progress) after(ctx context.Context, sent int) error {
	if p == nil {
		return nil
	}
	changed := map[int]bool{}
	for _, q := range p.parts[sent-1 : sent] {
		for _, src := range sources(q) {
			if src > srcTurn {
				p.left[src-1]--
				changed[src-1] = true
			}
		}
	}
	var done []int64
	rest := map[int64][]byte{}
	for g, grp := range p.groups {
		switch {
		case p.settled[g]:
		case p.left[g] == 0:
			done = append(done, grp.ids...)
			p.settled[g] = true
		case changed[g] && len(grp.ids) == 1:
			payload, err := json.Marshal(heldPush{Replies: toReplies(only(p.parts[sent:], g+1)), At: grp.at})
			if err != nil {
				return fmt.Errorf("settle held pushes: %w", err)
			}
			rest[grp.ids[0]] = payload
		}
	}
	ok, err := p.b.store.SettlePushes(ctx, p.token, done, rest)
	if err != nil {
		return err
	}
	if !ok {
		return errClaimLost
	}
	return nil
}

// partBudget bounds how long one message may take: an upload and a send,
// each retried once with a new token.
func (b *Bot) partBudget() time.Duration {
	if t := b.client.Timeout; t > 0 {
		return 4 * t
	}
	return time.Minute
}

// answer sends the replies to what a follower did, then what was held for
// them, newest first, as far as their window allows; the rest stays held.
func (b *Bot) answer(ctx context.Context, openID string, replies []conversations.Reply, askedForHeld bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), heldLease)
	defer cancel()
	l := b.localizer(ctx, openID)
	now := b.cfg.Now()
	token, ids, payloads, err := b.store.ClaimPushes(ctx, openID, now, now.Add(heldLease))
	claimed := err == nil
	if !claimed {
		b.log.Error("wechat: claim held pushes", "openid", openID, "err", err)
	}
	if claimed {
		defer func() {
			if err := b.store.ReleasePushes(ctx, token); err != nil {
				b.log.Warn("wechat: release held pushes", "openid", openID, "err", err)
			}
		}()
	}
	batch, srcs := replies, make([]int, len(replies))
	var groups []heldGroup
	if len(ids) > 0 {
		var more []conversations.Reply
		var moreSrcs []int
		more, moreSrcs, groups = b.heldDigest(l, ids, payloads)
		batch, srcs = append(batch, more...), append(srcs, moreSrcs...)
	} else if askedForHeld {
		batch, srcs = append(batch, conversations.Reply{Text: l.T("msg.wechat.nothing_held")}), append(srcs, srcNote)
	}
	parts := renderFrom(l, batch, srcs)
	if len(parts) == 0 {
		return
	}
	left, err := b.store.WindowLeft(ctx, openID, now)
	if err != nil {
		b.log.Error("wechat: read window", "openid", openID, "err", err)
	}
	send, rest := fit(parts, left)
	if len(rest) > 0 && len(send) > 0 {
		send = withSegment(send, segment{text: l.T("msg.wechat.more_held", map[string]any{"N": len(rest)}), src: srcNote})
	}
	got, err := b.store.SpendWindow(ctx, openID, now, len(send))
	if err != nil {
		b.log.Error("wechat: spend window", "openid", openID, "err", err)
	}
	if got < len(send) {
		send, rest = send[:got], append(send[got:len(send):len(send)], rest...)
	}
	var each *progress
	if claimed {
		each = newProgress(b, token, now.Add(heldLease), groups, append(send[:len(send):len(send)], rest...))
	}
	sent, err := b.transmitEach(ctx, openID, l, send, each, true)
	if err != nil {
		if outOfWindow(err) {
			b.closeWindow(ctx, openID)
		} else {
			b.refund(ctx, openID, len(send)-sent)
		}
		rest = append(send[sent:len(send):len(send)], rest...)
		if unreachable(err) {
			b.log.Info("wechat: follower unreachable", "openid", openID, "err", err)
			return
		}
		b.log.Error("wechat: send replies", "openid", openID, "err", err)
	}
	// What was held stays in its rows; what the turn said is held anew.
	if err := b.holdParts(ctx, openID, only(rest, srcTurn)); err != nil {
		b.log.Error("wechat: hold what did not fit", "openid", openID, "err", err)
	}
}

func newProgress(b *Bot, token int64, until time.Time, groups []heldGroup, parts []part) *progress {
	p := &progress{b: b, token: token, until: until, groups: groups, parts: parts,
		left: make([]int, len(groups)), settled: make([]bool, len(groups))}
	for _, q := range parts {
		for _, src := range sources(q) {
			if src > srcTurn {
				p.left[src-1]++
			}
		}
	}
	return p
}

// sources lists the source of each piece of a part: its photo, or each
// of its segments.
func sources(p part) []int {
	if p.photo != nil {
		return []int{p.src}
	}
	out := make([]int, len(p.segs))
	for i, s := range p.segs {
		out[i] = s.src
	}
	return out
}

// only keeps the pieces of parts that came from src.
func only(parts []part, src int) []part {
	var out []part
	for _, p := range parts {
		if p.photo != nil {
			if p.src == src {
				out = append(out, p)
			}
			continue
		}
		var segs []segment
		for _, s := range p.segs {
			if s.src == src {
				segs = append(segs, s)
			}
		}
		if len(segs) > 0 {
			out = append(out, part{segs: segs})
		}
	}
	return out
}

// heldDigest lays held pushes out as one answer, newest first, with the
// source of each reply and the groups those sources stand for. A push
// that cannot be read is a group with nothing to send: it is deleted with
// the first message.
func (b *Bot) heldDigest(l *locales.Localizer, ids []int64, payloads [][]byte) ([]conversations.Reply, []int, []heldGroup) {
	out := []conversations.Reply{{Text: l.T("msg.wechat.held_header")}}
	srcs := []int{srcNote}
	var groups []heldGroup
	for i, p := range payloads {
		if i == maxHeldShown {
			groups = append(groups, heldGroup{ids: ids[i:]})
			out = append(out, conversations.Reply{Text: l.T("msg.wechat.held_older", map[string]any{"N": len(payloads) - i})})
			srcs = append(srcs, len(groups))
			break
		}
		var h heldPush
		if err := json.Unmarshal(p, &h); err != nil {
			b.log.Error("wechat: unreadable held push", "err", err)
		}
		groups = append(groups, heldGroup{ids: ids[i : i+1], at: h.At})
		for _, r := range h.Replies {
			out, srcs = append(out, r), append(srcs, len(groups))
		}
	}
	return out, srcs, groups
}

func (b *Bot) hold(ctx context.Context, openID string, replies []conversations.Reply) error {
	payload, err := json.Marshal(heldPush{Replies: replies, At: b.cfg.Now()})
	if err != nil {
		return fmt.Errorf("hold push for %s: %w", openID, err)
	}
	if _, err := b.store.HoldPush(ctx, openID, payload); err != nil {
		return fmt.Errorf("hold push for %s: %w", openID, err)
	}
	return nil
}

func (b *Bot) holdParts(ctx context.Context, openID string, parts []part) error {
	if len(parts) == 0 {
		return nil
	}
	return b.hold(ctx, openID, toReplies(parts))
}
