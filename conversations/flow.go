package conversations

import (
	"strconv"
	"strings"

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
}

// Flows lists every flow the engine runs.
func Flows() []*Flow {
	return []*Flow{&onboardingFlow, &storeFlow, &decisionFlow, &pickupFlow, &profileFlow, &supportFlow}
}

// flowButton is the action of buttons that answer the current step.
const flowButton = "f"

// button is a decoded button: an action, its argument and the version it
// was drawn at. Telegram allows 64 bytes of callback data; "act|arg|ver" fits.
type button struct {
	action  string
	arg     string
	version int64
}

func (b button) String() string {
	return b.action + "|" + b.arg + "|" + strconv.FormatInt(b.version, 10)
}

func parseButton(data string) (button, bool) {
	parts := strings.Split(data, "|")
	if len(parts) != 3 || parts[0] == "" {
		return button{}, false
	}
	v, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return button{}, false
	}
	return button{action: parts[0], arg: parts[1], version: v}, true
}
