package wechat_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestWebAuth runs the Official Account's web authorization through
// silenceper against the fake: the authorization page (snsapi_base) comes
// back to the service with a code and the state, the code is exchanged
// once for the follower's openid, and a second exchange is refused as an
// invalid input, not an outage.
func TestWebAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	auth := h.bot.WebAuth()
	target, err := auth.AuthorizeURL("https://cabinet.example/web/wx/callback", "st4te")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(target)
	if !strings.HasPrefix(target, fake.URL()+"/connect/oauth2/authorize?") || u.Query().Get("scope") != "snsapi_base" ||
		u.Query().Get("appid") != h.acct.AppID || u.Query().Get("redirect_uri") != "https://cabinet.example/web/wx/callback" {
		t.Fatalf("authorize URL = %s", target)
	}
	// WeChat's browser of follower oAuth opens it.
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.AddCookie(&http.Cookie{Name: "wxfake_openid", Value: "oAuth"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	if back.Host != "cabinet.example" || back.Query().Get("state") != "st4te" || back.Query().Get("code") == "" {
		t.Fatalf("WeChat came back to %s", back)
	}
	code := back.Query().Get("code")
	openid, err := auth.OpenID(h.ctx(), code)
	if err != nil || openid != "oAuth" {
		t.Fatalf("openid = %q, %v", openid, err)
	}
	if _, err := auth.OpenID(h.ctx(), code); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("a used code: %v, want an invalid input", err)
	}
	if _, err := auth.OpenID(h.ctx(), "made-up"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("an unknown code: %v, want an invalid input", err)
	}
	if strings.Contains(h.logs.String(), h.acct.AppSecret) {
		t.Errorf("the app secret reached the logs")
	}
}

// TestMenuWebItem: with the web view's WeChat sign-in configured, the
// menu's web item opens it (a view button) instead of sending a link.
func TestMenuWebItem(t *testing.T) {
	t.Parallel()
	const web = "https://cabinet.example/web/wx?next=%2Fweb%2F"
	h := newHarness(t, harnessOptions{webURL: web})
	waitFor(t, func() bool { return len(h.acct.Menu()) == 3 })
	found := false
	for _, g := range h.acct.Menu() {
		for _, b := range g.SubButtons {
			if b.Key == "web" {
				t.Errorf("the web item is still a click button: %+v", b)
			}
			if b.Type == "view" && b.URL == web {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no view button to the web view in %+v", h.acct.Menu())
	}
}
