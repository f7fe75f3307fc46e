package conversations

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// support.go: /support and free text outside a flow go to the staff chat.
const supportMessage = "support.message"

func supportModule() Module {
	return Module{
		Name:     "support",
		Flows:    []*Flow{&supportFlow},
		Commands: []Command{{Name: "support", Menu: 9, NeedsSeller: true, Run: func(t *Turn, _ string) error { return t.StartFlow(supportFlow.Name) }}},
		// Last in the registry: a message nothing else takes is for staff.
		Accepts: []Accept{{Name: "support-message", Takes: forSupport, Run: sendToSupport}},
	}
}

// forSupport takes a seller's text or files that no step or other module
// wanted. A token never goes (it is a secret), nor a contact.
func forSupport(t *Turn) (bool, error) {
	k := t.kind()
	return t.seller != nil && (k == inText && t.Text() != "" || k == inFile), nil
}

var supportFlow = Flow{
	Name:  "support",
	Start: supportMessage,
	Transitions: fsm.Events{
		{Name: "sent", Src: []string{supportMessage}, Dst: Idle},
	},
	Steps: map[string]Step{
		supportMessage: {Ask: askSupport, Read: readSupport, Wants: inText | inFile},
	},
}

// SupportMessage is what a seller sends to staff.
type SupportMessage struct {
	Seller   *domain.Seller
	Input    Input
	ReturnID *int64 // the return it is about, when the seller wrote from one
}

// SupportDesk carries seller messages to staff. Relay runs inside the
// seller's turn: what it keeps commits or rolls back with the turn.
// StaffDesk implements it.
type SupportDesk interface {
	Relay(ctx context.Context, m SupportMessage) error
	// AccountTaken tells staff the seller tried to connect a WB account
	// (its sid) that another Indigo seller has connected.
	AccountTaken(ctx context.Context, seller *domain.Seller, supplierID string) error
}

func askSupport(t *Turn) error {
	t.Say("flow.support.ask")
	return nil
}

func readSupport(t *Turn) (string, error) {
	if t.Text() == "" && len(t.in.Files) == 0 {
		return "", nil
	}
	if err := sendToSupport(t); err != nil {
		return "", err
	}
	return "sent", nil
}

func sendToSupport(t *Turn) error {
	if t.e.Support == nil {
		t.Say("flow.support.off")
		return nil
	}
	if err := t.e.Support.Relay(t.ctx, SupportMessage{Seller: t.seller, Input: t.in}); err != nil {
		return errInternal(err)
	}
	t.Say("flow.support.sent")
	return nil
}
