package convtest

import (
	"fmt"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// Act is what the person (or, for a push or a re-inspection, the
// service) does in one step.
type Act struct {
	kind    actKind
	text    string // what is sent; a caption; a document's name; a QR's code
	label   Text
	token   wbfake.TokenOptions
	notify  domain.NotificationKind
	ret     int // the seeded return a push or a re-inspection is about
	comment string
}

type actKind int

const (
	actStart actKind = iota + 1
	actSend
	actToken
	actPress
	actPhoto
	actQR
	actDocument
	actRestart
	actPush
	actReinspect
)

// Start opens the chat as a newcomer does.
func Start() Act { return Act{kind: actStart} }

// Send writes text or a /command.
func Send(text string) Act { return Act{kind: actSend, text: text} }

// Token pastes a WB token the fake WB issues with opts.
func Token(opts wbfake.TokenOptions) Act { return Act{kind: actToken, token: opts} }

// Press presses the button (or picks the numbered choice) labelled label.
func Press(label Text) Act { return Act{kind: actPress, label: label} }

// Photo sends a picture that holds no code, with a caption ("": none).
func Photo(caption string) Act { return Act{kind: actPhoto, text: caption} }

// QR sends a screenshot of a QR code holding code, without a caption.
func QR(code string) Act { return Act{kind: actQR, text: code} }

// Document sends a file named name.
func Document(name string) Act { return Act{kind: actDocument, text: name} }

// Restart replaces the running service with a new process.
func Restart() Act { return Act{kind: actRestart} }

// Push writes a notification about seeded return ret to the outbox and
// delivers it.
func Push(kind domain.NotificationKind, ret int) Act {
	return Act{kind: actPush, notify: kind, ret: ret}
}

// Reinspect has the warehouse comment on seeded return ret again, which
// outdates every card of it the person holds.
func Reinspect(ret int, comment string) Act {
	return Act{kind: actReinspect, ret: ret, comment: comment}
}

var actNames = map[actKind]string{actStart: "start", actSend: "send", actToken: "paste a WB token",
	actPress: "press", actPhoto: "photo", actQR: "QR screenshot", actDocument: "document",
	actRestart: "restart", actPush: "push", actReinspect: "reinspect"}

func (a Act) String() string {
	switch a.kind {
	case actPress:
		return fmt.Sprintf("press %s", a.label)
	case actPush, actReinspect:
		return fmt.Sprintf("%s return %d", actNames[a.kind], a.ret)
	}
	return fmt.Sprintf("%s %q", actNames[a.kind], a.text)
}

func (a Act) play(tb testing.TB, d Driver, w *World, sp speaker) {
	tb.Helper()
	switch a.kind {
	case actStart:
		d.Start()
	case actSend:
		d.Send(a.text)
	case actToken:
		token := d.Deployment().WB.IssueToken(a.token)
		w.Tokens = append(w.Tokens, token)
		d.SendToken(token)
	case actPress:
		d.Press(sp.say(tb, a.label))
	case actPhoto:
		d.Photo(Picture(tb, 200), a.text)
	case actQR:
		d.Photo(QRPNG(tb, a.text), "")
	case actDocument:
		d.Document(a.text)
	case actRestart:
		d.Restart()
	case actPush:
		w.notify(tb, a.notify, a.ret)
		d.Deliver()
	case actReinspect:
		w.reinspect(tb, a.ret, a.comment)
	}
}
