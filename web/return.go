package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// returnPage is one return with everything known about it (manual §4.3's
// details), its history, and what the seller may do with it now.
type returnPage struct {
	layout
	Back, BackLabel string
	PhotoURL        string
	Fields          []field
	Choices         []labelled // before-arrival toggles, while in transit
	Comment         string
	Photos, Videos  []file
	Files           []file
	History         []historyRow
	// Clocks are the return's money and clocks (economics.go), nil for none.
	Clocks *clocksView
	// Exactly one of these is set while the seller has something to do.
	Decide     *decideForm
	Inspection *labelled // request a verification before deciding
	Decided    string
}

type field struct{ Label, Value string }

type labelled struct {
	Label  string
	Toggle *toggle
}

type file struct{ Href, Name, Type string }

type historyRow struct{ At, Event, Change, Who, Note string }

type decideForm struct {
	Action  string
	Options []option
}

// handleReturn shows one of the seller's returns.
func (s *Server) handleReturn(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	p, err := s.returnPage(rq, r)
	if err != nil {
		return err
	}
	switch rq.r.URL.Query().Get("saved") {
	case "decision":
		p.Flash = rq.l.T("web.return.decision_saved", map[string]any{"Decision": rq.l.Label("decision", string(r.Decision))})
	case "inspection":
		p.Flash = rq.l.T("web.return.inspection_requested")
	case "undo":
		p.Flash = rq.l.T("flow.decision.undone")
	}
	s.render(rq, http.StatusOK, "return", p)
	return nil
}

// findReturn loads the return of the {id} path value; storage answers
// not found for a return of another seller.
func (s *Server) findReturn(rq *request) (*domain.Return, error) {
	id, err := strconv.ParseInt(rq.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "error.return.not_found", nil)
	}
	return s.Returns.FindReturnByID(rq.ctx, id)
}

func (s *Server) returnPage(rq *request, r *domain.Return) (*returnPage, error) {
	l := rq.l
	history, err := s.Returns.FindTransitions(rq.ctx, r.ID)
	if err != nil {
		return nil, err
	}
	zl := zoned{l, rq.loc}
	title := l.T("web.return.title", map[string]any{"Number": r.ReturnNumber})
	p := &returnPage{layout: s.layout(rq, title), PhotoURL: safeImageURL(r.PhotoURL), Comment: r.InspectionComment,
		Back: filter{Tab: r.Tab()}.url(1), BackLabel: l.Label("tab", string(r.Tab()))}
	p.StoreAction = "/web/"
	p.StoreID = r.StoreID
	if p.Stores, err = s.sellerStores(rq, 0); err != nil {
		return nil, err
	}
	stores := map[int64]string{}
	for _, st := range p.Stores {
		stores[st.ID] = st.Name
	}
	var choices []column // shown as toggles while in transit (addActions)
	if r.Tab() != domain.TabInTransit {
		choices = []column{domain.ColNeedsVerification, domain.ColPhotoVideo}
	}
	for _, c := range slices.Concat(pageColumns, choices, pageColumnsAfter) {
		p.Fields = append(p.Fields, field{columnTitle(l, c), dash(text(zl, c, r, stores))})
	}
	s.addFiles(p, r)
	if p.PhotoURL == "" && len(p.Photos) > 0 {
		// No card photo from WB (yet): the warehouse's own shows the item.
		p.PhotoURL = p.Photos[0].Href
	}
	for _, t := range history {
		p.History = append(p.History, s.historyRow(rq, t))
	}
	s.addActions(rq, p, r)
	p.Clocks = s.clocks(rq, r)
	return p, nil
}

// addActions offers what the seller may do in the return's state: the
// before-arrival choices in transit (manual §4.1), a verification request
// and the decision while it awaits one (§4.3), or shows a decision made.
func (s *Server) addActions(rq *request, p *returnPage, r *domain.Return) {
	l := rq.l
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	csrf := csrfToken(rq.session)
	switch {
	case r.Tab() == domain.TabInTransit:
		for _, c := range []column{domain.ColNeedsVerification, domain.ColPhotoVideo} {
			on := r.NeedsVerification
			if c == domain.ColPhotoVideo {
				on = r.PhotoVideoRequired
			}
			p.Choices = append(p.Choices, labelled{columnTitle(l, c), &toggle{Action: detail + "/choices", CSRF: csrf,
				Field: fieldOf[c], Back: detail, Yes: l.T("label.yes"), No: l.T("label.no"), On: on}})
		}
	case r.Status == domain.StatusAwaitingSellerDecision:
		if !r.NeedsVerification {
			p.Inspection = &labelled{l.T("web.return.inspection_ask"), &toggle{Action: detail + "/inspection",
				CSRF: csrf, Field: "needs_verification", Back: detail, Yes: l.T("label.yes"), No: l.T("label.no")}}
		}
		p.Decide = &decideForm{Action: detail + "/decision"}
		for _, d := range domain.AllDecisions() {
			p.Decide.Options = append(p.Decide.Options, option{Value: string(d), Label: l.Label("decision", string(d))})
		}
	case r.Decision != "":
		p.Decided = l.T("web.return.decision_final", map[string]any{"Decision": l.Label("decision", string(r.Decision))})
	}
}

