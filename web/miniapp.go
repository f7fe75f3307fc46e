package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// miniapp.go: sign-in from Telegram. /web and the cards' buttons open the
// web view as a Mini App; Telegram hands the page its init data, signed
// with the bot's token, and the page posts it here. A valid signature from
// a fresh launch names the Telegram user, and the browser is signed in as
// them: nothing to copy, nothing to paste.
// https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app

const (
	// maxInitData bounds the init data read: Telegram's is a few hundred
	// bytes (the user, a query id, the hash).
	maxInitData = 4 << 10
	// miniAppFreshness is how old a launch's auth_date may be: init data
	// is handed to the page at launch, and a copy found later must not
	// work for long.
	miniAppFreshness = time.Hour
)

// handleMiniApp is the page a Mini App opens: its script reads the init
// data Telegram passes (the telegram-web-app.js object when present, the
// launch URL's #tgWebAppData otherwise) and posts it.
func (s *Server) handleMiniApp(rq *request) error {
	lay := s.layout(rq, rq.l.T("web.login.title"))
	s.render(rq, http.StatusOK, "miniapp", struct {
		layout
		Next string
	}{lay, localPath(rq.r.URL.Query().Get("next"), "/web/")})
	return nil
}

// handleMiniAppSignIn checks the posted init data and starts a session for
// the seller the Telegram user acts for.
func (s *Server) handleMiniAppSignIn(rq *request) error {
	if err := parseForm(rq.r); err != nil {
		return err
	}
	user, err := s.checkInitData(rq.r.PostForm.Get("init_data"))
	if err != nil {
		return err
	}
	id := domain.Identity{Channel: domain.ChannelTelegram, ExternalID: user}
	return s.signInAs(rq, id, rq.r.PostForm.Get("next"))
}

// checkInitData verifies Telegram's signature over the init data and
// returns the Telegram user id it names. Every refusal is the same
// forbidden error: a forger learns nothing from which check failed.
func (s *Server) checkInitData(raw string) (string, error) {
	refused := domain.Errorf(domain.CodeForbidden, "error.web.miniapp_invalid", nil)
	if s.TelegramToken == "" || raw == "" || len(raw) > maxInitData {
		return "", refused
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return "", refused
	}
	got, err := hex.DecodeString(vals.Get("hash"))
	if err != nil || len(got) != sha256.Size {
		return "", refused
	}
	if !hmac.Equal(got, initDataHash(s.TelegramToken, vals)) {
		return "", refused
	}
	authDate, err := strconv.ParseInt(vals.Get("auth_date"), 10, 64)
	if age := s.now().Sub(time.Unix(authDate, 0)); err != nil || age > miniAppFreshness || age < -time.Minute {
		return "", refused
	}
	var user struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(vals.Get("user")), &user); err != nil || user.ID <= 0 {
		return "", refused
	}
	return strconv.FormatInt(user.ID, 10), nil
}

// initDataHash is Telegram's signature of init data: HMAC-SHA256 of the
// sorted "key=value" lines (all but hash) under the key
// HMAC-SHA256("WebAppData", bot token).
func initDataHash(botToken string, vals url.Values) []byte {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		if k != "hash" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + vals.Get(k)
	}
	secret := hmac.New(sha256.New, []byte("WebAppData"))
	secret.Write([]byte(botToken))
	mac := hmac.New(sha256.New, secret.Sum(nil))
	mac.Write([]byte(strings.Join(lines, "\n")))
	return mac.Sum(nil)
}

// SignInitData signs init data as Telegram would, for the demo's and the
// tests' stand-in for a Telegram client: fields are what Telegram sends
// (user as JSON, auth_date, query_id).
func SignInitData(botToken string, fields url.Values) string {
	vals := url.Values{}
	for k, v := range fields {
		vals[k] = v
	}
	vals.Set("hash", hex.EncodeToString(initDataHash(botToken, vals)))
	return vals.Encode()
}

// signInAs starts a session for the seller a chat account acts for and
// goes on to next; an account with no seller is told to start in the chat.
func (s *Server) signInAs(rq *request, id domain.Identity, next string) error {
	seller, err := s.Sellers.FindSellerByIdentity(rq.ctx, id)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		lay := s.layout(rq, rq.l.T("web.login.title"))
		lay.Alert = rq.l.T("error.web.no_seller")
		s.render(rq, http.StatusNotFound, "signin", struct{ layout }{lay})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.startSession(rq, seller.ID, id.String()); err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, localPath(next, "/web/"), http.StatusSeeOther)
	return nil
}
