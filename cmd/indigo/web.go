package main

import (
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/web"
)

// newWeb is the seller's web view on the shared database; the chat's /web
// command hands out its sign-in links, and routes mounts its handler.
func (m *Main) newWeb(bundle *locales.Bundle) (*web.Server, error) {
	return web.NewServer(web.Deps{
		Returns:     storage.NewReturnService(m.DB),
		Sellers:     storage.NewSellerService(m.DB),
		Stores:      storage.NewStoreService(m.DB),
		Attachments: storage.NewAttachmentService(m.DB),
		Shelf:       m.shelf(),
		Sessions:    storage.NewWebSessionService(m.DB),
		Locales:     bundle,
		Log:         m.Log.With("part", "web"),
		PublicURL:   m.Config.PublicURL,
		Economics:   storage.NewEconomicsService(m.DB),
		Decisions:   storage.NewDecisionService(m.DB),
		PickupClock: storage.NewPickupClockService(m.DB),
		Rules:       storage.NewRuleService(m.DB),
		Accounts:    m.accounts(),
		Tariffs:     storage.NewTariffService(m.DB),
		Now:         m.opts.Now,
		// A Mini App's init data is signed with the bot's token.
		TelegramToken: m.Config.TelegramBotToken,
	})
}

// connectWeb gives the web view the parts built after it: the engine, whose
// store check its "Add store" runs; the staff desk, its support page's
// way to staff; and WeChat's web authorization. desk is nil without a
// staff chat.
func (m *Main) connectWeb(w *web.Server, desk *conversations.StaffDesk) {
	w.Connector = m.Engine
	if desk != nil { // a nil *StaffDesk in the interface would be called
		w.Support = desk
	}
	if m.WeChat != nil {
		w.WeChat = m.WeChat.WebAuth()
	}
}
