package conversations

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// store.go: add a WB store and enter its token (manual §2–3), or give an
// existing store a new token or name from /stores.
const (
	storeMarketplace = "store.marketplace"
	storeName        = "store.name"
	storeToken       = "store.token"
	storeChecklist   = "store.checklist"
	storeRename      = "store.rename"
)

var storeFlow = Flow{
	Name:  "store",
	Start: storeMarketplace,
	Transitions: fsm.Events{
		{Name: "picked", Src: []string{storeMarketplace}, Dst: storeName},
		{Name: "named", Src: []string{storeName}, Dst: storeToken},
		{Name: "accepted", Src: []string{storeToken}, Dst: storeChecklist},
		{Name: "replaced", Src: []string{storeToken}, Dst: Idle},
		{Name: "done", Src: []string{storeChecklist}, Dst: Idle},
		{Name: "renamed", Src: []string{storeRename}, Dst: Idle},
	},
	Steps: map[string]Step{
		storeMarketplace: {Ask: askMarketplace, Read: readMarketplace},
		storeName:        {Ask: askStoreName, Read: readStoreName},
		storeToken:       {Ask: askToken, Read: readToken},
		storeChecklist:   {Ask: showChecklist, Read: readChecklist},
		storeRename:      {Ask: askStoreName, Read: readRename},
	},
}

func askMarketplace(t *Turn) error {
	t.Ask("flow.store.marketplace", nil, Choice{Value: string(domain.MarketplaceWildberries), Label: "marketplace.wildberries"})
	return nil
}

func readMarketplace(t *Turn) (string, error) {
	if t.Chosen() == string(domain.MarketplaceWildberries) || strings.EqualFold(t.Text(), "wildberries") || strings.EqualFold(t.Text(), "wb") {
		return "picked", nil
	}
	return "", nil
}

func askStoreName(t *Turn) error {
	t.Say("flow.store.name")
	return nil
}

func readStoreName(t *Turn) (string, error) {
	name, err := storeNameOf(t)
	if err != nil {
		return "", err
	}
	t.s.Data["name"] = name
	return "named", nil
}

func storeNameOf(t *Turn) (string, error) {
	name := t.Text()
	if name == "" || len(t.in.Files) > 0 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	if len([]rune(name)) > 100 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.too_long", map[string]any{"Max": 100})
	}
	return name, nil
}

func askToken(t *Turn) error {
	t.Say("flow.store.token")
	return nil
}

// readToken reads a pasted token, deletes the message that carried it (a
// chat history is no place for a credential), checks it and saves the store.
func readToken(t *Turn) (string, error) {
	if t.in.MessageID != "" && t.Text() != "" {
		t.Send(Reply{DeleteMessage: t.in.MessageID})
	}
	token := strings.Join(strings.Fields(t.Text()), "")
	if token == "" {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	v, err := t.remote(secretKey("wb-token", token), func(ctx context.Context) (any, error) {
		return t.e.Marketplace.CheckToken(ctx, token)
	})
	if errors.Is(err, errNeedRemote) {
		return "", err
	}
	if err != nil {
		return "", tokenError(t, err)
	}
	info := v.(domain.TokenInfo)
	for _, w := range info.Warnings {
		t.Say(w.MsgID, w.Data)
	}
	exp := info.ExpiresAt
	storeID, _ := strconv.ParseInt(t.s.Data["store_id"], 10, 64)
	if err := checkAccountFree(t, info.SupplierID, storeID); err != nil {
		return "", err
	}
	if storeID != 0 {
		st, err := t.e.Stores.UpdateStore(t.ctx, storeID, domain.StoreUpdate{Token: &token, TokenExpiresAt: &exp, SupplierID: &info.SupplierID})
		if err != nil {
			return "", err
		}
		if err := t.e.Polls.PollNow(t.ctx, st.ID); err != nil {
			return "", errInternal(err)
		}
		t.Say("flow.store.token_replaced", map[string]any{"Store": st.Name, "Hint": domain.TokenHint(token)})
		return "replaced", nil
	}
	st := &domain.Store{SellerID: t.seller.ID, Name: t.s.Data["name"], Token: token, TokenExpiresAt: &exp, SupplierID: info.SupplierID}
	if err := t.e.Stores.CreateStore(t.ctx, st); err != nil {
		return "", err
	}
	if err := t.e.Polls.PollNow(t.ctx, st.ID); err != nil {
		return "", errInternal(err)
	}
	t.Say("flow.store.token_accepted", map[string]any{"Store": st.Name, "Hint": domain.TokenHint(token)})
	return "accepted", nil
}

// tokenError turns a token check failure into a message the seller can act
// on; the WB category keys become their translated names.
func tokenError(t *Turn, err error) error {
	de, ok := err.(*domain.Error)
	if !ok || de.MsgID == "" || de.Code == domain.CodeInternal {
		return errInternal(err)
	}
	data := map[string]any{}
	for k, v := range de.Data {
		data[k] = v
	}
	if missing, ok := data["Missing"].([]string); ok {
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = t.l.Label("scope", m)
		}
		data["Missing"] = names
	}
	return &domain.Error{Code: de.Code, MsgID: de.MsgID, Data: data, Err: de}
}

func showChecklist(t *Turn) error {
	t.Ask("flow.store.checklist", nil, Choice{Value: "done", Label: "button.done"})
	return nil
}

func readChecklist(t *Turn) (string, error) {
	if t.Chosen() == "done" {
		t.Say("flow.store.ready")
		return "done", nil
	}
	return "", nil
}

func readRename(t *Turn) (string, error) {
	name, err := storeNameOf(t)
	if err != nil {
		return "", err
	}
	storeID, _ := strconv.ParseInt(t.s.Data["store_id"], 10, 64)
	st, err := t.e.Stores.UpdateStore(t.ctx, storeID, domain.StoreUpdate{Name: &name})
	if err != nil {
		return "", err
	}
	t.Say("flow.store.renamed", map[string]any{"Store": st.Name})
	return "renamed", nil
}
