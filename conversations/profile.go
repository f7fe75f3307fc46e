package conversations

import (
	"fmt"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// profile.go: what "Return to seller" needs (manual §5): a return address
// and the legal documents, sent as files.
const (
	profileAddress   = "profile.address"
	profileDocuments = "profile.documents"
)

const btnProfile buttonKind = "pf"

func profileModule() Module {
	return Module{
		Name:     "profile",
		Flows:    []*Flow{&profileFlow},
		Commands: []Command{{Name: "profile", Menu: 5, NeedsSeller: true, Run: func(t *Turn, _ string) error { return t.StartFlow(profileFlow.Name) }}},
		Buttons:  []ButtonSpec{{Kind: btnProfile, Press: pressProfile}},
	}
}

var profileFlow = Flow{
	Name:  "profile",
	Start: profileAddress,
	Transitions: fsm.Events{
		{Name: "addressed", Src: []string{profileAddress}, Dst: profileDocuments},
		{Name: "done", Src: []string{profileDocuments}, Dst: Idle},
	},
	Steps: map[string]Step{
		profileAddress:   {Ask: askAddress, Read: readAddress, Wants: inText},
		profileDocuments: {Ask: askDocuments, Read: readDocuments, Wants: inFile | inChoice},
	},
}

func pressProfile(t *Turn, _ button) error { return t.StartFlow(profileFlow.Name) }

func askAddress(t *Turn) error {
	choices := []Choice{}
	if t.seller.ReturnAddress != "" {
		choices = append(choices, Choice{Value: "keep", Label: "button.keep"})
	}
	t.Ask("flow.profile.address", map[string]any{"Current": t.seller.ReturnAddress}, choices...)
	return nil
}

func readAddress(t *Turn) (string, error) {
	if t.Chosen() == "keep" && t.seller.ReturnAddress != "" {
		return "addressed", nil
	}
	addr := t.Text()
	if addr == "" || len(t.in.Files) > 0 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	if err := domain.CheckReturnAddress(addr); err != nil {
		return "", err
	}
	s, err := t.e.Sellers.UpdateSeller(t.ctx, t.seller.ID, domain.SellerUpdate{ReturnAddress: &addr})
	if err != nil {
		return "", err
	}
	t.seller = s
	return "addressed", nil
}

func askDocuments(t *Turn) error {
	var choices []Choice
	if t.seller.LegalDocuments > 0 {
		choices = append(choices, Choice{Value: "done", Label: "button.done"})
	}
	t.Ask("flow.profile.documents", map[string]any{"Count": t.seller.LegalDocuments}, choices...)
	return nil
}

// readDocuments stores each file sent as a legal document; "done" ends
// once at least one is on file.
func readDocuments(t *Turn) (string, error) {
	if t.Chosen() == "done" && t.seller.LegalDocuments > 0 {
		t.Say("flow.profile.complete")
		return "done", nil
	}
	if len(t.in.Files) == 0 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_file", nil)
	}
	for _, f := range t.in.Files {
		if err := domain.CheckDocumentSize(f.Size); err != nil {
			return "", err
		}
		data, err := f.Open(t.ctx)
		if err != nil {
			return "", errInternal(fmt.Errorf("fetch document: %w", err))
		}
		a := &domain.Attachment{SellerID: t.seller.ID, Kind: domain.AttachmentDocument, FileName: f.Name,
			ContentType: f.ContentType, Size: int64(len(data)), Data: data}
		if err := t.e.Attachments.CreateAttachment(t.ctx, a); err != nil {
			return "", err
		}
	}
	if err := t.loadSeller(); err != nil {
		return "", errInternal(err)
	}
	return "", nil // stay: more documents may follow; askDocuments offers "done"
}
