package locales

import (
	"regexp"
	"strings"
	"testing"
)

// pressPhrases find a message telling the reader to press a button, by its
// quoted label, in each language.
var pressPhrases = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)\b(?:press|tap|click)\s+“([^”]+)”`),
	"zh": regexp.MustCompile(`(?:点击|点按)“([^”]+)”`),
	"ru": regexp.MustCompile(`(?i)нажмите\s+«([^»]+)»`),
}

// TestWeChatWording: WeChat has no buttons, so a message that tells the
// reader to press one of ours (its label is one of our button texts; a
// button on WB's site is not) has WeChat's own wording, and that wording
// presses nothing. Every WeChat message replaces one that exists, with the
// same forms.
func TestWeChatWording(t *testing.T) {
	all := mustMessages(t)
	for _, lang := range Languages() {
		ours := map[string]bool{}
		for id, m := range all[lang] {
			if strings.HasPrefix(id, "button.") || strings.HasPrefix(id, "prompt.") {
				ours[m.Other] = true
			}
		}
		for id, m := range all[lang] {
			if base, ok := strings.CutPrefix(id, "wechat."); ok {
				orig := all[lang][base]
				if orig == nil {
					t.Errorf("%s %s replaces no message", lang, id)
					continue
				}
				for form, text := range forms(m) {
					if forms(orig)[form] == "" {
						t.Errorf("%s %s has a %s form that %s lacks", lang, id, form, base)
					}
					if p := pressPhrases[lang].FindStringSubmatch(text); p != nil && ours[p[1]] {
						t.Errorf("%s %s (%s) still says %q", lang, id, form, p[0])
					}
				}
				continue
			}
			if strings.HasPrefix(id, "staff.") || strings.HasPrefix(id, "web.") {
				continue // read in Telegram's staff group and on the web
			}
			for form, text := range forms(m) {
				for _, p := range pressPhrases[lang].FindAllStringSubmatch(text, -1) {
					if ours[p[1]] && all[lang]["wechat."+id] == nil {
						t.Errorf("%s %s (%s) says %q, which WeChat cannot do: add wechat.%s", lang, id, form, p[0], id)
					}
				}
			}
		}
	}
}
