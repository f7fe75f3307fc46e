package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Alice Trading" })
	bob := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Bob Goods" })
	aliceStore := pgtest.Store(t, e.DB, alice.ID, nil)
	bobStore := pgtest.Store(t, e.DB, bob.ID, nil)
	pgtest.Return(t, e.DB, aliceStore.ID, func(r *domain.Return) { r.ReturnNumber = "ALICE-1" })
	pgtest.Return(t, e.DB, bobStore.ID, func(r *domain.Return) { r.ReturnNumber = "BOB-1" })

	for _, tt := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"OK", func(t *testing.T) {
			b := e.browser(t)
			link := e.mustLink(t, alice)
			// Opening the link (as a chat's link preview does) spends nothing.
			for range 2 {
				if resp := b.page(link); !strings.Contains(resp.Body, `id="signin"`) {
					t.Fatalf("login page has no sign-in button:\n%s", resp.Body)
				}
			}
			resp := b.post(link, nil)
			if resp.Code != http.StatusSeeOther || resp.Location != "/web/" {
				t.Fatalf("POST link: %d → %q", resp.Code, resp.Location)
			}
			c := cookieOf(t, resp, "indigo_session")
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Lax, not Secure on http",
					c.HttpOnly, c.SameSite, c.Secure)
			}
			if d := time.Until(c.Expires); d < 6*24*time.Hour || d > 7*24*time.Hour+time.Minute {
				t.Errorf("cookie expires in %v, want about 7 days", d)
			}
			page := b.page("/web/")
			if !strings.Contains(page.Body, "Alice Trading") {
				t.Errorf("main page does not name the seller")
			}
			if got := page.column(4); len(got) != 1 || got[0] != "ALICE-1" {
				t.Errorf("return numbers = %v, want [ALICE-1]", got)
			}
		}},
		{"ErrUsedTwice", func(t *testing.T) {
			link := e.mustLink(t, alice)
			e.browser(t).post(link, nil)
			resp := e.browser(t).post(link, nil)
			if resp.Code != http.StatusNotFound || !strings.Contains(resp.Body, "already been used") {
				t.Fatalf("second use: %d\n%s", resp.Code, resp.Body)
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("second use set a cookie: %s", resp.Header.Get("Set-Cookie"))
			}
		}},
		{"ErrExpired", func(t *testing.T) {
			link := e.mustLink(t, alice)
			e.skew.Store(int64(15*time.Minute + time.Second))
			defer e.skew.Store(0)
			if resp := e.browser(t).post(link, nil); resp.Code != http.StatusNotFound {
				t.Fatalf("expired link: %d", resp.Code)
			}
		}},
		{"ErrGuessed", func(t *testing.T) {
			link := e.mustLink(t, alice)
			if resp := e.browser(t).post(link[:len(link)-2]+"xx", nil); resp.Code != http.StatusNotFound {
				t.Fatalf("altered link: %d", resp.Code)
			}
		}},
		{"ErrOtherSite", func(t *testing.T) {
			link := e.mustLink(t, alice)
			req, _ := http.NewRequest(http.MethodPost, link, nil)
			req.Header.Set("Origin", "https://evil.example")
			if resp := e.browser(t).do(req); resp.Code != http.StatusForbidden {
				t.Fatalf("cross-site login: %d", resp.Code)
			}
			// The refused attempt did not spend the link.
			if resp := e.browser(t).post(link, nil); resp.Code != http.StatusSeeOther {
				t.Fatalf("link after refused attempt: %d", resp.Code)
			}
		}},
		{"ForThatSellerOnly", func(t *testing.T) {
			b := e.login(t, bob)
			got := b.page("/web/").column(4)
			if len(got) != 1 || got[0] != "BOB-1" {
				t.Fatalf("bob sees %v, want [BOB-1]", got)
			}
			// Bob's browser then opens Alice's link: it is Alice's session now, Bob's is gone.
			b.post(e.mustLink(t, alice), nil)
			if got := b.page("/web/").column(4); len(got) != 1 || got[0] != "ALICE-1" {
				t.Fatalf("after alice's link: %v", got)
			}
		}},
		{"NoSession", func(t *testing.T) {
			for _, path := range []string{"/web/", "/web/tab/completed", "/web/export.csv", "/web/returns/1"} {
				resp := e.browser(t).get(path)
				if resp.Code != http.StatusSeeOther || resp.Location != "/web/login" {
					t.Errorf("GET %s signed out: %d → %q", path, resp.Code, resp.Location)
				}
			}
			if resp := e.browser(t).get("/web/login"); !strings.Contains(resp.Body, "send /web") {
				t.Errorf("sign-in help page:\n%s", resp.Body)
			}
		}},
		{"Logout", func(t *testing.T) {
			b := e.login(t, alice)
			cookie := b.c.Jar.Cookies(mustURL(t, e.URL))[0]
			resp := b.post("/web/logout", nil)
			if resp.Code != http.StatusSeeOther || resp.Location != "/web/login?out=1" {
				t.Fatalf("logout: %d → %q", resp.Code, resp.Location)
			}
			if c := cookieOf(t, resp, "indigo_session"); c.MaxAge >= 0 {
				t.Errorf("logout kept the cookie: %+v", c)
			}
			// The old cookie, replayed, no longer works.
			replay := e.browser(t)
			replay.c.Jar.SetCookies(mustURL(t, e.URL), []*http.Cookie{cookie})
			if resp := replay.get("/web/"); resp.Code != http.StatusSeeOther || resp.Location != "/web/login?expired=1" {
				t.Errorf("replayed cookie: %d → %q", resp.Code, resp.Location)
			}
		}},
		{"ErrLogoutWithoutToken", func(t *testing.T) {
			b := e.login(t, alice)
			if resp := b.post("/web/logout", url.Values{"csrf": {"forged"}}); resp.Code != http.StatusForbidden {
				t.Fatalf("logout with a forged token: %d", resp.Code)
			}
			b.page("/web/")
		}},
		{"SessionExpires", func(t *testing.T) {
			b := e.login(t, alice)
			e.skew.Store(int64(7*24*time.Hour + time.Minute))
			defer e.skew.Store(0)
			if resp := b.get("/web/"); resp.Code != http.StatusSeeOther || resp.Location != "/web/login?expired=1" {
				t.Fatalf("after 7 days: %d → %q", resp.Code, resp.Location)
			}
		}},
	} {
		t.Run(tt.name, tt.run)
	}
}

// TestSecureCookie checks that behind https the session cookie is Secure.
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	seller := pgtest.Seller(t, db, nil)
	srv := mustServer(t, db, "https://indigo.example.com")
	link, err := srv.Links().LoginLink(pgtest.As(seller), seller.ID)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(link, "https://indigo.example.com")
	if path == link {
		t.Fatalf("link %q is not under PUBLIC_URL", link)
	}
	req := httptest.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("Origin", "https://indigo.example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", w.Code, w.Body)
	}
	c := w.Result().Cookies()[0]
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v: want Secure, HttpOnly, SameSite=Lax", c)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.browser(t).get("/web/login")
	for h, want := range map[string]string{
		"Referrer-Policy":        "same-origin",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", csp)
	}
}

func cookieOf(tb testing.TB, r *response, name string) *http.Cookie {
	tb.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	tb.Fatalf("no %s cookie in %v", name, r.Header["Set-Cookie"])
	return nil
}

func mustURL(tb testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
