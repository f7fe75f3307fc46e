package main

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/web"
)

// start.go: a first run that explains itself (issue 22). With no chat
// channel configured nobody can use the service yet, and JSON log lines do
// not say what to do: the console gets one readable summary of what is on
// and off with the exact variables for each, and a browser at / (or at
// /web/login, which would otherwise tell it to ask a bot that does not
// exist) gets the same as a page. Once a channel is on, / leads to the
// web view.

//go:embed start/index.html
var startHTML string

var startPage = template.Must(template.New("start").Parse(startHTML))

// startRow is one part of the service: on or off, and how to switch it on.
type startRow struct {
	Name  string
	On    bool
	State string
	How   string
	Vars  []string // the variables that switch it on, exactly as typed
}

// startRows describes every part as cfg sets it, in l's language.
func (m *Main) startRows(l *locales.Localizer) []startRow {
	c := m.Config
	url := map[string]any{"URL": c.PublicURL}
	row := func(name string, on bool, how string, vars ...string) startRow {
		state := l.T("web.start.off")
		if on {
			state = l.T("web.start.on")
		}
		return startRow{Name: l.T(name), On: on, State: state, How: how, Vars: vars}
	}
	return []startRow{
		row("web.start.telegram", c.TelegramEnabled(), l.T("web.start.telegram_how"), "TELEGRAM_BOT_TOKEN=123456789:AA…"),
		row("web.start.staff", c.TelegramEnabled() && c.TelegramSupportChatID != 0, l.T("web.start.staff_how"),
			"TELEGRAM_SUPPORT_CHAT_ID=-1001234567890", "TELEGRAM_SUPPORT_LANGUAGE=en|zh|ru"),
		row("web.start.wechat", c.WeChatEnabled(), l.T("web.start.wechat_how", url),
			"WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "WECHAT_AES_KEY"),
		row("web.start.web", true, l.T("web.start.web_how", url), "PUBLIC_URL="+c.PublicURL),
		row("web.start.wb", true, l.T("web.start.wb_how", map[string]any{"Schedule": c.PollSchedule}), "POLL_SCHEDULE="+c.PollSchedule),
	}
}

// anyChannel reports whether sellers can reach the service at all.
func (c *Config) anyChannel() bool { return c.TelegramEnabled() || c.WeChatEnabled() }

// metricsWhere is where /metrics is scraped, as the page and summary say it.
func (m *Main) metricsWhere() string {
	if m.Config.MetricsAddr != "" {
		return m.Config.MetricsAddr + "/metrics"
	}
	return m.Config.PublicURL + "/metrics"
}

// writeStartSummary prints the summary to w: a block of plain lines.
func (m *Main) writeStartSummary(w io.Writer, l *locales.Localizer) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n%s\n\n", l.T("web.start.title"), l.T("web.start.intro"))
	for _, r := range m.startRows(l) {
		fmt.Fprintf(&b, "  [%s] %s\n      %s\n", r.State, r.Name, r.How)
		for _, v := range r.Vars {
			fmt.Fprintf(&b, "      %s\n", v)
		}
	}
	fmt.Fprintf(&b, "\n%s indigo demo\n%s %s/readyz, %s\n\n", l.T("web.start.demo"), l.T("web.start.health"), m.Config.PublicURL, m.metricsWhere())
	_, _ = io.WriteString(w, b.String())
}

// handleStart is GET /: the first-run page while no channel is on; the
// web view once sellers can sign in to it.
func (m *Main) handleStart(w http.ResponseWriter, r *http.Request) {
	if m.Web != nil && (m.Config.anyChannel() || signedIn(r)) {
		m.Web.ServeHTTP(w, r) // the cabinet's own "/": the seller's returns, or how to sign in
		return
	}
	m.serveStartPage(w, r)
}

// serveStartPage renders the first-run page in the browser's language.
func (m *Main) serveStartPage(w http.ResponseWriter, r *http.Request) {
	lang := pageLanguage(r)
	l := m.bundle.For(lang)
	var langs []struct {
		Code, Label string
		Current     bool
	}
	for _, code := range locales.Languages() {
		langs = append(langs, struct {
			Code, Label string
			Current     bool
		}{code, l.Label("language", code), code == lang})
	}
	data := map[string]any{
		"Lang": lang, "Langs": langs, "Title": l.T("web.start.title"), "Intro": l.T("web.start.intro"),
		"PartHead": l.T("web.start.part"), "StateHead": l.T("web.start.state"), "HowHead": l.T("web.start.how"),
		"Rows": m.startRows(l), "Demo": l.T("web.start.demo"), "Health": l.T("web.start.health"), "Metrics": m.metricsWhere(),
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := startPage.Execute(w, data); err != nil {
		m.Log.Error("render the start page", "err", err)
	}
}

var pageLanguages = language.NewMatcher([]language.Tag{language.English, language.Chinese, language.Russian})

// pageLanguage is ?lang= when given, else the best of Accept-Language.
func pageLanguage(r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		for _, code := range locales.Languages() {
			if q == code {
				return code
			}
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := pageLanguages.Match(tags...)
	return locales.Languages()[i]
}

// signedIn reports a browser that holds a web view session: "/" is then
// the seller's cabinet even while no channel is on.
func signedIn(r *http.Request) bool {
	_, err := r.Cookie(web.SessionCookie)
	return err == nil
}
