package wxfake

import (
	"net/http"
	"net/url"
	"time"
)

// oauth.go: the Official Account's web authorization (网页授权), as a
// page of WeChat's built-in browser sees it. /connect/oauth2/authorize
// (on open.weixin.qq.com: the fake serves it on its one base) sends the
// browser back to redirect_uri with a code and the state; the service
// exchanges the code at /sns/oauth2/access_token for the user's openid.
// A code works once, within CodeLifetime.
//
// Which WeChat user a browser is comes from WeChat's client itself; here
// a browser is made one by visiting BrowserURL first (a cookie on the
// fake's host), as a test or the demo's stand-in for the client.

// CodeLifetime is how long an authorization code can be exchanged.
const CodeLifetime = 5 * time.Minute

const browserCookie = "wxfake_openid"

type oauthCode struct {
	appID, openid, scope string
	expires              time.Time
	used                 bool
}

type oauthState struct {
	codes map[string]*oauthCode
}

func (s *Server) routeOAuth(mux *http.ServeMux) {
	s.oauth.codes = map[string]*oauthCode{}
	mux.HandleFunc("GET /wxfake/browser", s.handleBrowser)
	mux.HandleFunc("GET /connect/oauth2/authorize", s.handleAuthorize)
	mux.HandleFunc("GET /sns/oauth2/access_token", s.handleOAuthToken)
}

// BrowserURL is a page that makes the browser opening it WeChat's browser
// of user openid, then goes on to next.
func (s *Server) BrowserURL(openid, next string) string {
	return s.ts.URL + "/wxfake/browser?" + url.Values{"openid": {openid}, "next": {next}}.Encode()
}

func (s *Server) handleBrowser(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: q.Get("openid"), Path: "/", HttpOnly: true})
	http.Redirect(w, r, q.Get("next"), http.StatusFound)
}

// handleAuthorize is WeChat's authorization page: snsapi_base goes back
// at once with a code; outside WeChat's browser it says to open the link
// in WeChat, as WeChat's page does.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	s.mu.Lock()
	_, known := s.accounts[q.Get("appid")]
	s.mu.Unlock()
	switch {
	case !known:
		http.Error(w, "appid 参数错误", http.StatusBadRequest)
		return
	case err != nil || back.Scheme == "" || back.Host == "":
		http.Error(w, "redirect_uri 参数错误", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || (q.Get("scope") != "snsapi_base" && q.Get("scope") != "snsapi_userinfo"):
		http.Error(w, "scope 参数错误或没有 scope 权限", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(browserCookie)
	if err != nil || c.Value == "" {
		http.Error(w, "请在微信客户端打开链接", http.StatusForbidden)
		return
	}
	code := randomHex(16)
	s.mu.Lock()
	s.oauth.codes[code] = &oauthCode{appID: q.Get("appid"), openid: c.Value, scope: q.Get("scope"), expires: s.now().Add(CodeLifetime)}
	s.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// handleOAuthToken exchanges a code for the web access token and openid.
func (s *Server) handleOAuthToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[q.Get("appid")]
	switch {
	case q.Get("grant_type") != "authorization_code":
		writeError(w, 40002, errmsg(40002))
		return
	case !ok:
		writeError(w, 40013, errmsg(40013))
		return
	case q.Get("secret") != a.AppSecret:
		writeError(w, 40125, "invalid appsecret")
		return
	}
	c, ok := s.oauth.codes[q.Get("code")]
	switch {
	case !ok || c.appID != a.AppID || !s.now().Before(c.expires):
		writeError(w, 40029, "invalid code")
		return
	case c.used:
		writeError(w, 40163, "code been used")
		return
	}
	c.used = true
	writeJSON(w, map[string]any{"access_token": "web" + randomHex(16), "expires_in": 7200,
		"refresh_token": "rf" + randomHex(16), "openid": c.openid, "scope": c.scope})
}
