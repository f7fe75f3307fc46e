package conversations

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// module.go: the interaction registry. Each file of the package declares
// one Module beside its handlers: the flows it runs, the commands it
// answers, the buttons it draws and the stray inputs it takes from any
// state. NewEngine is assembled from Modules(); nothing else dispatches.

// Module is what one file of the package answers.
type Module struct {
	Name     string
	Flows    []*Flow
	Commands []Command
	Buttons  []ButtonSpec
	// Accepts are the inputs the module takes when the current step
	// cannot use them (or no flow runs), tried in Modules() order.
	Accepts []Accept
	// Staff marks the staff chat's module: its commands and buttons are
	// the staff chat's only, run as staff turns (Engine.HandleStaff).
	Staff bool
}

// Command is what a person types as /name (or taps in WeChat's menu).
// Commands work from every state.
type Command struct {
	Name        string
	Menu        int  // position in the command menu, from 1; 0: not listed
	NeedsSeller bool // without a seller, onboarding runs (or goes on) first
	Run         func(t *Turn, arg string) error
}

// ButtonSpec is a kind of button and what a press of it does.
type ButtonSpec struct {
	Kind buttonKind
	// Owns names what the button's first field is. The engine loads it
	// in the presser's context, which sees only their own seller's data,
	// before Press runs: no handler checks ownership itself.
	Owns owned
	// Anyone lets a person without a seller press it (the language).
	Anyone bool
	Press  func(t *Turn, b button) error
}

// Accept is a stray input a module can use from any state: a QR
// screenshot while returns wait for a code, a WB token, a message for
// support. The interrupted flow goes on or is closed, and the person is
// told which (Engine.detour).
type Accept struct {
	Name  string
	Takes func(t *Turn) (bool, error)
	Run   func(t *Turn) error
}

// Modules lists the modules the engine is made of. Their order is the
// order stray inputs are offered in: support, which takes any message,
// comes last.
func Modules() []Module {
	return []Module{coreModule(), onboardingModule(), returnsModule(), decisionModule(), pickupModule(),
		storeModule(), resaleModule(), profileModule(), settingsModule(), teamModule(), rulesModule(), accountsModule(), supportModule(),
		staffModule()}
}

// Commands lists the command menu, in menu order, for setMyCommands and
// WeChat's account menu. Each has a locales description "command.<name>".
func Commands() []string {
	var menu []Command
	for _, m := range Modules() {
		for _, c := range m.Commands {
			if c.Menu > 0 {
				menu = append(menu, c)
			}
		}
	}
	sort.Slice(menu, func(i, j int) bool { return menu[i].Menu < menu[j].Menu })
	names := make([]string, len(menu))
	for i, c := range menu {
		names[i] = c.Name
	}
	return names
}

// register adds a module's parts to the engine; a name or kind taken
// twice is a programming error, caught by every test that builds one.
func (e *Engine) register(m Module) {
	commands, buttons := e.commands, e.buttons
	if m.Staff {
		commands, buttons = e.staffCommands, e.staffButtons
	}
	for _, f := range m.Flows {
		if _, dup := e.flows[f.Name]; dup {
			panic(fmt.Sprintf("conversations: flow %q registered twice (module %s)", f.Name, m.Name))
		}
		e.flows[f.Name] = f
	}
	for _, c := range m.Commands {
		if _, dup := commands[c.Name]; dup {
			panic(fmt.Sprintf("conversations: command %q registered twice (module %s)", c.Name, m.Name))
		}
		commands[c.Name] = c
	}
	for _, b := range m.Buttons {
		if _, dup := buttons[b.Kind]; dup || b.Kind == flowButton {
			panic(fmt.Sprintf("conversations: button %q registered twice (module %s)", b.Kind, m.Name))
		}
		buttons[b.Kind] = b
	}
	e.accepts = append(e.accepts, m.Accepts...)
}

// buttonKind is the first field of a button's data: what it does.
type buttonKind string

// owned is what a button's first field names, checked by the engine.
type owned int

