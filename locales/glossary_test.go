package locales

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// glossaryTerm is one entry of glossary.toml.
type glossaryTerm struct {
	ID       string
	Note     string
	En       string
	Zh       string
	Ru       string
	BannedEn []string `toml:"banned_en"`
	BannedZh []string `toml:"banned_zh"`
	BannedRu []string `toml:"banned_ru"`
	// Manual are the manual's own words that contain a banned variant (a
	// column name), kept as the manual writes them.
	Manual []string
}

func (g glossaryTerm) chosen(lang string) string {
	return map[string]string{"en": g.En, "zh": g.Zh, "ru": g.Ru}[lang]
}

func (g glossaryTerm) banned(lang string) []string {
	return map[string][]string{"en": g.BannedEn, "zh": g.BannedZh, "ru": g.BannedRu}[lang]
}

func readGlossary(tb testing.TB) []glossaryTerm {
	tb.Helper()
	raw, err := os.ReadFile("glossary.toml")
	if err != nil {
		tb.Fatal(err)
	}
	var g struct{ Term []glossaryTerm }
	if _, err := toml.Decode(string(raw), &g); err != nil {
		tb.Fatalf("glossary.toml: %v", err)
	}
	return g.Term
}

// TestGlossary keeps every catalogue to the glossary's words: no message
// form uses a banned variant, and each chosen word is in use.
func TestGlossary(t *testing.T) {
	all := mustMessages(t)
	for _, term := range readGlossary(t) {
		for _, lang := range Languages() {
			chosen := strings.ToLower(term.chosen(lang))
			if chosen == "" {
				t.Errorf("glossary %s: no %s word", term.ID, lang)
			}
			used := false
			for id, m := range all[lang] {
				for form, text := range forms(m) {
					low := strings.ToLower(text)
					for _, own := range term.Manual {
						low = strings.ReplaceAll(low, strings.ToLower(own), "")
					}
					used = used || strings.Contains(low, chosen)
					for _, bad := range term.banned(lang) {
						if strings.Contains(low, strings.ToLower(bad)) {
							t.Errorf("%s %s (%s) says %q; the glossary's %s word is %q", lang, id, form, bad, term.ID, term.chosen(lang))
						}
					}
				}
			}
			if !used {
				t.Errorf("glossary %s: the %s word %q is used by no message", term.ID, lang, term.chosen(lang))
			}
		}
	}
}

// cjkSpaced finds an ASCII space between a Chinese character (or a
// full-width mark) and a placeholder, on either side: 「将在 {{.Count}} 天」
// reads as machine output; Chinese sets numbers and names inline.
var cjkSpaced = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}] +\{\{|\}\} +[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]`)

// TestChineseLayout keeps the Chinese catalogue's placeholders set inline.
func TestChineseLayout(t *testing.T) {
	for id, m := range mustMessages(t)["zh"] {
		for form, text := range forms(m) {
			if loc := cjkSpaced.FindStringIndex(text); loc != nil {
				t.Errorf("zh %s (%s): a space around a placeholder in %q", id, form, text[max(0, loc[0]-12):min(len(text), loc[1]+12)])
			}
		}
	}
}
