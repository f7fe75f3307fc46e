// The completeness tests: a message id missing in any language fails here.
//
// TestIDsInCode scans every .go file of the module (vendor, testdata and
// dot/underscore directories skipped) for string literals that look like a
// message id, that is, match idPattern: an owner prefix from the list below,
// a dot, then lower_snake segments. Each one must be a message in every
// language, or a namespace of messages (a flow state such as
// "decision.confirm" whose messages are "decision.confirm.ask" and so on).
//
// The prefix list is deliberately generous so that new owners are checked
// from their first id. When you add an owner, add its prefix here. A literal
// that matches but is not a message id (a file name, a host, an audit action)
// is recognised by its extension or listed in notMessageIDs with a reason.
// A test that needs an id that does not exist should use a prefix outside
// the list, as TestFallbacks does with "nope.".
package locales

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

var idPattern = regexp.MustCompile(`^(error|warning|status|event|tab|decision|language|channel|attachment|column|scope|label|button|command|prompt|msg|notify|web|staff|flow|demo)\.[a-z0-9_.]+$`)

// notMessageIDs are literals that match idPattern but name something else.
// Each needs a reason.
var notMessageIDs = map[string]string{
	"decision.confirm": "a state of the decision flow (conversations/decision.go); its text is flow.decision.confirm",
	"staff.tracking":   "a declared staff state (conversations/staff_question.go); its question is staff.ship.ask_reply",
	"staff.shelf":      "a declared staff state (conversations/staff_question.go); its question is staff.shelve.ask_reply",
}

// notIDEndings mark file names and hosts ("event.go", "web.telegram.org").
var notIDEndings = []string{".go", ".html", ".tmpl", ".toml", ".json", ".sql", ".mmd", ".md", ".txt",
	".css", ".js", ".png", ".jpg", ".jpeg", ".pdf", ".xlsx", ".csv", ".log", ".org", ".com", ".net", ".io"}

// pluralCounts cover every CLDR category of en, zh and ru (0, 1, 2–4, 5–20,
// 21, 22–24, 111…) so that a missing form shows up.
var pluralCounts = []int{0, 1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112, 1000}

func TestMissingTranslations(t *testing.T) {
	all := mustMessages(t)
	en := all[defaultLang]
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			got := all[lang]
			for id := range en {
				if got[id] == nil {
					t.Errorf("%s: missing %q", fileName(lang), id)
				}
			}
			for id, m := range got {
				if en[id] == nil {
					t.Errorf("%s: %q is not in %s", fileName(lang), id, fileName(defaultLang))
				}
				if strings.TrimSpace(m.Other) == "" {
					t.Errorf("%s: %q has no text (the other form is required)", fileName(lang), id)
				}
				for form, text := range forms(m) {
					if strings.TrimSpace(text) == "" {
						t.Errorf("%s: %q form %s is blank", fileName(lang), id, form)
					}
				}
			}
		})
	}
}

// TestPluralForms renders every plural message for counts that hit every
// category of each language's CLDR rule; go-i18n reports a missing form as
// an error even though it then shows the "other" form. Every form shows
// {{.Count}}, the number its form is chosen by: a message that showed
// another field ("in {{.Days}} days") while the caller passed no Count
// always read "other" («через 1 дня», "in 1 days").
func TestPluralForms(t *testing.T) {
	all := mustMessages(t)
	b := mustBundle(t)
	for _, id := range pluralIDs(all) {
		for _, lang := range Languages() {
			t.Run(id+"/"+lang, func(t *testing.T) {
				for form, text := range forms(all[lang][id]) {
					if !strings.Contains(text, "{{.Count}}") {
						t.Errorf("form %s does not show {{.Count}}: %q", form, text)
					}
				}
				data := sampleData(t, all[lang][id])
				for _, n := range pluralCounts {
					data["Count"] = n
					_, err := b.For(lang).l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
					if err != nil {
						t.Errorf("count %d: %v", n, err)
					}
				}
			})
		}
	}
}

