package conversations

import (
	"context"
	"errors"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// web.go: what the web view does as the chat does, so that both follow
// one set of rules: adding a store checks its token as the store flow's
// token step does, and a message to support goes into the same queue as
// one written in the chat, to the same topic of the staff group.

// ConnectStore adds a store with its WB token for the seller acting in
// ctx: the store flow's name and token checks, the same refusals
// (translated into lang), and the first poll. It returns the store and
// the token's warnings; the token itself is never in what it returns.
func (e *Engine) ConnectStore(ctx context.Context, seller *domain.Seller, lang, name, token string) (*domain.Store, []*domain.Error, error) {
	name, err := checkStoreName(name)
	if err != nil {
		return nil, nil, err
	}
	token = pastedTokenText(token) // an empty one is refused by its claims check
	if e.Marketplace == nil {
		return nil, nil, domain.Errorf(domain.CodeUnavailable, "flow.web.off", nil)
	}
	// No transaction is open here: WB is asked first, the store written after.
	info, err := e.Marketplace.CheckToken(ctx, token)
	if err != nil {
		return nil, nil, tokenErrorIn(e.Locales.For(lang), err)
	}
	if err := e.accountFree(ctx, seller, info.SupplierID, 0); err != nil {
		return nil, nil, err
	}
	exp := info.ExpiresAt
	st := &domain.Store{SellerID: seller.ID, Name: name, Token: token, TokenExpiresAt: &exp, SupplierID: info.SupplierID}
	if err := e.Stores.CreateStore(ctx, st); err != nil {
		return nil, nil, err
	}
	if err := e.Polls.PollNow(ctx, st.ID); err != nil {
		return nil, nil, errInternal(err)
	}
	return st, info.Warnings, nil
}

// webChannel names the web view as where a support message came from.
const webChannel = "web"

// SendToSupport relays what a seller typed on the web view's support page
// to staff, exactly as a message written in the chat: queued, then posted
// into the seller's topic by Flush. Staff answer it as any other; the
// answer reaches the seller on their chat and in the web's history.
func (d *StaffDesk) SendToSupport(ctx context.Context, seller *domain.Seller, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	if len([]rune(text)) > domain.MaxSupportText {
		return domain.Errorf(domain.CodeInvalid, "error.input.too_long", map[string]any{"Max": domain.MaxSupportText})
	}
	return d.Relay(ctx, SupportMessage{Seller: seller, Input: Input{Channel: webChannel, Text: text}})
}

// SupportConversation lists the seller's conversation with support.
func (d *StaffDesk) SupportConversation(ctx context.Context, sellerID int64, limit int) ([]*domain.SupportMessage, error) {
	if d.History == nil {
		return nil, nil
	}
	return d.History.FindSupportMessages(ctx, sellerID, limit)
}

// recordReply keeps a staff answer that reached the seller for the web's
// history. It has gone already, so a failure to keep it is only logged.
func (d *StaffDesk) recordReply(ctx context.Context, r *sellerReply) {
	if d.History == nil {
		return
	}
	m := &domain.SupportMessage{SellerID: r.Seller, FromStaff: true, Text: r.Text, Files: r.Photos}
	err := d.History.AddSupportMessage(domain.NewContextWithActor(ctx, domain.System), m)
	if err != nil && !errors.Is(err, context.Canceled) {
		d.log().Warn("staff: keep a reply for the web", "seller", r.Seller, "err", err)
	}
}
