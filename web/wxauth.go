package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// wxauth.go: sign-in from WeChat. The account menu's web item opens
// /web/wx in WeChat's browser, which is sent through the Official
// Account's web authorization (snsapi_base: silent, no consent screen);
// WeChat comes back with a code, and the code is exchanged for the
// follower's openid, which names the seller.

// WeChatAuth is the Official Account's web authorization; bot/wechat
// implements it over silenceper's oauth.
type WeChatAuth interface {
	// AuthorizeURL is where to send the browser: WeChat's authorization,
	// coming back to redirectURI with a code and state.
	AuthorizeURL(redirectURI, state string) (string, error)
	// OpenID exchanges a code (single use, minutes long) for the openid.
	OpenID(ctx context.Context, code string) (string, error)
}

// wxStateCookie carries the authorization's state and the page to show
// after, so that a code is taken only in the browser that asked for it.
const wxStateCookie = "indigo_wx_state"

// handleWeChat sends the browser to WeChat's authorization.
func (s *Server) handleWeChat(rq *request) error {
	if s.WeChat == nil {
		return domain.Errorf(domain.CodeNotFound, "error.not_found", nil)
	}
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	state := base64.RawURLEncoding.EncodeToString(raw[:])
	target, err := s.WeChat.AuthorizeURL(s.PublicURL+"/web/wx/callback", state)
	if err != nil {
		return err
	}
	next := localPath(rq.r.URL.Query().Get("next"), "/web/")
	http.SetCookie(rq.w, &http.Cookie{
		Name: wxStateCookie, Value: state + "|" + url.QueryEscape(next), Path: "/web/wx", MaxAge: 600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(rq.w, rq.r, target, http.StatusFound)
	return nil
}

// handleWeChatCallback takes WeChat's code back: the state must be the one
// this browser was sent with, then the openid starts the session.
func (s *Server) handleWeChatCallback(rq *request) error {
	refused := domain.Errorf(domain.CodeForbidden, "error.web.wechat_invalid", nil)
	c, err := rq.r.Cookie(wxStateCookie)
	if s.WeChat == nil || err != nil {
		return refused
	}
	state, next, _ := strings.Cut(c.Value, "|")
	q := rq.r.URL.Query()
	got, code := q.Get("state"), q.Get("code")
	if state == "" || code == "" || len(code) > 512 || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return refused
	}
	http.SetCookie(rq.w, &http.Cookie{Name: wxStateCookie, Value: "", Path: "/web/wx", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	openid, err := s.WeChat.OpenID(rq.ctx, code)
	if domain.ErrorCode(err) == domain.CodeInvalid {
		return refused // a used or stale code: sign in again from the menu
	}
	if err != nil {
		return err
	}
	next, _ = url.QueryUnescape(next)
	return s.signInAs(rq, domain.Identity{Channel: domain.ChannelWeChat, ExternalID: openid}, next)
}
