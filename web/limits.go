package web

import (
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// limits.go: what a request may bring to the web view. Its forms carry a
// token and a few short fields, and no file: a POST is judged by its
// headers first (from our own pages, a form's content type, a declared
// length within the cap), before a byte of its body is read, and then at
// most maxFormSize of it is parsed. One form takes an upload, the
// profile's document (profile.go, under its own cap); every other route
// refuses multipart bodies unread. (After the answer,
// net/http drains at most 256 KB of a body left unread, twice at worst, so
// the browser reads the answer instead of a connection reset.)

const (
	// maxFormSize bounds every request body. The largest form, a toggle
	// with the table's filters in its "back" field, is well under 4 KB.
	maxFormSize = 64 << 10
	// downloadWriteTimeout is how long a download (an export, an
	// attachment of up to domain.MaxAttachmentSize) may take to reach a
	// slow reader, instead of the server's write timeout for pages.
	downloadWriteTimeout = 10 * time.Minute
)

// statusError is a refusal with an HTTP status domain's codes do not name
// (413, 415); the page shows its domain error's message.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

var (
	errFormTooLarge = &statusError{http.StatusRequestEntityTooLarge,
		domain.Errorf(domain.CodeInvalid, "error.web.too_large", nil)}
	errNotAForm = &statusError{http.StatusUnsupportedMediaType,
		domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)}
	errCrossSite = domain.Errorf(domain.CodeForbidden, "error.web.bad_form", nil)
)

// bounded caps the body of every request to the web view, so no handler
// (nor ParseForm's own 10 MB default) reads more; the document upload has
// its own cap (readUpload).
func bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormSize)
		if r.Method == http.MethodPost && r.URL.Path == UploadPath {
			limit = MaxUpload
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// checkPost judges a POST by its headers alone: it must come from a page
// of this site, and be an empty body or a URL-encoded form declared (or
// chunked) within the cap.
func (s *Server) checkPost(r *http.Request) error {
	if !sameOrigin(r, s.PublicURL) {
		return errCrossSite
	}
	if r.ContentLength > maxFormSize {
		return errFormTooLarge
	}
	if r.ContentLength == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return errNotAForm
	}
	return nil
}

// parseForm reads a form's body, bounded by bounded.
func parseForm(r *http.Request) error {
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return errFormTooLarge
	default:
		return domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
	}
}

// download gives a handler that writes a file more time than the
// server's write timeout, which is sized for pages.
func download(h handler) handler {
	return func(rq *request) error {
		// Not every ResponseWriter has a deadline (a recorder in tests).
		_ = http.NewResponseController(rq.w).SetWriteDeadline(time.Now().Add(downloadWriteTimeout))
		return h(rq)
	}
}
