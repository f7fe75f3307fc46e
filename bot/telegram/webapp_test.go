package telegram_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web"
)

// TestWebAppButton: /web answers with a button that opens the web view as
// a Mini App (web_app, which telegram-bot-api v5.5.1 has no field for),
// and the one-time link for a computer, saying how long it works. Served
// over plain http, where Telegram opens no Mini App, the button is the
// page's link instead.
func TestWebAppButton(t *testing.T) {
	for _, tt := range []struct {
		name, publicURL string
		webApp          bool
	}{{"HTTPS", "https://cabinet.example", true}, {"PlainHTTP", "http://127.0.0.1:9", false}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			view, err := web.NewServer(web.Deps{Returns: storage.NewReturnService(h.db), Sellers: storage.NewSellerService(h.db),
				Stores: storage.NewStoreService(h.db), Attachments: storage.NewAttachmentService(h.db),
				Sessions: storage.NewWebSessionService(h.db), Locales: bundle, PublicURL: tt.publicURL})
			if err != nil {
				t.Fatal(err)
			}
			engine := h.newEngine()
			engine.Links = view.Links()
			h.bot = h.newBotWith(engine)
			h.start()
			const id = 424242
			pgtest.Seller(t, h.db, func(s *domain.Seller) {
				s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.Itoa(id)}}
			})
			u := h.user(id, "en")
			u.Send("/web")
			open := u.ExpectMsg("the web view's button", func(m tgfake.Message) bool { return button(m, "Open web account") != nil })
			b := button(open, "Open web account")
			switch {
			case tt.webApp && (b.WebApp == nil || b.WebApp.URL != tt.publicURL+"/web/tg?next=%2Fweb%2F" || b.URL != nil):
				t.Errorf("want a Mini App button, got %+v", b)
			case !tt.webApp && (b.WebApp != nil || b.URL == nil || *b.URL != tt.publicURL+"/web/"):
				t.Errorf("want the page's link, got %+v", b)
			}
			link := u.Expect("/login/")
			if !strings.Contains(link.Text, "15 minutes") {
				t.Errorf("the link does not say how long it works:\n%s", link.Text)
			}
		})
	}
}

func button(m tgfake.Message, label string) *tgfake.InlineKeyboardButton {
	if m.ReplyMarkup == nil {
		return nil
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for i := range row {
			if strings.Contains(row[i].Text, label) {
				return &row[i]
			}
		}
	}
	return nil
}
