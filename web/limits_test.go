package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web/webtest"
)

// floodSize is the body an attacker streams at a POST route.
const floodSize = 200 << 20

// maxRead is what the server may read of a refused flood: the headers,
// a form's cap, and what net/http drains before it closes the connection.
const maxRead = 1 << 20

// TestFloodedPosts: a 200 MiB body, streamed from a generator to every
// POST route, signed in or not, multipart or a form, chunked or declared,
// is refused with the server having read less than 1 MiB of it.
func TestFloodedPosts(t *testing.T) {
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	signedIn := e.login(t, seller)
	routes := []string{"/web/logout", "/login/not-a-token", "/web/returns/1/choices",
		"/web/returns/1/decision", "/web/returns/1/inspection"}
	for _, tt := range []struct {
		name     string
		signedIn bool
		body     string // the content type
		declared bool   // a Content-Length of 200 MiB; else chunked
		want     map[string]int
	}{
		// No route takes a file: multipart is refused unread.
		{"MultipartChunked", true, "multipart/form-data; boundary=b", false, everyRoute(routes, http.StatusUnsupportedMediaType)},
		{"MultipartDeclared", true, "multipart/form-data; boundary=b", true, everyRoute(routes, http.StatusRequestEntityTooLarge)},
		{"MultipartSignedOut", false, "multipart/form-data; boundary=b", false, everyRoute(routes, http.StatusUnsupportedMediaType)},
		// A form is read up to its cap. The sign-in reads none of it.
		{"FormChunked", true, "application/x-www-form-urlencoded", false,
			withRoute(everyRoute(routes, http.StatusRequestEntityTooLarge), "/login/not-a-token", http.StatusNotFound)},
		{"FormDeclared", true, "application/x-www-form-urlencoded", true, everyRoute(routes, http.StatusRequestEntityTooLarge)},
		// Signed out, a form is not even read: off to the sign-in page.
		{"FormSignedOut", false, "application/x-www-form-urlencoded", false,
			withRoute(everyRoute(routes, http.StatusSeeOther), "/login/not-a-token", http.StatusNotFound)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var jar http.CookieJar
			if tt.signedIn {
				jar = signedIn.c.Jar
			}
			for _, path := range routes {
				body := newFlood(tt.body, floodSize)
				req, err := http.NewRequest(http.MethodPost, e.URL+path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", tt.body)
				if tt.declared {
					req.ContentLength = floodSize
				}
				before := e.Read.Load()
				code := webtest.Send(t, jar, req)
				read := e.Read.Load() - before
				t.Logf("%s: %d; the server read %d bytes, the client sent %d", path, code, read, body.Sent())
				if code != tt.want[path] {
					t.Errorf("%s: %d, want %d", path, code, tt.want[path])
				}
				if read >= maxRead {
					t.Errorf("%s: the server read %d bytes of the flood, want < %d", path, read, maxRead)
				}
			}
		})
	}
}

// TestFormsWithinLimits: what the pages send still works, and the form
// checks come in the order that reads the least.
func TestFormsWithinLimits(t *testing.T) {
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	b := e.login(t, seller)
	tok := b.csrf()
	for _, tt := range []struct {
		name   string
		header http.Header
		body   string
		want   int
	}{
		{"CrossSite", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Content-Type": {"multipart/form-data; boundary=b"}},
			"--b--", http.StatusForbidden},
		{"NoToken", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "x=1", http.StatusForbidden},
		{"TokenInMultipart", http.Header{"Content-Type": {"multipart/form-data; boundary=b"}},
			"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + tok + "\r\n--b--\r\n", http.StatusUnsupportedMediaType},
		{"JustOverTheCap", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			"csrf=" + tok + "&x=" + strings.Repeat("a", 64<<10), http.StatusRequestEntityTooLarge},
		{"SignOut", http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
			url.Values{"csrf": {tok}}.Encode(), http.StatusSeeOther},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, e.URL+"/web/logout", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tt.header
			if resp := b.do(req); resp.Code != tt.want {
				t.Errorf("%d, want %d\n%s", resp.Code, tt.want, resp.Body)
			}
		})
	}
}

func everyRoute(routes []string, code int) map[string]int {
	m := map[string]int{}
	for _, r := range routes {
		m[r] = code
	}
	return m
}

func withRoute(m map[string]int, route string, code int) map[string]int {
	m[route] = code
	return m
}

// newFlood is n bytes of a form field, or of a multipart file part.
func newFlood(contentType string, n int64) *webtest.Flood {
	if strings.HasPrefix(contentType, "multipart/") {
		return webtest.NewFlood("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n", n)
	}
	return webtest.NewFlood("x=", n)
}
