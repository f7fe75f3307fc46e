package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web"
)

// initData is what Telegram hands a Mini App launched by user, signed with
// token, at authDate.
func initData(token string, user int64, authDate time.Time) string {
	return web.SignInitData(token, url.Values{
		"query_id":  {"AAHdF6IQAAAAAN0XohDhrOrc"},
		"user":      {fmt.Sprintf(`{"id":%d,"first_name":"Mini","language_code":"ru"}`, user)},
		"auth_date": {strconv.FormatInt(authDate.Unix(), 10)},
	})
}

// telegramSeller is a seller whose owner is Telegram user id.
func telegramSeller(tb testing.TB, e *env, id int64) *domain.Seller {
	return pgtest.Seller(tb, e.DB, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(id, 10)}}
	})
}

// TestMiniAppSignIn: the Mini App page posts Telegram's init data; only a
// fresh one signed with the bot's token signs in, as the seller the
// Telegram user is.
func TestMiniAppSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := telegramSeller(t, e, 7001)
	now := time.Now()
	signIn := func(data, next string) (*browser, *response) {
		b := e.browser(t)
		return b, b.post("/web/tg", url.Values{"init_data": {data}, "next": {next}})
	}
	t.Run("OK", func(t *testing.T) {
		b, resp := signIn(initData(botToken, 7001, now), "/web/profile")
		if resp.Code != http.StatusSeeOther || resp.Location != "/web/profile" {
			t.Fatalf("sign-in: %d → %q\n%s", resp.Code, resp.Location, resp.Body)
		}
		if body := b.page("/web/profile").Body; !strings.Contains(body, seller.Name) {
			t.Errorf("signed in, but the profile is not the seller's")
		}
	})
	for name, data := range map[string]string{
		"ErrForged":       initData("999:other-bot", 7001, now),
		"ErrTampered":     strings.Replace(initData(botToken, 7001, now), "7001", "7002", 1),
		"ErrStale":        initData(botToken, 7001, now.Add(-2*time.Hour)),
		"ErrNoHash":       "user=%7B%22id%22%3A7001%7D&auth_date=" + strconv.FormatInt(now.Unix(), 10),
		"ErrEmpty":        "",
		"ErrTooLarge":     initData(botToken, 7001, now) + "&pad=" + strings.Repeat("x", 5000),
		"ErrUserNotJSON":  web.SignInitData(botToken, url.Values{"user": {"7001"}, "auth_date": {strconv.FormatInt(now.Unix(), 10)}}),
		"ErrFutureLaunch": initData(botToken, 7001, now.Add(time.Hour)),
	} {
		t.Run(name, func(t *testing.T) {
			b, resp := signIn(data, "/web/")
			if resp.Code != http.StatusForbidden || !strings.Contains(resp.Body, "could not be verified") {
				t.Errorf("forged init data: %d → %q", resp.Code, resp.Location)
			}
			if resp := b.get("/web/"); resp.Code != http.StatusSeeOther {
				t.Errorf("the browser is signed in after a refusal: %d", resp.Code)
			}
		})
	}
	t.Run("ErrNoSeller", func(t *testing.T) {
		_, resp := signIn(initData(botToken, 7999, now), "/web/")
		if resp.Code != http.StatusNotFound || !strings.Contains(resp.Body, "/start") {
			t.Errorf("unknown Telegram user: %d\n%s", resp.Code, resp.Body)
		}
	})
	t.Run("OffSite", func(t *testing.T) {
		_, resp := signIn(initData(botToken, 7001, now), "https://evil.example/")
		if resp.Location != "/web/" {
			t.Errorf("next leads off the site: %q", resp.Location)
		}
	})
	t.Run("Page", func(t *testing.T) {
		resp := e.browser(t).page("/web/tg?next=%2Fweb%2Freturns%2F5")
		for _, want := range []string{`src="/web/static/miniapp.js"`, `name="next" value="/web/returns/5"`} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("Mini App page lacks %s", want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP %q lets no local script run, or more", csp)
		}
	})
}

// TestWeChatSignIn runs the Official Account's web authorization against
// the fake: the menu's page sends the browser to WeChat, WeChat comes back
// with a code, and the code's openid signs the seller in; a code works
// once, and only in the browser that was sent.
func TestWeChatSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	openid := "oWeb" + strconv.FormatInt(time.Now().UnixNano(), 36)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelWeChat, ExternalID: openid}}
	})
	b := e.browser(t)
	b.c.CheckRedirect = nil // follow, as a browser does
	b.c.Jar.SetCookies(mustURL(t, wx.URL()), []*http.Cookie{{Name: "wxfake_openid", Value: openid, Path: "/"}})
	resp, err := b.c.Get(e.URL + "/web/wx?next=%2Fweb%2Fsupport")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/web/support" {
		t.Fatalf("after WeChat: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	callback := resp.Request.Response.Request.URL // our callback with the code, the redirect before the page
	if callback.Path != "/web/wx/callback" || callback.Query().Get("code") == "" {
		t.Fatalf("WeChat did not come back to the callback with a code: %s", callback)
	}
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if body := b.page("/web/support").Body; !strings.Contains(body, seller.Name) {
		t.Errorf("signed in by WeChat, but not as the seller")
	}
	t.Run("ErrCodeAgain", func(t *testing.T) {
		// The same code, in the browser that holds a state (a new one).
		again := e.browser(t)
		start := again.get("/web/wx")
		state := mustURL(t, start.Location).Query().Get("state")
		q := callback.Query()
		q.Set("state", state)
		if r := again.get("/web/wx/callback?" + q.Encode()); r.Code != http.StatusForbidden {
			t.Errorf("a used code signs in: %d", r.Code)
		}
	})
	t.Run("ErrOtherBrowser", func(t *testing.T) {
		if r := e.browser(t).get(callback.RequestURI()); r.Code != http.StatusForbidden {
			t.Errorf("a callback in a browser that was never sent: %d", r.Code)
		}
	})
	t.Run("ErrOutsideWeChat", func(t *testing.T) {
		plain := e.browser(t)
		r := plain.get("/web/wx")
		resp, err := http.Get(r.Location) // no WeChat user in this browser
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("WeChat's page outside WeChat: %d", resp.StatusCode)
		}
	})
}

// TestLoginLinkExpiry: the link's page says until when it works; one that
// no longer works says so before the press.
func TestLoginLinkExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.TimeZone = "Asia/Shanghai" })
	link := e.mustLink(t, seller)
	resp := e.browser(t).page(link)
	until := time.Now().Add(15 * time.Minute).In(time.FixedZone("CST", 8*3600)).Format("15:04")
	if !strings.Contains(resp.Body, "works until "+until) || !strings.Contains(resp.Body, "15 more minutes") {
		t.Errorf("the link's page does not say until when it works (%s):\n%s", until, resp.Body)
	}
	e.skew.Store(int64(16 * time.Minute))
	resp = e.browser(t).get(link)
	if resp.Code != http.StatusNotFound || strings.Contains(resp.Body, `id="signin"`) || !strings.Contains(resp.Body, "expired") {
		t.Errorf("an expired link offers to sign in: %d\n%s", resp.Code, resp.Body)
	}
}

// TestRoot: the host alone leads to the returns, or to how to sign in.
func TestRoot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	if r := b.get("/"); r.Code != http.StatusSeeOther || r.Location != "/web/" {
		t.Fatalf("GET /: %d → %q", r.Code, r.Location)
	}
	if r := b.get("/web/"); r.Location != "/web/login" {
		t.Errorf("signed out: → %q", r.Location)
	}
}