// addFiles sorts the return's attachments into pictures, videos and other
// files, each served by handleAttachment.
func (s *Server) addFiles(p *returnPage, r *domain.Return) {
	for _, a := range r.Attachments {
		f := file{Href: "/web/attachments/" + strconv.FormatInt(a.ID, 10), Name: a.FileName, Type: a.ContentType}
		if f.Name == "" {
			f.Name = string(a.Kind) + "-" + strconv.FormatInt(a.ID, 10)
		}
		switch {
		case inlineImage(a.ContentType):
			p.Photos = append(p.Photos, f)
		case strings.HasPrefix(a.ContentType, "video/"):
			p.Videos = append(p.Videos, f)
		default:
			p.Files = append(p.Files, f)
		}
	}
}

func (s *Server) historyRow(rq *request, t *domain.Transition) historyRow {
	l := rq.l
	who := l.T("web.history.system")
	switch t.Actor.Kind {
	case domain.ActorSeller:
		who = t.Actor.Name
	case domain.ActorStaff:
		who = l.T("label.indigo_staff")
	}
	at := t.At.In(rq.loc)
	return historyRow{
		At:     l.FormatDate(at) + " " + at.Format("15:04"),
		Event:  l.Label("event", string(t.Event)),
		Change: l.T("label.arrow", map[string]any{"From": l.Label("status", string(t.From)), "To": l.Label("status", string(t.To))}),
		Who:    who,
		Note:   t.Note,
	}
}

// handleChoices saves a before-arrival choice (needs verification,
// photo/video required). Storage refuses it once the item has arrived.
func (s *Server) handleChoices(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	on, err := yesNo(rq.r.PostFormValue("value"))
	if err != nil {
		return err
	}
	var upd domain.ReturnUpdate
	switch rq.r.PostFormValue("field") {
	case "needs_verification":
		upd.NeedsVerification = &on
	case "photo_video_required":
		upd.PhotoVideoRequired = &on
	default:
		return domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
	}
	if _, err := s.Returns.UpdateReturn(rq.ctx, r.ID, upd); err != nil {
		return err
	}
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	http.Redirect(rq.w, rq.r, localPath(rq.r.PostFormValue("back"), detail), http.StatusSeeOther)
	return nil
}

// handleInspection asks for a verification of a return awaiting the
// seller's decision (manual §4.3, button No. 2): it goes back to the
// warehouse's queue before the seller decides.
func (s *Server) handleInspection(rq *request) error {
	r, err := s.findReturn(rq)
	if err != nil {
		return err
	}
	want, err := yesNo(rq.r.PostFormValue("value"))
	if err != nil {
		return err
	}
	detail := "/web/returns/" + strconv.FormatInt(r.ID, 10)
	back := localPath(rq.r.PostFormValue("back"), detail)
	if !want || r.NeedsVerification {
		http.Redirect(rq.w, rq.r, back, http.StatusSeeOther)
		return nil
	}
	yes := true
	if _, err := s.Returns.ApplyEvent(rq.ctx, r.ID, domain.ReturnChange{
		Event: domain.EventRequestInspection, Update: domain.ReturnUpdate{NeedsVerification: &yes},
	}); err != nil {
		return err
	}
	if back == detail {
		back += "?saved=inspection"
	}
	http.Redirect(rq.w, rq.r, back, http.StatusSeeOther)
	return nil
}

func yesNo(v string) (bool, error) {
	switch v {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
}

// handleAttachment serves one of the seller's files. Storage finds only
// the seller's own; anything that is not a picture or a video is served as
// a download, so an uploaded page can never run as ours.
func (s *Server) handleAttachment(rq *request) error {
	id, err := strconv.ParseInt(rq.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Errorf(domain.CodeNotFound, "error.attachment.not_found", nil)
	}
	a, err := s.Attachments.FindAttachmentData(rq.ctx, id)
	if err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if inlineImage(a.ContentType) || strings.HasPrefix(a.ContentType, "video/") {
		h.Set("Content-Type", a.ContentType)
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="`+downloadName(a)+`"`)
	}
	http.ServeContent(rq.w, rq.r, "", a.CreatedAt, bytes.NewReader(a.Data))
	return nil
}

// inlineImage reports whether a file may be shown in an <img>: raster
// formats only, since an SVG can carry script.
func inlineImage(contentType string) bool {
	switch strings.ToLower(strings.TrimSpace(contentType)) {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// downloadName keeps a file name to characters safe in a header.
func downloadName(a *domain.Attachment) string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, a.FileName)
	if name == "" {
		name = "attachment-" + strconv.FormatInt(a.ID, 10)
	}
	return name
}

// safeImageURL lets only https pictures (WB's card photos) into the page.
func safeImageURL(u string) string {
	if strings.HasPrefix(u, "https://") {
		return u
	}
	return ""
}
