package conversations

import (
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// dispatch.go: the one rule that routes every input in every state, and
// what the person is told when an input interrupts a flow.

// dispatch routes an input by one rule for every state: a command (typed,
// or a menu item) runs from anywhere; a button goes to its kind's handler;
// what the current step can use goes to the step; anything else goes to
// the module that accepts it, and the person is told what became of the
// step they were at.
func (e *Engine) dispatch(t *Turn) error {
	if name, arg, ok := e.commandIn(t); ok {
		return e.command(t, name, arg)
	}
	if t.in.Button != "" {
		return e.press(t)
	}
	if !t.running() && t.seller == nil {
		return t.StartFlow(onboardingFlow.Name)
	}
	if t.running() {
		_, step, err := e.step(t.s)
		if err != nil {
			return err
		}
		if step.wants(t.kind()) {
			return e.read(t)
		}
	}
	return e.detour(t, e.stray)
}

// commandIn finds a command in the input: "/name arg", or a command's menu
// name typed where the step reads no text ("help", "客服", "Поддержка").
func (e *Engine) commandIn(t *Turn) (name, arg string, ok bool) {
	if t.in.Button != "" {
		return "", "", false
	}
	if name, arg, ok := commandName(t.in.Text); ok {
		return name, arg, true
	}
	if t.running() {
		if _, step, err := e.step(t.s); err == nil && step.wants(inText) {
			return "", "", false
		}
	}
	name, ok = e.aliases[strings.ToLower(t.Text())]
	return name, "", ok && t.Text() != ""
}

// command runs a command from any state. One that needs a seller waits
// for onboarding to end, and onboarding goes on where it was.
func (e *Engine) command(t *Turn, name, arg string) error {
	cmd, ok := e.commands[name]
	if !ok {
		t.Say("error.input.unknown_command", map[string]any{"Command": "/" + name})
		return e.reask(t)
	}
	if cmd.NeedsSeller && t.seller == nil {
		if t.s.Flow != onboardingFlow.Name {
			return t.StartFlow(onboardingFlow.Name)
		}
		t.Say("flow.onboarding.first")
		return e.reask(t)
	}
	if name == "start" || name == "cancel" {
		return cmd.Run(t, arg) // they end the running flow themselves
	}
	return e.detour(t, func(t *Turn) error { return cmd.Run(t, arg) })
}

// stray offers an input no step wants to the modules that accept inputs,
// in registry order; with none, the person hears what they can do.
func (e *Engine) stray(t *Turn) error {
	for _, a := range e.accepts {
		ok, err := a.Takes(t)
		if err != nil {
			return err
		}
		if ok {
			return a.Run(t)
		}
	}
	if t.running() {
		t.Say(e.unusable(t))
		return nil
	}
	return cmdHelp(t, "")
}

// unusable says what the current step wanted instead of the input.
func (e *Engine) unusable(t *Turn) string {
	_, step, err := e.step(t.s)
	switch {
	case err != nil:
		return "error.input.not_now"
	case step.Wants&inPhone != 0: // not wants: a number is text to text steps
		return "error.input.expected_phone"
	case step.wants(inText):
		return "error.input.expected_text"
	case step.wants(inFile):
		return "error.input.expected_file"
	case step.wants(inChoice):
		return "error.input.expected_choice"
	}
	return "error.input.not_now"
}

// detour runs do away from the running flow, then says what became of
// it: closed, when do started another flow, or still waiting, asked again.
func (e *Engine) detour(t *Turn, do func(t *Turn) error) error {
	flow, state, at, starts := t.s.Flow, t.s.State, len(t.replies), t.starts
	if err := do(t); err != nil {
		return err
	}
	if state == "" || state == Idle || flow == "" {
		return nil
	}
	if t.starts == starts && t.s.Flow == flow && t.s.State == state {
		t.Say("flow.resume", map[string]any{"Flow": t.T("flow." + flow + ".title")})
		return e.reask(t)
	}
	if t.s.Flow != flow {
		// Another flow took over (the same one begun again needs no word).
		closed := Reply{Text: t.T("flow.closed", map[string]any{"Flow": t.T("flow." + flow + ".title")})}
		t.replies = append(t.replies[:at], append([]Reply{closed}, t.replies[at:]...)...)
	}
	return nil
}

// answered makes sure every input gets an answer: an input nothing
// answered hears the current question again, or what the bot can do.
func (t *Turn) answered() error {
	if len(t.replies) > 0 {
		if t.menu != "" {
			t.replies[0].Menu = string(t.menu)
		}
		return nil
	}
	if t.running() {
		return t.e.reask(t)
	}
	return cmdHelp(t, "")
}

// press handles a button. Flow buttons answer the current step and carry
// the session version; others name a kind whose first field the engine
// loads for the presser, so a handler only ever sees their own data.
func (e *Engine) press(t *Turn) error {
	b, ok := parseButton(t.in.Button)
	if !ok {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	if buttonKind(b.action) == flowButton {
		if b.version != t.prevVersion || !t.running() {
			t.Toast("error.input.stale_button")
			return e.reask(t)
		}
		t.choice = b.arg
		return e.read(t)
	}
	spec, ok := e.buttons[buttonKind(b.action)]
	if !ok || (t.seller == nil && !spec.Anyone) {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	if err := t.load(&b, spec.Owns); err != nil {
		return err
	}
	return spec.Press(t, b)
}

// load fetches what a button's first field names, in the presser's
// context: another seller's id is simply not found.
func (t *Turn) load(b *button, o owned) error {
	if o == ownsNothing {
		return nil
	}
	id, err := strconv.ParseInt(b.field(0), 10, 64)
	switch {
	case o == ownsReturn && err == nil:
		b.ret, err = t.e.Returns.FindReturnByID(t.ctx, id)
	case o == ownsReturn:
		err = domain.Errorf(domain.CodeNotFound, "error.return.not_found", nil)
	case o == ownsStore && err == nil:
		b.store, err = t.e.Stores.FindStoreByID(t.ctx, id)
	case o == ownsStore:
		err = domain.Errorf(domain.CodeNotFound, "error.store.not_found", nil)
	default:
		b.unit, err = t.ownUnit(b.field(0)) // resale.go
	}
	return err
}
