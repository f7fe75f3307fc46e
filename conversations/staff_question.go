package conversations

import (
	"context"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_question.go: the staff steps that wait for a staff member's reply.
// Each is a declared state: asking posts the question and records it (a
// staff post of kind "question" naming the state), and only a reply to
// that post is read by the state's Read. A reply anywhere else (to the
// card, in the topic) is no answer.

const (
	// staffTracking waits for the tracking number of a return shipped to
	// its seller: pressing "Shipped" on a card without one asks for it.
	staffTracking = "staff.tracking"
	// staffShelf waits for the shelf place of a return to sell on WB:
	// pressing "Put on shelf" asks for it (staff_resale.go).
	staffShelf = "staff.shelf"
)

// staffQuestion is one declared staff state.
type staffQuestion struct {
	Toast string // the pressed button's answer
	Ask   string // the question's locales id; data: {Return}
	Read  func(t *Turn, r *domain.Return, text string) (*domain.Return, error)
}

var staffQuestions = map[string]staffQuestion{
	staffTracking: {Toast: "staff.ship.ask", Ask: "staff.ship.ask_reply", Read: (*Turn).ship},
	staffShelf:    {Toast: "staff.shelve.ask", Ask: "staff.shelve.ask_reply", Read: (*Turn).shelve},
}

// StaffStates lists the declared staff states, for the registry's readers.
func StaffStates() []string {
	states := make([]string, 0, len(staffQuestions))
	for s := range staffQuestions {
		states = append(states, s)
	}
	return states
}

// ask posts the question of a staff state about r in answer to the
// pressed card, after the turn commits, and records it as that state.
func (t *Turn) staffAsk(state string, r *domain.Return) error {
	t.staff.toast = t.l.T(staffQuestions[state].Toast)
	at := StaffPlace{Thread: t.staff.in.Thread, ReplyTo: t.in.ButtonOn}
	m := StaffMessage{Text: t.l.T(staffQuestions[state].Ask, map[string]any{"Return": r.ReturnNumber})}
	t.later(func(ctx context.Context) {
		ids, err := t.staff.desk.Chat.Post(ctx, at, m)
		for _, id := range ids {
			if err == nil {
				err = t.staff.desk.rememberQuestion(ctx, id, state, r)
			}
		}
		if err != nil {
			t.staff.desk.log().Warn("staff: ask", "state", state, "err", err)
		}
	})
	return nil
}

func (d *StaffDesk) rememberQuestion(ctx context.Context, messageID, state string, r *domain.Return) error {
	id, err := strconv.ParseInt(messageID, 10, 64)
	if err != nil {
		return err
	}
	return d.Support.SaveStaffPost(ctx, &domain.StaffPost{ChatID: d.Chat.ID(), MessageID: id,
		Kind: domain.StaffPostQuestion, SellerID: r.SellerID, ReturnID: &r.ID, Question: state})
}

// answer reads a reply to a question post in the state it names; the
// question then becomes the return's card as it is now, so it is
// answered once.
func (t *Turn) staffAnswer(post *domain.StaffPost) error {
	q, ok := staffQuestions[post.Question]
	if !ok || post.ReturnID == nil {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	text := strings.TrimSpace(t.in.Text)
	if text == "" {
		t.staffSay("staff.question.text_only", nil)
		return nil
	}
	r, err := t.staff.desk.Services.Returns.FindReturnByID(t.ctx, *post.ReturnID)
	if err != nil {
		return err
	}
	if r, err = q.Read(t, r, text); err != nil {
		return err
	}
	return t.showCard(t.staff.in.ReplyTo, r)
}
