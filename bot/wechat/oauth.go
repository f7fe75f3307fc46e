package wechat

import (
	"context"
	"errors"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
)

// oauth.go: the Official Account's web authorization for the web view
// (snsapi_base: WeChat's browser comes back with a code at once, no
// consent screen), through silenceper's officialaccount/oauth. The openid
// it yields is the follower's, the identity the chat knows the seller by.

// wechatOpen is the host of WeChat's authorization page. silenceper builds
// the page's URL but never calls it, so its URL rewriting does not reach
// it; with a fake, the fake's base serves the page too.
const wechatOpen = "https://open.weixin.qq.com"

// WebAuth signs the web view's browsers in by WeChat; web.WeChatAuth.
type WebAuth struct{ b *Bot }

// WebAuth returns the bot's web authorization.
func (b *Bot) WebAuth() *WebAuth { return &WebAuth{b: b} }

// Codes of sns/oauth2/access_token for a code that cannot be exchanged:
// invalid, and already used.
const (
	codeBadOAuthCode  = 40029
	codeUsedOAuthCode = 40163
)

var errNoOpenID = errors.New("WeChat answered no openid")

// AuthorizeURL is WeChat's authorization page for redirectURI.
func (a *WebAuth) AuthorizeURL(redirectURI, state string) (string, error) {
	u, err := a.b.account("").GetOauth().GetRedirectURL(redirectURI, "snsapi_base", state)
	if err != nil {
		return "", &APIError{Call: "oauth authorize url", Err: err}
	}
	if base := apiBase(); base != wechatAPI {
		u = base + strings.TrimPrefix(u, wechatOpen)
	}
	return u, nil
}

// OpenID exchanges the code WeChat came back with for the follower's
// openid. A code WeChat no longer takes is an invalid input, not an
// outage: the person signs in again from the menu.
func (a *WebAuth) OpenID(ctx context.Context, code string) (string, error) {
	res, err := a.b.account("").GetOauth().GetUserAccessTokenContext(ctx, code)
	if err != nil {
		switch codeOf(err) {
		case codeBadOAuthCode, codeUsedOAuthCode:
			return "", domain.Errorf(domain.CodeInvalid, "error.web.wechat_invalid", nil)
		}
		return "", &APIError{Call: "oauth access token", Code: codeOf(err), Err: a.b.scrub(err)}
	}
	if res.OpenID == "" {
		return "", &APIError{Call: "oauth access token", Err: errNoOpenID}
	}
	return res.OpenID, nil
}
