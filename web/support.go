package web

import (
	"context"
	"net/http"

	"github.com/indigo-warehouse/indigo/domain"
)

// support.go: the seller's conversation with support, both ways. What is
// sent here goes to staff as a message written in the chat does, into the
// seller's topic of the staff group; staff's answers reach the seller's
// chat and show here.

// SupportDesk is the support desk as the web view uses it;
// conversations.StaffDesk implements it.
type SupportDesk interface {
	SendToSupport(ctx context.Context, seller *domain.Seller, text string) error
	SupportConversation(ctx context.Context, sellerID int64, limit int) ([]*domain.SupportMessage, error)
}

// supportShown is how much of the conversation the page shows.
const supportShown = 100

type supportPage struct {
	layout
	Off      bool
	Messages []supportLine
	Max      int
}

type supportLine struct {
	Staff          bool
	Who, At, Text  string
	Files, Channel string
}

func (s *Server) handleSupport(rq *request) error {
	p := supportPage{layout: s.layout(rq, rq.l.T("web.support.title")), Off: s.Support == nil, Max: domain.MaxSupportText}
	if s.Support != nil {
		msgs, err := s.Support.SupportConversation(rq.ctx, rq.seller.ID, supportShown)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			p.Messages = append(p.Messages, s.supportLine(rq, m))
		}
	}
	if rq.r.URL.Query().Has("sent") {
		p.Flash = rq.l.T("flow.support.sent")
	}
	s.render(rq, http.StatusOK, "support", p)
	return nil
}

func (s *Server) supportLine(rq *request, m *domain.SupportMessage) supportLine {
	at := m.CreatedAt.In(rq.loc)
	line := supportLine{Staff: m.FromStaff, Text: m.Text, At: rq.l.FormatDate(at) + " " + at.Format("15:04")}
	if m.FromStaff {
		line.Who = rq.l.T("label.indigo_staff")
	} else {
		line.Who = rq.seller.Name
		if m.Channel == "web" {
			line.Channel = rq.l.T("web.support.from_web")
		} else if m.Channel != "" {
			line.Channel = rq.l.Label("channel", m.Channel)
		}
	}
	if m.Files > 0 {
		line.Files = rq.l.Plural("web.support.files", m.Files, nil)
	}
	return line
}

// handleSupportSend relays the typed message to staff.
func (s *Server) handleSupportSend(rq *request) error {
	if s.Support == nil {
		return domain.Errorf(domain.CodeUnavailable, "flow.support.off", nil)
	}
	if err := s.Support.SendToSupport(rq.ctx, rq.seller, rq.r.PostFormValue("text")); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/support?sent=1", http.StatusSeeOther)
	return nil
}
