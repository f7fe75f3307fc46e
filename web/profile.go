package web

import (
	"cmp"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// profile.go: the seller's profile (manual §5), what "Return to seller"
// needs: the return address and the legal documents, under the same rules
// as the chat's /profile (domain/profile.go).

// MaxUpload bounds the document form's body: one file of the largest size
// Indigo keeps, and the form token. cmd/indigo gives UploadPath this
// limit instead of the one for forms.
const (
	MaxUpload  = domain.MaxAttachmentSize + 64<<10
	UploadPath = "/web/profile/documents"
)

type profilePage struct {
	layout
	Address    string
	Documents  []file
	Complete   bool
	UploadHint string
}

func (s *Server) handleProfile(rq *request) error {
	docs, err := s.Attachments.FindAttachments(rq.ctx, rq.seller.ID, nil)
	if err != nil {
		return err
	}
	p := profilePage{layout: s.layout(rq, rq.l.T("web.profile.title")), Address: rq.seller.ReturnAddress,
		Complete:   rq.seller.ProfileComplete(),
		UploadHint: rq.l.T("web.profile.upload_hint", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})}
	for _, a := range docs {
		if a.Kind != domain.AttachmentDocument {
			continue
		}
		p.Documents = append(p.Documents, file{Href: "/web/attachments/" + strconv.FormatInt(a.ID, 10),
			Name: cmp.Or(a.FileName, "document-"+strconv.FormatInt(a.ID, 10)), Type: rq.l.FormatDate(a.CreatedAt.In(rq.loc))})
	}
	switch rq.r.URL.Query().Get("saved") {
	case "address":
		p.Flash = rq.l.T("web.profile.address_saved")
	case "document":
		p.Flash = rq.l.T("web.profile.document_saved")
	}
	s.render(rq, http.StatusOK, "profile", p)
	return nil
}

// handleAddress saves the return address.
func (s *Server) handleAddress(rq *request) error {
	addr := strings.TrimSpace(rq.r.PostFormValue("address"))
	if err := domain.CheckReturnAddress(addr); err != nil {
		return err
	}
	if _, err := s.Sellers.UpdateSeller(rq.ctx, rq.seller.ID, domain.SellerUpdate{ReturnAddress: &addr}); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/profile?saved=address", http.StatusSeeOther)
	return nil
}

// handleDocument stores one uploaded legal document.
func (s *Server) handleDocument(rq *request) error {
	up, err := s.readUpload(rq)
	if err != nil {
		return err
	}
	a := &domain.Attachment{SellerID: rq.seller.ID, Kind: domain.AttachmentDocument, FileName: up.name,
		ContentType: up.contentType, Size: int64(len(up.data)), Data: up.data}
	if err := s.Attachments.CreateAttachment(rq.ctx, a); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/profile?saved=document", http.StatusSeeOther)
	return nil
}

// checkUpload judges the upload's headers before any of its body is read:
// from our own page, multipart, and a declared length within MaxUpload
// (browsers declare a file form's length; a chunked one is refused).
func (s *Server) checkUpload(r *http.Request) error {
	if !sameOrigin(r, s.PublicURL) {
		return errCrossSite
	}
	if r.ContentLength < 0 || r.ContentLength > MaxUpload {
		return errUploadTooLarge
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return errNotAForm
	}
	return nil
}

var errUploadTooLarge = &statusError{http.StatusRequestEntityTooLarge,
	domain.Errorf(domain.CodeInvalid, "error.input.too_large", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})}

type upload struct {
	name, contentType string
	data              []byte
}

// readUpload streams the form: the form token first (the page puts it
// first), checked before the file is read, then the file, read up to
// one byte past the limit so that a larger one is refused, never kept.
func (s *Server) readUpload(rq *request) (*upload, error) {
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, MaxUpload)
	mr, err := rq.r.MultipartReader()
	if err != nil {
		return nil, errNotAForm
	}
	csrfOK := false
	for {
		part, err := mr.NextPart()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return nil, domain.Errorf(domain.CodeInvalid, "error.input.expected_file", nil)
		case errors.As(err, &tooLarge):
			return nil, errUploadTooLarge
		case err != nil:
			return nil, domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
		}
		switch part.FormName() {
		case "csrf":
			tok, _ := io.ReadAll(io.LimitReader(part, 256))
			csrfOK = subtle.ConstantTimeCompare(tok, []byte(csrfToken(rq.session))) == 1
		case "file":
			if !csrfOK {
				return nil, errCrossSite
			}
			return readPart(part)
		}
	}
}

func readPart(part *multipart.Part) (*upload, error) {
	data, err := io.ReadAll(io.LimitReader(part, domain.MaxAttachmentSize+1))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errUploadTooLarge
	}
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
	}
	if err := domain.CheckDocumentSize(int64(len(data))); err != nil {
		return nil, err
	}
	name := filepath.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
	if len(data) == 0 || name == "" || name == "." || name == "/" {
		return nil, domain.Errorf(domain.CodeInvalid, "error.input.expected_file", nil)
	}
	return &upload{name: name, contentType: http.DetectContentType(data), data: data}, nil
}
