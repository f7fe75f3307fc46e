package conversations

import (
	"github.com/looplab/fsm"
)

// Flow is one conversation: its states, the events between them (one
// fsm.Events literal) and what each state asks and reads.
type Flow struct {
	Name        string // = file name = state prefix = locales prefix "flow.<name>."
	Start       string
	Transitions fsm.Events
	Steps       map[string]Step
}

// Step is one state of a flow.
type Step struct {
	// Ask renders the state's prompt.
	Ask func(t *Turn) error
	// Read turns one input into an event name: "" stays and asks again; a
	// *domain.Error is shown to the person and the state stays.
	Read func(t *Turn) (string, error)
	// Wants is the kinds of input Read can use; zero means text and the
	// step's buttons. Another kind goes to whatever part of the product
	// accepts it (Engine.detour), and the step is asked again.
	Wants inputKind
}

// inputKind is what kind of thing an input is, for Step.Wants.
type inputKind uint8

const (
	inText    inputKind = 1 << iota
	inChoice            // a flow button of the step
	inFile              // a photo or a document
	inContact           // a phone shared with the contact button
	inToken             // text shaped like a WB API token
	inPhone             // text shaped like a phone number
)

func (s Step) wants(k inputKind) bool {
	w := s.Wants
	if w == 0 {
		w = inText | inChoice
	}
	if k == inPhone && w&inText != 0 {
		return true // a number is text to a step that reads text (a pickup code)
	}
	return w&k != 0
}

// kind classifies the turn's input.
func (t *Turn) kind() inputKind {
	switch {
	case t.choice != "":
		return inChoice
	case t.in.Contact != "":
		return inContact
	case len(t.in.Files) > 0:
		return inFile
	case looksLikeToken(t.Text()):
		return inToken
	case phoneShape.MatchString(t.Text()):
		return inPhone
	default:
		return inText
	}
}

// Flows lists every flow the engine runs, from the registry.
func Flows() []*Flow {
	var fs []*Flow
	for _, m := range Modules() {
		fs = append(fs, m.Flows...)
	}
	return fs
}
