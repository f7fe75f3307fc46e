package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// links.go: the addresses of the web view that the chats hand out. They
// need only the sign-in tokens and the public URL, so the engine that hands
// them out is built with Links before the web view, which takes the engine
// (its "Add store" runs the chat's token check) and the staff desk.

// Links makes the web view's addresses: a one-time sign-in link, a page,
// the page as a Telegram Mini App and through WeChat's web authorization.
// It satisfies conversations.LinkMaker.
type Links struct {
	Sessions  Sessions
	PublicURL string        // without a trailing slash
	LoginTTL  time.Duration // how long a sign-in link works
}

// NewLinks is Links with its defaults: a link works 15 minutes if ttl is 0.
func NewLinks(sessions Sessions, publicURL string, ttl time.Duration) *Links {
	if ttl == 0 {
		ttl = 15 * time.Minute
	}
	return &Links{Sessions: sessions, PublicURL: strings.TrimRight(publicURL, "/"), LoginTTL: ttl}
}

// LoginLink makes a one-time sign-in link for a seller; the chat's /web
// command sends it. It satisfies conversations.LinkMaker.
func (l *Links) LoginLink(ctx context.Context, sellerID int64) (string, error) {
	token, err := l.Sessions.CreateLoginToken(ctx, sellerID, l.LoginTTL)
	if err != nil {
		return "", fmt.Errorf("make login link for seller %d: %w", sellerID, err)
	}
	return l.PublicURL + "/login/" + token, nil
}

// LinkTTL is how long a sign-in link works.
func (l *Links) LinkTTL() time.Duration { return l.LoginTTL }

// PageURL is a page's address for a browser.
func (l *Links) PageURL(path string) string { return l.PublicURL + localPath(path, "/web/") }

// MiniAppURL is the address a Telegram web_app button opens: the Mini App
// page that signs in and then shows path.
func (l *Links) MiniAppURL(path string) string {
	return l.PublicURL + "/web/tg?next=" + url.QueryEscape(localPath(path, "/web/"))
}

// WeChatURL is the address the account menu's web item opens.
func (l *Links) WeChatURL(path string) string {
	return l.PublicURL + "/web/wx?next=" + url.QueryEscape(localPath(path, "/web/"))
}
