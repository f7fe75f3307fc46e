package convtest

import (
	"slices"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// story.go: what a seller does with the bot, written once and told
// through every chat channel. A Story is its data (Seed), what the person
// does step by step and what the bot must answer, by locales id; a Driver
// plays it on one channel the way a person there would: Telegram presses
// buttons, WeChat types the number its list shows.

// Story is one thing a person does with the bot.
type Story struct {
	Name string
	// Langs are the languages the story is told in; nil: every one.
	Langs []string
	// Needs is what the story asks of a channel beyond text, buttons and
	// pictures (a caption on a picture); a channel without it skips the story.
	Needs Capability
	Seed  Seed
	Steps []Step
	// Check looks at what is stored once the story is told.
	Check func(tb testing.TB, w *World)
	// Golden stories are kept as transcripts, per channel and language
	// (transcript.go).
	Golden bool
}

// Languages is where the story is told.
func (s Story) Languages() []string {
	if s.Langs == nil {
		return locales.Languages()
	}
	return s.Langs
}

// Capability is something a channel may lack.
type Capability int

// Captions: a picture can carry text (Telegram; WeChat sends pictures bare).
const Captions Capability = 1

// Step is one thing the person does and what the bot answers.
type Step struct {
	Do Act
	// Photos: the answer starts with the inspection photos of the return
	// the act names (a push).
	Photos bool
	// Want is what the answer says, in the order the bot says it.
	Want []Text
	// Check looks at what is stored after the answer.
	Check func(tb testing.TB, w *World)
}

// Deployment is what a story's data lives in behind the channel: the
// service's real database and the fake WB it checks tokens with.
type Deployment struct {
	DB *storage.DB
	WB *wbfake.Server
}

// Driver is a chat channel with one person on it, and the deployment
// behind it.
type Driver interface {
	Deployment() Deployment
	// Identity is the person's account on the channel.
	Identity() domain.Identity
	// ClientLang is the language the channel tells the bot before the
	// person has chosen one.
	ClientLang() string
	Can(Capability) bool

	Start() // opens the chat: /start, or following the account
	Send(text string)
	// SendToken pastes a WB token; the channel makes sure it does not stay
	// in the chat (deleted, or the person asked to recall it).
	SendToken(token string)
	// Press presses the button labelled label on the newest message that
	// offers it, or types the number the newest list shows for it.
	Press(label string)
	Photo(png []byte, caption string)
	// Document sends a file, or where the channel has none, its picture.
	Document(name string)
	Restart() // the service stops and a new process takes over
	Deliver() // the outbox is sent through this channel

	// Expect waits for a message (or a toast, where the channel has them)
	// containing text, the same message as the one found last or a later
	// one, and returns the labels of the choices that message offers.
	Expect(text string) (choices []string)
	// ExpectPhotos waits for the pictures of a push, in order.
	ExpectPhotos(want [][]byte)
}

var bundle = locales.MustNew()

// Tell tells every story of the table in each of its languages, as
// parallel subtests of t named language/story. The stories of a language
// share one deployment made by deploy, each with a person of its own
// (play makes the driver of person n on it); a story that restarts the
// service or pushes gets a deployment of its own, since either reaches
// everyone on one. (Deployments are few because each costs a database.)
func Tell[D any](t *testing.T, deploy func(t *testing.T) D, play func(t *testing.T, d D, person int, lang string) Driver) {
	for _, lang := range locales.Languages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			shared := deploy(t)
			for i, s := range storiesIn(lang) {
				t.Run(s.Name, func(t *testing.T) {
					t.Parallel()
					d := shared
					if s.reachesEveryone() {
						d = deploy(t)
					}
					s.Run(t, lang, play(t, d, i, lang))
				})
			}
		})
	}
}

func storiesIn(lang string) []Story {
	var out []Story
	for _, s := range Stories() {
		if slices.Contains(s.Languages(), lang) {
			out = append(out, s)
		}
	}
	return out
}

// reachesEveryone: the story restarts the service or pushes (a pass of
// the outbox sends every seller's notifications).
func (s Story) reachesEveryone() bool {
	return slices.ContainsFunc(s.Steps, func(st Step) bool { return st.Do.kind == actRestart || st.Do.kind == actPush })
}

// Run tells the story in lang through d.
func (s Story) Run(tb testing.TB, lang string, d Driver) {
	tb.Helper()
	if s.Needs != 0 && !d.Can(s.Needs) {
		tb.Skipf("the channel cannot do what %q needs", s.Name)
	}
	w := s.Seed.plant(tb, d, lang)
	sp := speaker{lang: lang, story: lang, client: d.ClientLang(), channel: string(d.Identity().Channel)}
	for i, st := range s.Steps {
		tb.Logf("step %d: %s", i+1, st.Do)
		st.tell(tb, d, w, sp)
	}
	if s.Check != nil {
		s.Check(tb, w)
	}
	checkTranscript(tb, d, lang, s) // transcript.go
}

// continuer is a Driver of a channel that cuts a long message into parts
// (WeChat): Continue waits for the next part that offers choices.
type continuer interface {
	Continue() []string
}

// tell does the step's act and waits for each part of the answer.
func (st Step) tell(tb testing.TB, d Driver, w *World, sp speaker) {
	tb.Helper()
	st.Do.play(tb, d, w, sp)
	if st.Photos {
		d.ExpectPhotos(w.photos[st.Do.ret])
	}
	for _, want := range st.Want {
		text := sp.say(tb, want)
		choices := d.Expect(text)
		if c, ok := d.(continuer); ok && want.checkOffers && len(choices) == 0 && len(want.offers) > 0 {
			choices = c.Continue() // a long message goes in parts, its choices under the last
		}
		if offers := sp.sayAll(tb, want.offers); want.checkOffers && !slices.Equal(choices, offers) {
			tb.Fatalf("%q offers %q, want %q", head(text), choices, offers)
		}
	}
	if st.Check != nil {
		st.Check(tb, w)
	}
}
