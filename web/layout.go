package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// layout is what every page's frame shows: title, store selector,
// language switcher, and the sign-out form.
type layout struct {
	L          *locales.Localizer
	Title      string
	SignedIn   bool
	SellerName string
	CSRF       string
	Langs      []link
	Flash      string
	Alert      string

	// The store selector; it keeps the other filters of the page it is on.
	Stores      []*domain.Store
	StoreID     int64
	StoreAction string
	StoreHidden []hidden
}

// link is a navigation entry.
type link struct {
	Href    string
	Label   string
	Current bool
}

// hidden is a hidden form field.
type hidden struct{ Name, Value string }

func (s *Server) layout(rq *request, title string) layout {
	lay := layout{L: rq.l, Title: title}
	next := rq.r.URL.RequestURI()
	for _, lang := range domain.AllLanguages() {
		lay.Langs = append(lay.Langs, link{
			Href:    "/web/lang/" + string(lang) + "?next=" + url.QueryEscape(next),
			Label:   s.Locales.For(string(lang)).Label("language", string(lang)),
			Current: rq.l.Lang() == string(lang),
		})
	}
	if rq.seller != nil {
		lay.SignedIn = true
		lay.SellerName = rq.seller.Name
		lay.CSRF = csrfToken(rq.session)
		lay.StoreAction = "/web/"
	}
	return lay
}

// withStores fills the store selector: it submits to action and carries
// the given filters along, so choosing a store keeps the rest of the view.
func (lay *layout) withStores(stores []*domain.Store, current int64, action string, keep url.Values) {
	lay.Stores, lay.StoreID, lay.StoreAction = stores, current, action
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keep {
			if !yield(k) {
				return
			}
		}
	}) {
		if k == "store" || k == "page" {
			continue
		}
		for _, v := range keep[k] {
			lay.StoreHidden = append(lay.StoreHidden, hidden{k, v})
		}
	}
}

const langCookie = "indigo_lang"

// language picks the page's language: the switcher's choice, else the
// seller's chat language, else the browser's.
func (s *Server) language(r *http.Request, sellerLang string) string {
	if c, err := r.Cookie(langCookie); err == nil && isLanguage(c.Value) {
		return c.Value
	}
	if sellerLang != "" {
		return sellerLang
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if lang := string(domain.ParseLanguage(tag)); len(tag) >= 2 && strings.EqualFold(tag[:2], lang) {
			return lang
		}
	}
	return string(domain.LangEnglish)
}

func isLanguage(s string) bool {
	return slices.Contains(domain.AllLanguages(), domain.Language(s))
}

// handleLanguage remembers the switcher's choice in a cookie and goes back
// to the page it was chosen on.
func (s *Server) handleLanguage(rq *request) error {
	lang := rq.r.PathValue("lang")
	if !isLanguage(lang) {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	http.SetCookie(rq.w, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(rq.w, rq.r, localPath(rq.r.URL.Query().Get("next"), "/web/"), http.StatusSeeOther)
	return nil
}

// localPath returns p when it is a path of the web view, else def: a
// redirect target from a query or form never leads off the site.
func localPath(p, def string) string {
	if (strings.HasPrefix(p, "/web/") || strings.HasPrefix(p, "/login/")) &&
		!strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return def
}
