package conversations

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
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

const (
	btnStore                buttonKind = "st"
	btnAddStore             buttonKind = "sn"
	btnStoreRename          buttonKind = "stn"
	btnStoreToken           buttonKind = "stk"
	btnStoreRemove          buttonKind = "stx"
	btnStoreRemoveConfirmed buttonKind = "sty"
)

func storeModule() Module {
	return Module{
		Name:  "store",
		Flows: []*Flow{&storeFlow},
		Commands: []Command{
			{Name: "stores", Menu: 2, NeedsSeller: true, Run: cmdStores},
			{Name: "addstore", NeedsSeller: true, Run: func(t *Turn, _ string) error { return t.StartFlow(storeFlow.Name) }},
		},
		Buttons: []ButtonSpec{
			{Kind: btnStore, Owns: ownsStore, Press: pressStore},
			{Kind: btnAddStore, Press: func(t *Turn, _ button) error { return t.StartFlow(storeFlow.Name) }},
			{Kind: btnStoreRename, Owns: ownsStore, Press: pressStoreRename},
			{Kind: btnStoreToken, Owns: ownsStore, Press: pressStoreToken},
			{Kind: btnStoreRemove, Owns: ownsStore, Press: pressStoreRemove},
			{Kind: btnStoreRemoveConfirmed, Owns: ownsStore, Press: pressStoreRemoveConfirmed},
		},
		Accepts: []Accept{{Name: "wb-token", Takes: pastedToken, Run: takeToken}},
	}
}

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
		storeName:        {Ask: askStoreName, Read: readStoreName, Wants: inText},
		storeToken:       {Ask: askToken, Read: readToken, Wants: inText | inToken},
		storeChecklist:   {Ask: showChecklist, Read: readChecklist, Wants: inChoice},
		storeRename:      {Ask: askStoreName, Read: readRename, Wants: inText},
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
	return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_choice", nil)
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
	if len(t.in.Files) > 0 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	return checkStoreName(t.Text())
}

// checkStoreName is the rule for a store's name, in the chat and on the web.
func checkStoreName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
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
	token := pastedTokenText(t.Text())
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

// pastedTokenText is a token as pasted, without the spaces and line
// breaks that chats and phones slip in.
func pastedTokenText(s string) string { return strings.Join(strings.Fields(s), "") }

// tokenError turns a token check failure into a message the seller can act
// on; the WB category keys become their translated names.
func tokenError(t *Turn, err error) error { return tokenErrorIn(t.l, err) }

// tokenErrorIn is tokenError in l's language, for the web view too.
func tokenErrorIn(l *locales.Localizer, err error) error {
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
			names[i] = l.Label("scope", m)
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

// cmdStores lists the seller's stores, each a button to its actions.
func cmdStores(t *Turn, _ string) error {
	stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
	if err != nil {
		return errInternal(err)
	}
	var rows [][]Button
	for _, st := range stores {
		label := st.Name
		if st.TokenRejected {
			label = t.T("label.attention", map[string]any{"Label": label})
		}
		rows = append(rows, []Button{{Text: label, Data: btnStore.on(st.ID, 0)}})
	}
	rows = append(rows, []Button{{Text: t.T("button.add_store"), Data: btnAddStore.data(0)}},
		[]Button{{Text: t.T("button.team"), Data: btnTeam.data(0)}})
	t.Send(Reply{Text: t.Pluralize("flow.stores.list", len(stores)), Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

func pressStore(t *Turn, b button) error {
	st := b.store
	data := map[string]any{"Store": st.Name, "Hint": domain.TokenHint(st.Token), "Rejected": st.TokenRejected, "Expires": nil}
	if st.TokenExpiresAt != nil {
		data["Expires"] = *st.TokenExpiresAt
	}
	text := t.T("flow.stores.card", data)
	t.Send(Reply{Text: text, EditMessageID: t.in.ButtonOn, Buttons: [][]Button{
		{{Text: t.T("button.rename"), Data: btnStoreRename.on(st.ID, 0)}, {Text: t.T("button.replace_token"), Data: btnStoreToken.on(st.ID, 0)}},
		{{Text: t.T("button.remove"), Data: btnStoreRemove.on(st.ID, 0)}},
	}})
	return nil
}

func pressStoreRename(t *Turn, b button) error {
	st := b.store
	return t.StartFlowAt(storeFlow.Name, storeRename, map[string]string{"store_id": strconv.FormatInt(st.ID, 10)})
}

func pressStoreToken(t *Turn, b button) error {
	st := b.store
	return t.StartFlowAt(storeFlow.Name, storeToken, map[string]string{"store_id": strconv.FormatInt(st.ID, 10)})
}

func pressStoreRemove(t *Turn, b button) error {
	st := b.store
	t.Send(Reply{Text: t.T("flow.stores.remove_confirm", map[string]any{"Store": st.Name}), EditMessageID: t.in.ButtonOn,
		Buttons: [][]Button{{{Text: t.T("button.remove"), Data: btnStoreRemoveConfirmed.on(st.ID, 0)}}}})
	return nil
}

func pressStoreRemoveConfirmed(t *Turn, b button) error {
	st := b.store
	if err := t.e.Stores.DeleteStore(t.ctx, st.ID); err != nil {
		return err
	}
	t.Send(Reply{Text: t.T("flow.stores.removed", map[string]any{"Store": st.Name}), EditMessageID: t.in.ButtonOn})
	return nil
}

// looksLikeToken tells a pasted WB API token (a JWT: three base64url parts)
// from a message, so that one pasted at any step reaches the store flow
// and is deleted from the chat, never read as a name or sent to support.
func looksLikeToken(text string) bool {
	text = strings.TrimPrefix(text, "Bearer ")
	if len(text) < 60 || strings.Count(text, ".") != 2 {
		return false
	}
	for _, r := range text {
		if !(r == '.' || r == '-' || r == '_' || r == '=' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func pastedToken(t *Turn) (bool, error) { return t.seller != nil && t.kind() == inToken, nil }

// takeToken reads a token pasted outside the token step: the new token of
// the one store whose token WB refused, or else a new store's.
func takeToken(t *Turn) error {
	stores, err := t.e.Stores.FindStores(t.ctx, domain.StoreFilter{SellerID: &t.seller.ID})
	if err != nil {
		return errInternal(err)
	}
	data := map[string]string{"name": t.T("flow.store.default_name", map[string]any{"N": len(stores) + 1})}
	var rejected []*domain.Store
	for _, st := range stores {
		if st.TokenRejected {
			rejected = append(rejected, st)
		}
	}
	if len(rejected) == 1 {
		data = map[string]string{"store_id": strconv.FormatInt(rejected[0].ID, 10)}
	}
	return t.readAt(storeFlow.Name, storeToken, data)
}
