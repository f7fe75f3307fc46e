package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// SessionCookie holds a signed-in seller's web session.
const SessionCookie = "indigo_session"

// handleLoginPage shows a sign-in button for a link's token, with when the
// link stops working; a link that no longer works says so here, before
// the press. Opening the link uses nothing up: chat apps fetch links for
// previews, and a preview must not spend the one use the seller has.
func (s *Server) handleLoginPage(rq *request) error {
	token := rq.r.PathValue("token")
	sellerID, expires, err := s.Sessions.FindLoginToken(rq.ctx, token)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return s.linkInvalid(rq)
	}
	if err != nil {
		return err
	}
	loc := time.UTC
	if seller, err := s.Sellers.FindSellerByID(domain.NewContextWithActor(rq.ctx,
		domain.Actor{Kind: domain.ActorSeller, ID: sellerID}), sellerID); err == nil {
		loc = s.zone(seller.TimeZone)
		rq.l = s.Locales.For(s.language(rq.r, string(seller.Language)))
	}
	at := expires.In(loc)
	left := max(1, int(expires.Sub(s.now()).Round(time.Minute).Minutes()))
	s.render(rq, http.StatusOK, "login", struct {
		layout
		Action  string
		Expires string
	}{s.layout(rq, rq.l.T("web.login.title")), "/login/" + url.PathEscape(token),
		rq.l.Plural("web.login.expires", left, map[string]any{"Time": at.Format("15:04"), "Date": rq.l.FormatDate(at)})})
	return nil
}

// linkInvalid answers a sign-in link that no longer works.
func (s *Server) linkInvalid(rq *request) error {
	lay := s.layout(rq, rq.l.T("web.login.title"))
	lay.Alert = rq.l.T("error.web.link_invalid")
	s.render(rq, http.StatusNotFound, "signin", struct{ layout }{lay})
	return nil
}

// handleLogin spends a link's token and starts a session for its seller;
// public has checked that the POST comes from our own page.
func (s *Server) handleLogin(rq *request) error {
	sellerID, person, err := s.Sessions.RedeemLoginToken(rq.ctx, rq.r.PathValue("token"))
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return s.linkInvalid(rq)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(rq, sellerID, person); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/web/", http.StatusSeeOther)
	return nil
}

// startSession signs the browser in as a seller's person, signing out
// whoever was signed in on it before.
func (s *Server) startSession(rq *request, sellerID int64, person string) error {
	if c, err := rq.r.Cookie(SessionCookie); err == nil {
		if err := s.Sessions.DeleteWebSession(rq.ctx, c.Value); err != nil {
			return err
		}
	}
	token, expires, err := s.Sessions.CreateWebSession(rq.ctx, sellerID, person, s.SessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(rq.w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// handleSignIn explains how to get a sign-in link; signed-out browsers land
// here.
func (s *Server) handleSignIn(rq *request) error {
	lay := s.layout(rq, rq.l.T("web.login.title"))
	switch {
	case rq.r.URL.Query().Has("out"):
		lay.Flash = rq.l.T("web.login.signed_out")
	case rq.r.URL.Query().Has("expired"):
		lay.Alert = rq.l.T("error.web.session_expired")
	}
	s.render(rq, http.StatusOK, "signin", struct{ layout }{lay})
	return nil
}

// handleLogout ends the session on the server and in the browser.
func (s *Server) handleLogout(rq *request) error {
	if err := s.Sessions.DeleteWebSession(rq.ctx, rq.session); err != nil {
		return err
	}
	http.SetCookie(rq.w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(rq.w, rq.r, "/web/login?out=1", http.StatusSeeOther)
	return nil
}

// csrfToken is the form token of a session: a hash of the cookie's secret,
// which pages carry in every form. Another site can neither read the
// cookie nor compute it.
func csrfToken(session string) string {
	h := sha256.Sum256([]byte("indigo-web-csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// validForm reads a signed-in POST's form, which checkPost let through,
// and checks it carries the session's form token.
func (s *Server) validForm(rq *request) error {
	if err := parseForm(rq.r); err != nil {
		return err
	}
	got := rq.r.PostForm.Get("csrf")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(rq.session))) != 1 {
		return errCrossSite
	}
	return nil
}

// sameOrigin reports whether a POST comes from a page of this site, going
// by the headers browsers set: Sec-Fetch-Site where the browser sends it,
// else Origin. Requests with neither (old clients, tests) pass; for a
// signed-in form the form token still guards them.
func sameOrigin(r *http.Request, publicURL string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || origin == "null" {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	pub, err := url.Parse(publicURL)
	return err == nil && pub.Host != "" && u.Host == pub.Host
}
