package conversations_test

import (
	"context"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// slowMarketplace is the real WB client, with a check that no transaction
// is open when it is called and a gate the test opens.
type slowMarketplace struct {
	domain.Marketplace
	tb      testing.TB
	entered chan struct{}
	release chan struct{}
}

func (m slowMarketplace) CheckToken(ctx context.Context, token string) (domain.TokenInfo, error) {
	if _, inTx := storage.Tx(ctx); inTx {
		m.tb.Error("WB's token check ran inside the turn's transaction")
	}
	m.entered <- struct{}{}
	<-m.release
	return m.Marketplace.CheckToken(ctx, token)
}

// TestNoTransactionAcrossRemoteCalls: while WB checks a token (which can
// take minutes of pacing), the chat's session is not locked: the same
// chat's next input is answered at once. A file is fetched the same way.
func TestNoTransactionAcrossRemoteCalls(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("5401", "en")
	c.onboard(t, "en")

	deps := convtest.Deps(h.db, h.wb.URL, bundle, nil)
	slow := slowMarketplace{Marketplace: deps.Marketplace, tb: t, entered: make(chan struct{}), release: make(chan struct{})}
	deps.Marketplace = slow
	h.engine = conversations.NewEngine(deps)

	token := h.wb.IssueToken(wbfake.TokenOptions{})
	done := make(chan []conversations.Reply)
	go func() {
		rs, err := h.engine.Handle(context.Background(), conversations.Input{Channel: domain.ChannelTelegram,
			ChatID: "5401", UserID: "5401", LanguageCode: "en", Text: token})
		if err != nil {
			t.Error(err)
		}
		done <- rs
	}()
	select {
	case <-slow.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the token check never started")
	}
	// The token check is in flight: another input of the same chat is
	// not held behind it.
	answered := make(chan []conversations.Reply)
	go func() {
		rs, err := h.engine.Handle(context.Background(), conversations.Input{Channel: domain.ChannelTelegram,
			ChatID: "5401", UserID: "5401", LanguageCode: "en", Text: "/help"})
		if err != nil {
			t.Error(err)
		}
		answered <- rs
	}()
	select {
	case rs := <-answered:
		expect(t, rs, l.T("flow.help"))
	case <-time.After(10 * time.Second):
		t.Fatal("the chat's next input waited for WB")
	}
	close(slow.release)
	// The token's turn runs again with WB's answer and connects the store.
	expect(t, <-done, l.T("flow.store.token_accepted", map[string]any{"Store": "Main store", "Hint": domain.TokenHint(token)}))

	t.Run("File", func(t *testing.T) {
		c.send("/profile")
		c.send("Shanghai, Century Avenue 100")
		fetched := false
		rs := c.handle(conversations.Input{Files: []conversations.File{{
			Kind: domain.AttachmentDocument, Name: "a.pdf", ContentType: "application/pdf", Size: 4,
			Open: func(ctx context.Context) ([]byte, error) {
				if _, inTx := storage.Tx(ctx); inTx {
					t.Error("a file was fetched inside the turn's transaction")
				}
				fetched = true
				return []byte("%PDF"), nil
			}}}})
		if !fetched {
			t.Fatalf("the file was never fetched: %s", dump(rs))
		}
	})
}
