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
	LangNext   string // the page the signed-in switcher's form returns to
	Nav        []link // the cabinet's sections (manual: the top bar)
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
	Value   string // a form button's value (the signed-in language switcher)
}

// hidden is a hidden form field.
type hidden struct{ Name, Value string }

func (s *Server) layout(rq *request, title string) layout {
	lay := layout{L: rq.l, Title: title}
	next := rq.r.URL.RequestURI()
	if rq.r.Method != http.MethodGet {
		next = "/web/" // a refused form's page has no address to come back to
	}
	for _, lang := range domain.AllLanguages() {
		lay.Langs = append(lay.Langs, link{
			Href:    "/web/lang/" + string(lang) + "?next=" + url.QueryEscape(next),
			Label:   s.Locales.For(string(lang)).Label("language", string(lang)),
			Current: rq.l.Lang() == string(lang),
			Value:   string(lang),
		})
	}
	if rq.seller != nil {
		lay.SignedIn = true
		lay.SellerName = rq.seller.Name
		lay.CSRF = csrfToken(rq.session)
		lay.StoreAction = "/web/"
		lay.LangNext = next
		lay.Nav = navLinks(rq)
	}
	return lay
}

// navItems are the cabinet's sections in the manual's top bar order:
// path, locales id. Accounts is the accounts work's page (issue 19).
var navItems = [][2]string{
	{"/web/", "web.nav.returns"},
	{"/web/accounts", "web.nav.accounts"},
	{"/web/rules", "web.nav.rules"},
	{"/web/profile", "web.nav.profile"},
	{"/web/support", "web.nav.support"},
	{"/web/stores/new", "web.nav.add_store"},
}

func navLinks(rq *request) []link {
	path := rq.r.URL.Path
	out := make([]link, len(navItems))
	for i, it := range navItems {
		cur := path == it[0] || it[0] != "/web/" && strings.HasPrefix(path, it[0])
		if it[0] == "/web/" {
			cur = path == "/web/" || strings.HasPrefix(path, "/web/tab/") || strings.HasPrefix(path, "/web/returns/")
		}
		out[i] = link{Href: it[0], Label: rq.l.T(it[1]), Current: cur}
	}
	return out
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

// language picks the page's language: the seller's, which the chat's
// /language and the web's switcher both set, so the two never disagree;
// signed out, the switcher's choice on this browser, else the browser's.
func (s *Server) language(r *http.Request, sellerLang string) string {
	if isLanguage(sellerLang) {
		return sellerLang
	}
	if c, err := r.Cookie(langCookie); err == nil && isLanguage(c.Value) {
		return c.Value
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

// handleLanguage remembers a signed-out browser's choice in a cookie and
// goes back to the page it was chosen on.
func (s *Server) handleLanguage(rq *request) error {
	lang := rq.r.PathValue("lang")
	if !isLanguage(lang) {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	s.setLangCookie(rq, lang)
	http.Redirect(rq.w, rq.r, localPath(rq.r.URL.Query().Get("next"), "/web/"), http.StatusSeeOther)
	return nil
}

// handleSellerLanguage stores a signed-in seller's choice as the seller's
// language, the one the chat speaks too.
func (s *Server) handleSellerLanguage(rq *request) error {
	lang := domain.Language(rq.r.PostFormValue("lang"))
	if !isLanguage(string(lang)) {
		return domain.Errorf(domain.CodeInvalid, "error.web.bad_form", nil)
	}
	if _, err := s.Sellers.UpdateSeller(rq.ctx, rq.seller.ID, domain.SellerUpdate{Language: &lang}); err != nil {
		return err
	}
	s.setLangCookie(rq, string(lang))
	http.Redirect(rq.w, rq.r, localPath(rq.r.PostFormValue("next"), "/web/"), http.StatusSeeOther)
	return nil
}

// setLangCookie keeps the choice for the sign-in pages of this browser.
func (s *Server) setLangCookie(rq *request, lang string) {
	http.SetCookie(rq.w, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
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
