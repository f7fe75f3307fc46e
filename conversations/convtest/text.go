package convtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Text is something the person reads: a locales message with its data,
// a literal, or several joined. It is rendered in the story's language
// when the story is told, so one table serves every language.
type Text struct {
	id    string
	label string // with id: the value of an enumeration (Label)
	data  []any  // key, value, …; a value may be a Text
	lit   string
	parts []Text
	head  bool
	lang  string // "": the story's
	// offers are the choices the message must offer, exactly, when
	// checkOffers is set.
	offers      []Text
	checkOffers bool
}

// T is message id with its data as key, value pairs.
func T(id string, kv ...any) Text { return Text{id: id, data: kv} }

// L is the label of one value of an enumeration (locales Label).
func L(kind, value string) Text { return Text{id: kind, label: value} }

// Lit is text as it is: a name, a code, a product.
func Lit(s string) Text { return Text{lit: s} }

// Cat joins texts.
func Cat(parts ...Text) Text { return Text{parts: parts} }

// Field is one line of a return's card: "Status: In transit".
func Field(column string, value Text) Text { return Pair(T(column), value) }

// Pair is a name and its value as a card or list sets them (label.field).
func Pair(name, value Text) Text { return T("label.field", "Name", name, "Value", value) }

// MyLanguage is the name of the language the story is told in.
func MyLanguage() Text { return Text{id: "language", label: mine} }

// Client is In's language of the channel before the person chose one.
const Client = "client"

const mine = "\x00mine"

// Head is the text up to the first data it was not given, for messages
// whose data the story cannot know (a token's hint, today's date).
func (x Text) Head() Text { x.head = true; return x }

// In renders the text in lang (or Client) rather than the story's.
func (x Text) In(lang string) Text { x.lang = lang; return x }

// Offers says the message offers exactly these choices, in order.
func (x Text) Offers(labels ...Text) Text {
	x.offers, x.checkOffers = labels, true
	return x
}

// String names the text for a failure message.
func (x Text) String() string {
	switch {
	case x.parts != nil:
		return fmt.Sprint(x.parts)
	case x.label != "":
		return x.id + "." + x.label
	case x.id != "":
		return x.id
	}
	return strconv.Quote(x.lit)
}

// speaker renders texts in a language: the story's unless a text says.
type speaker struct{ lang, story, client string }

func (sp speaker) say(tb testing.TB, x Text) string {
	tb.Helper()
	s := sp.in(x.lang).render(tb, x)
	if x.head {
		s = head(s)
	}
	if s == "" || s == x.id || s == x.id+"."+x.label {
		tb.Fatalf("%s renders as %q", x, s)
	}
	return s
}

// in is the speaker of lang ("": the same; Client: the channel's).
func (sp speaker) in(lang string) speaker {
	switch lang {
	case "":
	case Client:
		sp.lang = sp.client
	default:
		sp.lang = lang
	}
	return sp
}

func (sp speaker) render(tb testing.TB, x Text) string {
	l := bundle.For(sp.lang)
	switch {
	case x.parts != nil:
		return strings.Join(sp.sayAll(tb, x.parts), "")
	case x.label == mine:
		return l.Label(x.id, sp.story)
	case x.label != "":
		return l.Label(x.id, x.label)
	case x.id != "":
		return l.T(x.id, sp.data(tb, x.data))
	}
	return x.lit
}

func (sp speaker) sayAll(tb testing.TB, xs []Text) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = sp.say(tb, x)
	}
	return out
}

func (sp speaker) data(tb testing.TB, kv []any) map[string]any {
	tb.Helper()
	if len(kv)%2 != 0 {
		tb.Fatalf("odd data %v", kv)
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		v := kv[i+1]
		if x, ok := v.(Text); ok {
			v = sp.say(tb, x)
		}
		m[kv[i].(string)] = v
	}
	return m
}

// head cuts a rendered message before the first field it lacked.
func head(s string) string {
	s, _, _ = strings.Cut(s, "<no value>")
	return s
}
