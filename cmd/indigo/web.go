package main

import (
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/web"
)

// startWeb builds the seller's web view on the shared database and lets
// the chat's /web command hand out its sign-in links (startConversations
// passes m.webLinks to the engine). routes mounts m.Web.
func (m *Main) startWeb() error {
	bundle, err := locales.New()
	if err != nil {
		return err
	}
	srv, err := web.NewServer(web.Deps{
		Returns:     storage.NewReturnService(m.DB),
		Sellers:     storage.NewSellerService(m.DB),
		Stores:      storage.NewStoreService(m.DB),
		Attachments: storage.NewAttachmentService(m.DB),
		Shelf:       m.shelf(),
		Sessions:    storage.NewWebSessionService(m.DB),
		Locales:     bundle,
		Log:         m.Log.With("part", "web"),
		PublicURL:   m.Config.PublicURL,
	})
	if err != nil {
		return err
	}
	m.Web = srv.Handler()
	m.webLinks = srv
	return nil
}
