package conversations

import (
	"context"
	"fmt"
	"strings"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// Turn is one input being handled: the session, the person, their
// language, and the replies built so far.
type Turn struct {
	e           *Engine
	ctx         context.Context // acts as the seller once known, else as the system
	s           *domain.ChatSession
	in          Input
	l           *locales.Localizer
	seller      *domain.Seller
	replies     []Reply
	choice      string // the value of a pressed flow button
	then        string // a flow to start when the current one ends
	prevVersion int64
	starts      int             // flows begun in this turn, for Engine.detour
	calls       *remoteCalls    // made outside the transaction (remote.go)
	menu        domain.Language // a language chosen in this turn (speak)
	// staff is set when the input came from the staff chat: the turn acts
	// as the staff member and answers there (staff.go).
	staff *staffPart
}

// Choice is one option of a step, drawn as a button (or a numbered line).
type Choice struct {
	Value   string
	Label   string // a locales id, or literal text when Literal is set
	Literal bool
}

func (t *Turn) loadSeller() error {
	sysCtx := domain.NewContextWithActor(t.ctx, domain.System)
	seller, err := t.e.Sellers.FindSellerByID(sysCtx, t.s.SellerID)
	if err != nil {
		return err
	}
	t.actAs(seller)
	return nil
}

// actAs makes the turn act for seller, as the person who sent the input.
func (t *Turn) actAs(seller *domain.Seller) {
	t.seller = seller
	t.ctx = domain.NewContextWithActor(t.ctx, seller.ActorFor(t.person()))
}

// person is whoever sent the input, or, for a push the system starts, the
// seller's owner.
func (t *Turn) person() domain.Identity {
	if t.in.UserID != "" {
		return domain.Identity{Channel: t.in.Channel, ExternalID: t.in.UserID}
	}
	if t.seller != nil {
		owner, _ := t.seller.Owner()
		return owner
	}
	return domain.Identity{}
}

// T translates a message id in the person's language.
func (t *Turn) T(id string, data ...map[string]any) string { return t.l.T(id, data...) }

// Error renders an error for a person: its message id, or "something went wrong".
func (t *Turn) Error(err error) string {
	id := domain.ErrorMsgID(err)
	if id == "" {
		id = "error.internal"
	}
	return t.l.T(id, domain.ErrorData(err))
}

// speak switches the turn to lang, as the person just chose it, and the
// chat's command menu with it (Reply.Menu on the turn's first reply).
func (t *Turn) speak(lang domain.Language) {
	t.l = t.e.Locales.For(string(lang))
	t.menu = lang
}

// apologize is the one answer to an input that changed nothing, for
// sellers and staff alike: a person's mistake (any error but an internal
// one) is told to them in their language, and the turn commits as it
// stands, the input marked handled; an internal error is returned, the
// transaction rolls back and the input comes again.
func (t *Turn) apologize(err error) error {
	if err == nil || domain.ErrorCode(err) == domain.CodeInternal {
		return err
	}
	text := t.Error(err)
	switch {
	case t.staff == nil:
		t.replies = append(t.replies, Reply{Text: text})
	case t.in.Button != "":
		t.staff.reply, t.staff.toast = nil, text // nothing goes to the seller
	default:
		t.staff.reply = nil
		t.post(StaffMessage{Text: t.T("label.refused", map[string]any{"Text": text})})
	}
	return nil
}

// Say adds a message.
func (t *Turn) Say(id string, data ...map[string]any) *Reply {
	return t.Send(Reply{Text: t.T(id, data...)})
}

// Send adds a reply and returns it for further touches. (A channel
// without buttons numbers them itself: bot/wechat keeps that menu.)
func (t *Turn) Send(r Reply) *Reply {
	t.replies = append(t.replies, r)
	return &t.replies[len(t.replies)-1]
}

// Toast answers a pressed button with a short note.
func (t *Turn) Toast(id string) {
	t.replies = append(t.replies, Reply{Toast: t.T(id)})
}

// Ask sends a prompt with the step's choices as buttons, one per row.
func (t *Turn) Ask(id string, data map[string]any, choices ...Choice) *Reply {
	var rows [][]Button
	for _, c := range choices {
		label := c.Label
		if !c.Literal {
			label = t.T(c.Label)
		}
		rows = append(rows, []Button{{Text: label, Data: flowButton.data(t.s.Version, c.Value)}})
	}
	return t.Send(Reply{Text: t.T(id, data), Buttons: rows})
}

// Text is what the person typed, trimmed.
func (t *Turn) Text() string { return strings.TrimSpace(t.in.Text) }

// Chosen is the value of the pressed flow button, if one was pressed.
func (t *Turn) Chosen() string { return t.choice }

// StartFlow leaves any running flow and starts the named one.
func (t *Turn) StartFlow(name string) error {
	flow, ok := t.e.flows[name]
	if !ok {
		return errInternal(fmt.Errorf("unknown flow %q", name))
	}
	return t.StartFlowAt(name, flow.Start, nil)
}

// Then starts the named flow when the current one ends.
func (t *Turn) Then(name string) { t.then = name }

// readAt enters a flow at a state with data already collected and reads
// the input there, without asking first: the input is the answer (a QR
// screenshot, a token pasted at another step).
func (t *Turn) readAt(name, state string, data map[string]string) error {
	if _, err := t.enter(name, state, data); err != nil {
		return err
	}
	return t.e.read(t)
}

// running reports whether a flow waits for an answer.
func (t *Turn) running() bool { return t.s.State != "" && t.s.State != Idle }

// Visualize draws a flow as a Mermaid state diagram, for the golden files.
func Visualize(f *Flow) (string, error) {
	m := fsm.NewFSM(f.Start, f.Transitions, nil)
	return fsm.VisualizeWithType(m, fsm.MermaidStateDiagram)
}

// StartFlowAt starts a flow at a given state with data already collected:
// e.g. /stores → "new token" enters the store flow at its token step.
func (t *Turn) StartFlowAt(name, state string, data map[string]string) error {
	step, err := t.enter(name, state, data)
	if err != nil {
		return err
	}
	return step.Ask(t)
}

// enter leaves any running flow for a state of the named one, with data.
func (t *Turn) enter(name, state string, data map[string]string) (Step, error) {
	flow, ok := t.e.flows[name]
	if !ok {
		return Step{}, errInternal(fmt.Errorf("unknown flow %q", name))
	}
	step, ok := flow.Steps[state]
	if !ok {
		return Step{}, errInternal(fmt.Errorf("flow %s has no state %q", name, state))
	}
	clearFlowData(t.s)
	for k, v := range data {
		t.s.Data[k] = v
	}
	t.s.Flow, t.s.State = flow.Name, state
	t.starts++
	return step, nil
}
