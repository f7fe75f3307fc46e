package conversations_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// sessionProbe reports, at each remote call, whether the staff chat's
// session row is locked: it must not be, since the turn committed.
type sessionProbe struct {
	pool   *pgxpool.Pool
	chatID string
	mu     sync.Mutex
	calls  int
	locked []string // the calls made under the lock
}

func (p *sessionProbe) check(what string) {
	ctx := context.Background()
	tx, err := p.pool.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, `SELECT 1 FROM chat_sessions WHERE channel = 'telegram' AND chat_id = $1
			FOR UPDATE NOWAIT`, p.chatID)
		_ = tx.Rollback(ctx)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if err != nil {
		p.locked = append(p.locked, what+": "+err.Error())
	}
}

type probedChat struct {
	conversations.StaffChat
	p *sessionProbe
}

func (c probedChat) Post(ctx context.Context, at conversations.StaffPlace, m conversations.StaffMessage) ([]string, error) {
	c.p.check("post")
	return c.StaffChat.Post(ctx, at, m)
}

func (c probedChat) Edit(ctx context.Context, id string, m conversations.StaffMessage) error {
	c.p.check("edit")
	return c.StaffChat.Edit(ctx, id, m)
}

type probedSender struct {
	*replySender
	p *sessionProbe
}

func (s probedSender) Send(ctx context.Context, chatID string, rs []conversations.Reply) error {
	s.p.check("send")
	return s.replySender.Send(ctx, chatID, rs)
}

func (s probedSender) SendReply(ctx context.Context, chatID, replyTo string, rs []conversations.Reply) error {
	s.p.check("send reply")
	return s.replySender.SendReply(ctx, chatID, replyTo, rs)
}

// TestStaffSendsAfterCommit: what a staff input sends (a post in the
// staff chat, a reply to the seller) goes once the turn committed, when
// the staff chat's one session row is free for the next staff input.
func TestStaffSendsAfterCommit(t *testing.T) {
	for _, tt := range []struct {
		name string
		// in is the staff input, given the relayed post of the seller's message.
		in        func(relayed staffPost) conversations.StaffInput
		wantReply bool
	}{
		{name: "Help", in: func(staffPost) conversations.StaffInput {
			return conversations.StaffInput{Input: conversations.Input{Text: "/help"}}
		}},
		{name: "ReplyToSeller", wantReply: true, in: func(relayed staffPost) conversations.StaffInput {
			return conversations.StaffInput{Input: conversations.Input{Text: "answer"}, ReplyTo: relayed.ids[0]}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newStaffFixture(t, false)
			_, c := f.sellerChat(t)
			c.send("hello")
			f.flush(t)
			relayed := f.chat.last(t)
			// The staff chat's session row exists from its first input on;
			// a row being inserted would lock nothing the probe could see.
			f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/help"}})
			p := &sessionProbe{pool: f.h.db.Pool, chatID: strconv.FormatInt(f.chat.id, 10)}
			f.desk.Chat = probedChat{StaffChat: f.chat, p: p}
			f.desk.Senders[domain.ChannelTelegram] = probedSender{replySender: f.sender, p: p}
			f.staff(t, tt.in(relayed))
			if p.calls == 0 {
				t.Fatal("nothing was sent")
			}
			if len(p.locked) > 0 {
				t.Errorf("sent while the staff chat's session was locked: %v", p.locked)
			}
			f.sender.mu.Lock()
			defer f.sender.mu.Unlock()
			if got := len(f.sender.sent["8101"]) > 0; got != tt.wantReply {
				t.Errorf("replied to the seller: %v, want %v", got, tt.wantReply)
			}
		})
	}
}

// TestStaffReplyComesBack: a staff reply is kept with the staff turn that
// decided it, so the input delivered again (after a failed send, or a
// crash between the commit and the send) brings it back, once; a send
// that keeps failing is given up after a few deliveries and staff are
// told so where they wrote.
func TestStaffReplyComesBack(t *testing.T) {
	for _, tt := range []struct {
		name     string
		failFor  int // deliveries whose send fails
		wantSent int
		wantTold bool // staff told it failed
	}{
		{name: "SentOnTheSecondDelivery", failFor: 1, wantSent: 1},
		{name: "GivenUp", failFor: 10, wantSent: 0, wantTold: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newStaffFixture(t, false)
			_, c := f.sellerChat(t)
			c.send("hello")
			f.flush(t)
			relayed := f.chat.last(t)
			staffUpdates++
			in := conversations.StaffInput{Input: conversations.Input{Text: "answer", MessageID: "901", UpdateID: staffUpdates,
				Channel: domain.ChannelTelegram, ChatID: strconv.FormatInt(f.chat.id, 10), UserID: "77", UserName: "Olga"},
				ReplyTo: relayed.ids[0]}
			for delivery := 1; delivery <= 6; delivery++ {
				f.sender.mu.Lock()
				f.sender.fail = nil
				if delivery <= tt.failFor {
					f.sender.fail = errors.New("502 Bad Gateway")
				}
				f.sender.mu.Unlock()
				_, err := f.h.engine.HandleStaff(context.Background(), in)
				if err == nil {
					continue
				}
				if delivery > tt.failFor {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
			}
			f.sender.mu.Lock()
			got := len(f.sender.sent["8101"])
			f.sender.mu.Unlock()
			if got != tt.wantSent {
				t.Errorf("the seller got the reply %d times, want %d", got, tt.wantSent)
			}
			told := f.chat.last(t).m.Text == bundle.For("en").T("staff.reply.failed")
			if told != tt.wantTold {
				t.Errorf("staff told it failed: %v, want %v (last post %q)", told, tt.wantTold, f.chat.last(t).m.Text)
			}
		})
	}
}
