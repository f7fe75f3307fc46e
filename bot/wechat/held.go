package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// held.go: what was held for a follower goes with the answer to their
// next message, and the answer itself is kept the same way until it went.
// Held pushes and kept replies are claimed, not taken: each is deleted
// only once the messages carrying it went, and what of it is left is
// written back into it after every message, so a send that fails, a
// deadline that passes or a replica that dies leaves the rest for the next
// answer, in its order; a claimant that died is presumed so when its lease
// ends, and a reply it left is sent by another replica's sweep.

const (
	// srcTurn marks what is made of the replies being sent: if they do
	// not go, they are held anew.
	srcTurn = 0
	// srcNote marks a notice of ours (a header, a count, the invitation):
	// if it does not go, it is dropped; the next answer has its own.
	srcNote = -1

	// answerBudget bounds one answer, held pushes and all: it starts after
	// the turn committed, so the turn's own deadline passing does not
	// strand what it claimed.
	answerBudget = 5 * time.Minute
	// defaultHeldLease is Config.HeldLease's default.
	defaultHeldLease = 5 * time.Minute
)

// errClaimLost stops an answer whose claim lapsed and was taken over.
var errClaimLost = errors.New("the claim on held pushes was taken over")

// heldPush is what is kept of a push that waits for the follower, or of
// the replies to what they wrote (Reply) on their way.
type heldPush struct {
	Replies []conversations.Reply `json:"replies"`
	At      time.Time             `json:"at"`
	Reply   bool                  `json:"reply,omitempty"`
}

// heldGroup is what one segment source stands for: a held push or reply
// (one id), or the older pushes only counted (several ids, one segment).
type heldGroup struct {
	ids   []int64
	at    time.Time
	reply bool
}

