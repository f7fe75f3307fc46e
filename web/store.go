package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/indigo-warehouse/indigo/domain"
)

// store.go: "Add store" (manual §2–3): a name and the WB API token, checked
// as the chat's store flow checks them. The token field is a password
// field, is never put back into the page, and a refusal says why in the
// chat's own words.

// StoreConnector adds a store by its token as the chat does;
// conversations.Engine implements it.
type StoreConnector interface {
	ConnectStore(ctx context.Context, seller *domain.Seller, lang, name, token string) (*domain.Store, []*domain.Error, error)
}

type storePage struct {
	layout
	Off      bool
	Name     string
	Warnings []string
	Existing []*domain.Store
}

func (s *Server) handleStoreNew(rq *request) error {
	p, err := s.storePage(rq)
	if err != nil {
		return err
	}
	if added := rq.r.URL.Query().Get("added"); added != "" {
		p.Flash = rq.l.T("web.store.added", map[string]any{"Store": added})
	}
	s.render(rq, http.StatusOK, "store", p)
	return nil
}

func (s *Server) storePage(rq *request) (*storePage, error) {
	stores, err := s.Stores.FindStores(rq.ctx, domain.StoreFilter{SellerID: &rq.seller.ID})
	if err != nil {
		return nil, err
	}
	return &storePage{layout: s.layout(rq, rq.l.T("web.store.title")), Off: s.Connector == nil, Existing: stores}, nil
}

// handleStoreCreate checks the token and adds the store. A refusal shows
// the form again with the name kept and the token field empty.
func (s *Server) handleStoreCreate(rq *request) error {
	if s.Connector == nil {
		return domain.Errorf(domain.CodeUnavailable, "flow.web.off", nil)
	}
	name := rq.r.PostFormValue("name")
	st, warnings, err := s.Connector.ConnectStore(rq.ctx, rq.seller, rq.l.Lang(), name, rq.r.PostFormValue("token"))
	if code := domain.ErrorCode(err); err != nil && code != domain.CodeInternal {
		p, perr := s.storePage(rq)
		if perr != nil {
			return perr
		}
		p.Name, p.Alert = name, rq.l.T(domain.ErrorMsgID(err), domain.ErrorData(err))
		s.render(rq, statusOf[code], "store", p)
		return nil
	}
	if err != nil {
		return err
	}
	if len(warnings) == 0 {
		http.Redirect(rq.w, rq.r, "/web/stores/new?added="+url.QueryEscape(st.Name), http.StatusSeeOther)
		return nil
	}
	p, err := s.storePage(rq)
	if err != nil {
		return err
	}
	p.Flash = rq.l.T("web.store.added", map[string]any{"Store": st.Name})
	for _, w := range warnings {
		p.Warnings = append(p.Warnings, rq.l.T(w.MsgID, w.Data))
	}
	s.render(rq, http.StatusOK, "store", p)
	return nil
}
