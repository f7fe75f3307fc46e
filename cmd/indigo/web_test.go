package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web"
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
	// The host alone leads to the cabinet; signed in, its returns.
	if resp, err := c.Get(m.URL() + "/"); err != nil || resp.Request.URL.Path != "/web/" {
		t.Errorf("GET / ends at %v (%v)", resp.Request.URL, err)
	} else {
		resp.Body.Close()
	}
	// A document larger than a form fits the upload's own limit.
	doc := bytes.Repeat([]byte("%PDF "), 40<<10) // 200 KB
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrfOf(t, c, m.URL()))
	fw, _ := mw.CreateFormFile("file", "charter.pdf")
	_, _ = fw.Write(doc)
	_ = mw.Close()
	resp, err = c.Post(m.URL()+web.UploadPath, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/web/profile" {
		t.Errorf("a 200 KB document: %d at %s", resp.StatusCode, resp.Request.URL)
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

// csrfOf reads the form token from a signed-in page.
func csrfOf(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/web/profile")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form token on the profile page")
	}
	return string(m[1])
}