// progress settles a claim while an answer goes: after each message, the
// pushes whose every piece went are deleted and those sent in part keep
// what is left. A nil progress does nothing.
type progress struct {
	b      *Bot
	token  int64
	groups []heldGroup
	// parts is what the answer sends, then what waits; left[g] counts the
	// pieces of group g not sent yet.
	parts   []part
	left    []int
	settled []bool
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
			payload, err := json.Marshal(heldPush{Replies: toReplies(only(p.parts[sent:], g+1)), At: grp.at, Reply: grp.reply})
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

func (b *Bot) heldLease() time.Duration {
	if b.cfg.HeldLease <= 0 {
		return defaultHeldLease
	}
	return b.cfg.HeldLease
}

// keepReplies keeps the replies to what a follower did, in the callback's
// transaction, for answer to send once it committed.
func (b *Bot) keepReplies(ctx context.Context, openID string, replies []conversations.Reply) error {
	if len(replies) == 0 {
		return nil
	}
	payload, err := json.Marshal(heldPush{Replies: replies, At: b.cfg.Now(), Reply: true})
	if err != nil {
		return fmt.Errorf("keep replies for %s: %w", openID, err)
	}
	return b.store.HoldReply(ctx, openID, payload)
}

// answer sends what the follower is owed, as far as their window allows:
// replies (those given, then those kept for what they wrote, oldest
// first), then what was held for them, newest first; the rest stays held.
// The claim on what was held is kept while the messages go.
func (b *Bot) answer(ctx context.Context, openID string, replies []conversations.Reply, askedForHeld bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerBudget)
	defer cancel()
	l := b.localizer(ctx, openID)
	now := b.cfg.Now()
	token, ids, payloads, err := b.store.ClaimPushes(ctx, openID, now, now.Add(b.heldLease()))
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
	more, moreSrcs, groups, pushes := b.heldDigest(l, ids, payloads)
	batch, srcs := append(replies[:len(replies):len(replies)], more...), append(make([]int, len(replies)), moreSrcs...)
	if pushes == 0 && askedForHeld {
		batch, srcs = append(batch, conversations.Reply{Text: l.T("msg.wechat.nothing_held")}), append(srcs, srcNote)
	}
	parts := renderFrom(l, batch, srcs)
	if len(parts) == 0 {
		return
	}
	send, rest := b.fitWindow(ctx, openID, l, now, parts)
	var each *progress
	if claimed {
		each = newProgress(b, token, groups, append(send[:len(send):len(send)], rest...))
	}
	sent, err := b.transmitKept(ctx, openID, l, send, each, groups)
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

// fitWindow splits parts into what the follower's window takes now,
// spent, and what waits.
func (b *Bot) fitWindow(ctx context.Context, openID string, l *locales.Localizer, now time.Time, parts []part) (send, rest []part) {
	left, err := b.store.WindowLeft(ctx, openID, now)
	if err != nil {
		b.log.Error("wechat: read window", "openid", openID, "err", err)
	}
	send, rest = fit(parts, left)
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
	return send, rest
}

// transmitKept transmits while the claim's lease is kept (domain.KeepLease):
// a send that outlasted it could go out beside another claimant's. Settling
// after each message (progress) is what finds a claim taken over.
func (b *Bot) transmitKept(ctx context.Context, openID string, l *locales.Localizer, send []part, each *progress, groups []heldGroup) (int, error) {
	answering := answersFollower(send, groups)
	if each == nil {
		return b.transmitEach(ctx, openID, l, send, nil, answering)
	}
	lease := b.heldLease()
	renew := func(ctx context.Context, until time.Time) (bool, error) {
		_, err := b.store.RenewPushes(ctx, each.token, until)
		return true, err
	}
	var sent int
	err := domain.KeepLease(ctx, b.cfg.Now, lease/4, lease, renew, func(ctx context.Context) error {
		var err error
		sent, err = b.transmitEach(ctx, openID, l, send, each, answering)
		return err
	})
	return sent, err
}

// answersFollower reports whether parts carry replies to what the
// follower did, given now or kept for them (a reply group), which decides
// what becomes of their numbered menu (updateMenu).
func answersFollower(parts []part, groups []heldGroup) bool {
	for _, p := range parts {
		for _, src := range sources(p) {
			if src == srcTurn || src > srcTurn && groups[src-1].reply {
				return true
			}
		}
	}
	return false
}

func newProgress(b *Bot, token int64, groups []heldGroup, parts []part) *progress {
	p := &progress{b: b, token: token, groups: groups, parts: parts,
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

// heldDigest lays out what was claimed as one answer: the replies kept for
// what the follower wrote, oldest first, then the held pushes under a
// header, newest first; with the source of each reply, the groups those
// sources stand for, and how many pushes there were. A push that cannot
// be read is a group with nothing to send: it is deleted with the first
// message.
func (b *Bot) heldDigest(l *locales.Localizer, ids []int64, payloads [][]byte) (out []conversations.Reply, srcs []int, groups []heldGroup, pushes int) {
	held := make([]heldPush, len(payloads))
	var pushIdx []int
	for i, p := range payloads {
		if err := json.Unmarshal(p, &held[i]); err != nil {
			b.log.Error("wechat: unreadable held push", "err", err)
		}
		if !held[i].Reply {
			pushIdx = append(pushIdx, i)
		}
	}
	add := func(i int) {
		groups = append(groups, heldGroup{ids: ids[i : i+1], at: held[i].At, reply: held[i].Reply})
		for _, r := range held[i].Replies {
			out, srcs = append(out, r), append(srcs, len(groups))
		}
	}
	for i := len(held) - 1; i >= 0; i-- {
		if held[i].Reply {
			add(i)
		}
	}
	if len(pushIdx) == 0 {
		return out, srcs, groups, 0
	}
	out, srcs = append(out, conversations.Reply{Text: l.T("msg.wechat.held_header")}), append(srcs, srcNote)
	for n, i := range pushIdx {
		if n == maxHeldShown {
			older := heldGroup{}
			for _, j := range pushIdx[n:] {
				older.ids = append(older.ids, ids[j])
			}
			groups = append(groups, older)
			out = append(out, conversations.Reply{Text: l.T("msg.wechat.held_older", map[string]any{"N": len(pushIdx) - n})})
			srcs = append(srcs, len(groups))
			break
		}
		add(i)
	}
	return out, srcs, groups, len(pushIdx)
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