// TestTemplates parses every form of every message and renders it with
// data for each field it names; a translation must name the same fields
// as the English text, or it would drop or invent information.
func TestTemplates(t *testing.T) {
	all := mustMessages(t)
	b := mustBundle(t)
	plural := make(map[string]bool)
	for _, id := range pluralIDs(all) {
		plural[id] = true
	}
	for _, lang := range Languages() {
		for id, m := range all[lang] {
			t.Run(lang+"/"+id, func(t *testing.T) {
				want := fieldNames(t, all[defaultLang][id])
				if got := fieldNames(t, m); !slices.Equal(got, want) {
					t.Errorf("template fields %v, English has %v", got, want)
				}
				lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: sampleData(t, m)}
				if plural[id] {
					lc.PluralCount = 2
				}
				got, err := b.For(lang).l.Localize(lc)
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				if strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
					t.Errorf("render = %q", got)
				}
			})
		}
	}
}

func TestIDsInCode(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
	all := mustMessages(t)
	uses := idLiterals(t, root)
	if len(uses) == 0 {
		t.Fatal("found no id literals at all; the scan is broken")
	}
	for _, u := range uses {
		if _, ok := notMessageIDs[u.id]; ok || hasAnySuffix(u.id, notIDEndings) {
			continue
		}
		for _, lang := range Languages() {
			if !knownID(all[lang], u.id) {
				t.Errorf("%s: %q is missing in %s", u.pos, u.id, fileName(lang))
			}
		}
	}
}