const (
	ownsNothing owned = iota
	ownsReturn        // the presser's seller's return
	ownsStore         // the presser's seller's store
	ownsUnit          // the presser's seller's shelf unit (resale)
)

// flowButton is the kind of buttons that answer the current step.
const flowButton buttonKind = "f"

// data encodes a button of this kind: "kind|field:field|version". Telegram
// allows 64 bytes of callback data, which this fits.
func (k buttonKind) data(version int64, fields ...string) string {
	return button{action: string(k), arg: strings.Join(fields, ":"), version: version}.String()
}

// on encodes a button about one record (a return, a store) by its id.
func (k buttonKind) on(id int64, version int64, more ...string) string {
	return k.data(version, append([]string{strconv.FormatInt(id, 10)}, more...)...)
}

// ButtonData encodes a button from its parts, for tests and channels that
// press buttons by their data.
func ButtonData(action, arg string, version int64) string {
	return button{action: action, arg: arg, version: version}.String()
}

// button is a decoded button: its kind, its fields and the version it was
// drawn at; ret or store is what its first field names, once the engine
// has loaded it for the presser.
type button struct {
	action  string
	arg     string
	version int64
	ret     *domain.Return
	store   *domain.Store
	unit    *domain.Unit
}

func (b button) String() string {
	return b.action + "|" + b.arg + "|" + strconv.FormatInt(b.version, 10)
}

// field is the i-th ":"-separated field of the argument, or "".
func (b button) field(i int) string {
	fs := strings.Split(b.arg, ":")
	if i < len(fs) {
		return fs[i]
	}
	return ""
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

// DescribeRegistry renders the registry as Markdown: per module, its
// flows with what each state reads, its commands, its buttons with what
// their first field names, and the stray inputs it accepts; then the
// staff states. testdata/registry.md is this, kept by a golden test.
func DescribeRegistry() string {
	var b strings.Builder
	b.WriteString("# The interaction registry (generated: go test ./conversations -run TestRegistry -update)\n")
	for _, m := range Modules() {
		fmt.Fprintf(&b, "\n## %s%s\n", m.Name, ifThen(m.Staff, " (the staff chat only)"))
		for _, f := range m.Flows {
			states := make([]string, 0, len(f.Steps))
			for s := range f.Steps {
				states = append(states, s)
			}
			sort.Strings(states)
			for _, s := range states {
				fmt.Fprintf(&b, "- state `%s` reads %s\n", s, f.Steps[s].describeWants())
			}
		}
		for _, c := range m.Commands {
			fmt.Fprintf(&b, "- command `/%s`%s%s\n", c.Name, ifThen(c.Menu > 0, fmt.Sprintf(" (menu %d)", c.Menu)), ifThen(c.NeedsSeller, ", needs an account"))
		}
		for _, k := range m.Buttons {
			fmt.Fprintf(&b, "- button `%s`%s%s\n", k.Kind, [...]string{"", " on a return", " on a store", " on a shelf unit"}[k.Owns], ifThen(k.Anyone, ", anyone"))
		}
		for _, a := range m.Accepts {
			fmt.Fprintf(&b, "- accepts %s from any state\n", a.Name)
		}
	}
	b.WriteString("\n## staff questions\n")
	states := StaffStates()
	sort.Strings(states)
	for _, s := range states {
		fmt.Fprintf(&b, "- state `%s` reads a text reply to its question\n", s)
	}
	return b.String()
}

func (s Step) describeWants() string {
	var kinds []string
	for _, k := range []struct {
		kind inputKind
		name string
	}{{inText, "text"}, {inChoice, "its buttons"}, {inFile, "files"}, {inContact, "a contact"}, {inToken, "a WB token"}, {inPhone, "a typed phone number"}} {
		if w := s.Wants; w&k.kind != 0 || w == 0 && k.kind&(inText|inChoice) != 0 {
			kinds = append(kinds, k.name)
		}
	}
	return strings.Join(kinds, ", ")
}

func ifThen(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}
