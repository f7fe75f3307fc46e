package main

import (
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/web"
)

// newWeb is the seller's web view on the shared database, which routes
// mounts: its "Add store" runs the engine's token check, its support page
// writes to staff through desk (nil without a staff chat), and WeChat's
// web authorization signs followers in.
func (m *Main) newWeb(bundle *locales.Bundle, desk *conversations.StaffDesk) (*web.Server, error) {
	d := web.Deps{
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
		Connector:     m.Engine,
	}
	if desk != nil { // a nil *StaffDesk in the interface would be called
		d.Support = desk
	}
	if m.WeChat != nil {
		d.WeChat = m.WeChat.WebAuth()
	}
	return web.NewServer(d)
}
