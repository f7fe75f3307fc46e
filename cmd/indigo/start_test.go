package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestFirstRun: with no channel configured, the console summary and the
// page at / name every part and the exact variables that switch each on,
// the staff group included, and the sign-in page does not send the
// visitor to a bot that does not exist.
func TestFirstRun(t *testing.T) {
	m := MustRunMain(t, nil)
	vars := []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_SUPPORT_CHAT_ID", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "PUBLIC_URL", "indigo demo"}
	var summary strings.Builder
	m.writeStartSummary(&summary, m.bundle.For("en"))
	en := locales.MustNew().For("en")
	for _, want := range append(vars, en.T("web.start.staff"), "[off] "+en.T("web.start.telegram"), "/readyz") {
		if !strings.Contains(summary.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.String())
		}
	}

	zh := locales.MustNew().For("zh")
	for _, path := range []string{"/", "/web/login"} {
		page := getPage(t, m.URL()+path, "zh-CN,zh;q=0.9")
		for _, want := range append(vars, zh.T("web.start.title"), zh.T("web.start.staff")) {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
		if strings.Contains(page, "/web ") || strings.Contains(page, zh.T("web.login.help")) {
			t.Errorf("%s tells the visitor to ask a bot, and there is none", path)
		}
	}
}

// TestFirstRunWithChannel: once a channel is on, / leads to the web view.
func TestFirstRunWithChannel(t *testing.T) {
	f := newFakes(t)
	m := f.run(t, f.env(pgtest.NewURL(t)))
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/web/" {
		t.Errorf("/ with Telegram on = %d to %q, want the web view", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestBusyPort: a taken port is reported with the variable that moves it.
func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = listen("METRICS_ADDR", ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "set METRICS_ADDR") || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("listen on a busy port: %v", err)
	}
}

func getPage(t *testing.T, url, lang string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	return string(body)
}