func TestFallbacks(t *testing.T) {
	b := mustBundle(t)
	for _, tt := range []struct {
		name string
		lang string
		got  func(*Localizer) string
		want string
	}{
		{"OK", "en", func(l *Localizer) string { return l.T("error.invalid") }, "Some of the data isn't valid. Please check what you entered and try again."},
		{"MissingID", "ru", func(l *Localizer) string { return l.T("nope.missing") }, "nope.missing"},
		{"EmptyID", "en", func(l *Localizer) string { return l.T("") }, ""},
		{"Label", "ru", func(l *Localizer) string { return l.Label("status", "awaiting_seller_decision") }, "Ожидает решения продавца"},
		{"LabelMissing", "zh", func(l *Localizer) string { return l.Label("nope", "some_value") }, "nope.some_value"},
		{"LabelEmptyValue", "en", func(l *Localizer) string { return l.Label("decision", "") }, ""},
		{"Data", "ru", func(l *Localizer) string { return l.T("error.attachment.too_large", map[string]any{"MaxMB": 20}) }, "Файл слишком большой. Пришлите файл размером до 20 МБ."},
		{"DataMerged", "en", func(l *Localizer) string {
			return l.T("error.return.unknown_tab", map[string]any{"Tab": "x"}, nil, map[string]any{"Tab": "y"})
		}, "Unknown tab “y”. Please choose Items in Transit, Orders in Processing, Orders Pending Decision or Completed Orders."},
		{"ListJoined", "zh", func(l *Localizer) string {
			return l.T("error.token.missing_scopes", map[string]any{"Missing": []string{"内容", "退货"}})
		}, "该令牌缺少以下类别的访问权限：内容、退货。请创建新的基础令牌并勾选所有类别，然后发送到这里。"},
		{"PluralOne", "ru", func(l *Localizer) string {
			return l.Plural("warning.token.expires_soon", 21, nil)
		}, "Срок действия вашего токена WB истекает через 21 день. Создайте новый базовый токен и пришлите его нам, чтобы отслеживание возвратов не прервалось."},
		{"PluralFew", "ru", func(l *Localizer) string {
			return firstSentence(l.Plural("warning.token.expires_soon", 3, nil))
		}, "Срок действия вашего токена WB истекает через 3 дня."},
		{"PluralMany", "ru", func(l *Localizer) string {
			return firstSentence(l.Plural("warning.token.expires_soon", 11, nil))
		}, "Срок действия вашего токена WB истекает через 11 дней."},
		{"PluralEnglish", "en", func(l *Localizer) string {
			return firstSentence(l.Plural("warning.token.expires_soon", 1, nil))
		}, "Your WB token expires in 1 day."},
		{"PluralChinese", "zh", func(l *Localizer) string {
			return firstSentence(l.Plural("warning.token.expires_soon", 1, nil))
		}, "您的WB令牌将在1天后过期。"},
		{"CountSelectsPlural", "ru", func(l *Localizer) string {
			return firstSentence(l.T("warning.token.expires_soon", map[string]any{"Count": 5}))
		}, "Срок действия вашего токена WB истекает через 5 дней."},
		{"CountFromJSON", "en", func(l *Localizer) string {
			// A queued push's data comes back from JSON with float64 numbers.
			return firstSentence(l.T("notify.token_expiring", map[string]any{"Store": "Main", "Count": float64(1)}))
		}, "⏳ The WB token of your store Main expires in 1 day."},
		{"CountNotANumber", "en", func(l *Localizer) string {
			return l.T("error.attachment.too_large", map[string]any{"MaxMB": 20, "Count": "many"})
		}, "The file is too large. Please send a file of up to 20 MB."},
		{"DateInData", "ru", func(l *Localizer) string {
			return l.T("error.return.unknown_status", map[string]any{"Status": time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)})
		}, "Неизвестный статус возврата «04.03.2026». Выберите статус из списка."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(b.For(tt.lang)); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFallbackToEnglish(t *testing.T) {
	ib := i18n.NewBundle(language.English)
	ib.MustAddMessages(language.English, &i18n.Message{ID: "nope.only_english", Other: "Only in English"})
	l := &Localizer{lang: "zh", l: i18n.NewLocalizer(ib, "zh"), f: formats["zh"]}
	if got := l.T("nope.only_english"); got != "Only in English" {
		t.Errorf("got %q, want the English text", got)
	}
}

func TestFor(t *testing.T) {
	b := mustBundle(t)
	for _, tt := range []struct{ tag, want string }{
		{"en", "en"}, {"zh", "zh"}, {"ru", "ru"},
		{"ru-RU", "ru"}, {"zh-hans", "zh"}, {"zh_CN", "zh"}, {"RU", "ru"},
		{"de", "en"}, {"", "en"}, {"uk", "en"},
	} {
		if got := b.For(tt.tag).Lang(); got != tt.want {
			t.Errorf("For(%q).Lang() = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	b := mustBundle(t)
	date := time.Date(2026, time.January, 2, 23, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang  string
		minor int64
		rub   string
		cny   string
	}{
		{"en", 123450, "₽1,234.50", "¥1,234.50"},
		{"zh", 123450, "₽1,234.50", "¥1,234.50"},
		{"ru", 123450, "1\u00a0234,50\u00a0₽", "1\u00a0234,50\u00a0¥"},
		{"en", 0, "₽0", "¥0"},
		{"ru", 110000, "1\u00a0100\u00a0₽", "1\u00a0100\u00a0¥"},
		{"zh", 110000, "₽1,100", "¥1,100"},
		{"en", 5, "₽0.05", "¥0.05"},
		{"en", 99999, "₽999.99", "¥999.99"},
		{"en", -123450, "-₽1,234.50", "-¥1,234.50"},
		{"ru", -5, "-0,05\u00a0₽", "-0,05\u00a0¥"},
		{"ru", 123456789012, "1\u00a0234\u00a0567\u00a0890,12\u00a0₽", "1\u00a0234\u00a0567\u00a0890,12\u00a0¥"},
		{"en", -9223372036854775808, "-₽92,233,720,368,547,758.08", "-¥92,233,720,368,547,758.08"},
	} {
		l := b.For(tt.lang)
		if got := l.FormatRUB(tt.minor); got != tt.rub {
			t.Errorf("%s FormatRUB(%d) = %q, want %q", tt.lang, tt.minor, got, tt.rub)
		}
		if got := l.FormatCNY(tt.minor); got != tt.cny {
			t.Errorf("%s FormatCNY(%d) = %q, want %q", tt.lang, tt.minor, got, tt.cny)
		}
	}
	for lang, want := range map[string]string{"en": "2 Jan 2026", "zh": "2026年1月2日", "ru": "02.01.2026"} {
		if got := b.For(lang).FormatDate(date); got != want {
			t.Errorf("%s FormatDate = %q, want %q", lang, got, want)
		}
	}
}

func TestIDs(t *testing.T) {
	ids := IDs()
	if !slices.IsSorted(ids) {
		t.Error("IDs() is not sorted")
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for id := range mustMessages(t)[defaultLang] {
			if !yield(id) {
				return
			}
		}
	})
	if !slices.Equal(ids, want) {
		t.Errorf("IDs() has %d ids, %s has %d", len(ids), fileName(defaultLang), len(want))
	}
	ids[0] = "changed"
	if IDs()[0] == "changed" {
		t.Error("IDs() shares its slice with callers")
	}
}

// TestConcurrentUse backs the doc promise that one Bundle serves every
// chat and request at once; run with -race to mean anything.
func TestConcurrentUse(t *testing.T) {
	b := mustBundle(t)
	var wg sync.WaitGroup
	for _, lang := range Languages() {
		for range 3 {
			wg.Go(func() {
				l := b.For(lang)
				for _, id := range IDs() {
					l.Plural(id, 3, map[string]any{"Days": 3, "Missing": []string{"a", "b"}})
				}
			})
		}
	}
	wg.Wait()
}

// Helpers shared by the tests above.

func mustBundle(tb testing.TB) *Bundle {
	tb.Helper()
	b, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustMessages parses each file on its own: through a Bundle, a message
// missing in one language would be hidden by the English fallback.
func mustMessages(tb testing.TB) map[string]map[string]*i18n.Message {
	tb.Helper()
	out := make(map[string]map[string]*i18n.Message)
	for _, lang := range Languages() {
		msgs, err := parseFile(lang)
		if err != nil {
			tb.Fatal(err)
		}
		out[lang] = make(map[string]*i18n.Message, len(msgs))
		for _, m := range msgs {
			out[lang][m.ID] = m
		}
	}
	return out
}

func forms(m *i18n.Message) map[string]string {
	out := make(map[string]string)
	for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if text != "" {
			out[form] = text
		}
	}
	return out
}

// pluralIDs are the messages with a form besides "other" in any language;
// Chinese plurals have "other" alone, so one file cannot tell.
func pluralIDs(all map[string]map[string]*i18n.Message) []string {
	var ids []string
	for id := range all[defaultLang] {
		for _, lang := range Languages() {
			if m := all[lang][id]; m != nil && len(forms(m)) > 1 {
				ids = append(ids, id)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// fieldNames lists the top-level data fields ({{.Name}}) a message's forms
// use, failing the test when a form does not parse.
func fieldNames(tb testing.TB, m *i18n.Message) []string {
	tb.Helper()
	seen := make(map[string]bool)
	for form, text := range forms(m) {
		tmpl, err := template.New(m.ID).Parse(text)
		if err != nil {
			tb.Errorf("%s form %s: %v", m.ID, form, err)
			continue
		}
		walkFields(tmpl.Root, seen)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func walkFields(n parse.Node, seen map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkFields(c, seen)
			}
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, seen)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walkFields(c, seen)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, seen)
		}
	case *parse.FieldNode:
		seen[n.Ident[0]] = true
	case *parse.IfNode:
		walkBranch(&n.BranchNode, seen)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, seen)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, seen)
	}
}

func walkBranch(b *parse.BranchNode, seen map[string]bool) {
	walkFields(b.Pipe, seen)
	walkFields(b.List, seen)
	if b.ElseList != nil {
		walkFields(b.ElseList, seen)
	}
}

func sampleData(tb testing.TB, m *i18n.Message) map[string]any {
	tb.Helper()
	data := map[string]any{"Count": 2}
	for _, f := range fieldNames(tb, m) {
		data[f] = 2
	}
	return data
}

type idUse struct{ id, pos string }

// idLiterals collects the string literals under root that match idPattern.
func idLiterals(tb testing.TB, root string) []idUse {
	tb.Helper()
	var uses []idUse
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "vendor" || name == "testdata" || name == "node_modules" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			tb.Errorf("parse %s: %v", path, err)
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && idPattern.MatchString(s) {
				p := fset.Position(lit.Pos())
				rel, _ := filepath.Rel(root, p.Filename)
				uses = append(uses, idUse{id: s, pos: rel + ":" + strconv.Itoa(p.Line)})
			}
			return true
		})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return uses
}

// knownID accepts a message id or a namespace of ids, such as a flow state
// or a prefix a caller matches with strings.HasPrefix.
func knownID(msgs map[string]*i18n.Message, id string) bool {
	if msgs[id] != nil {
		return true
	}
	prefix := id
	if !strings.HasSuffix(prefix, ".") {
		prefix += "."
	}
	for known := range msgs {
		if strings.HasPrefix(known, prefix) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, suffixes []string) bool {
	return slices.ContainsFunc(suffixes, func(suf string) bool { return strings.HasSuffix(s, suf) })
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	if i := strings.Index(s, "。"); i >= 0 {
		return s[:i+len("。")]
	}
	return s
}
