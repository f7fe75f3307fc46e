package main

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestWebWired signs in through the link the chat's /web command would
// send, on the real service: the web view is mounted and the engine can
// make links.
func TestWebWired(t *testing.T) {
	m := MustRunMain(t, nil)
	if m.Engine.Links == nil {
		t.Fatal("the engine has no LinkMaker: /web would say the web view is off")
	}
	seller := pgtest.Seller(t, m.DB, nil)
	link, err := m.Engine.Links.LoginLink(pgtest.As(seller), seller.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, m.Config.PublicURL+"/login/") {
		t.Fatalf("link %q is not under PUBLIC_URL %s", link, m.Config.PublicURL)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(m.URL()+strings.TrimPrefix(link, m.Config.PublicURL), "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/web/" {
		t.Fatalf("after sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	for _, path := range []string{"/web", "/web/login", "/web/static/style.css"} {
		resp, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
}
