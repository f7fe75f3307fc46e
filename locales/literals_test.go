package locales

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// TestNoTextInCode scans the code that builds what people read (the
// conversations, the domain's views, the web view and the two chat
// adapters) for text written in code instead of the catalogues: words in
// Chinese or Russian, the marks cards and lists are set with (bullets,
// separators, ticks, arrows), and the "Name: value" and "Label (3)"
// patterns, which Chinese sets otherwise. Errors, logs and panics are for
// us, not for a reader, and are skipped; so are the fakes and test helpers.
func TestNoTextInCode(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	scanned := 0
	for _, dir := range []string{"conversations", "domain", "web", "bot/telegram", "bot/wechat"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			scanned++
			for _, lit := range textLiterals(t, path) {
				t.Errorf("%s: %q is text for a reader: put it in locales/", lit.pos, lit.text)
			}
		}
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files; the scan is broken", scanned)
	}
}

// textAllowed are literals that look like text but are not a reader's.
var textAllowed = map[string]string{
	"…":             "the mark of a value cut to fit, the same in every language",
	"≈":             "marks an estimated amount, a mathematical sign",
	"−":             "the minus sign of an amount",
	"\ufeff":        "the byte-order mark that makes Excel read a CSV as UTF-8",
	"Свой склад РФ": "a value of WB's API (a warehouse type), matched, never shown",
	"Маркетплейс":   "a value of WB's API (a warehouse type), matched, never shown",
	`(\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})`: "the dates a WeChat template's time field takes, a pattern that checks one",
}

// textMarks are the characters cards and lists were set with in code.
const textMarks = "•·—◀▶✅◻⛔⚠👤🖼→⬆⬇🗑"

type textLiteral struct {
	pos  token.Position
	text string
}

func textLiterals(t *testing.T, path string) []textLiteral {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []textLiteral
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && forDevelopers(call) {
			return false
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		v, err := strconv.Unquote(lit.Value)
		if err == nil && readerText(v) {
			out = append(out, textLiteral{fset.Position(lit.Pos()), v})
		}
		return true
	})
	return out
}

// forDevelopers reports a call whose strings only developers read.
func forDevelopers(call *ast.CallExpr) bool {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name == "panic"
	case *ast.SelectorExpr:
		pkg, _ := fn.X.(*ast.Ident)
		switch {
		case pkg != nil && (pkg.Name == "fmt" && fn.Sel.Name == "Errorf" || pkg.Name == "errors" && fn.Sel.Name == "New"):
			return true
		case pkg != nil && pkg.Name == "regexp":
			return true
		}
		switch fn.Sel.Name {
		case "Debug", "Info", "Warn", "Error", "Log", "Logf":
			return true
		}
	}
	return false
}

func readerText(v string) bool {
	if _, ok := textAllowed[v]; ok {
		return false
	}
	if v == ": " || v == " (" || v == ")" || strings.Contains(v, "%s: %s") || strings.Contains(v, "%s (%d)") {
		return true
	}
	for _, r := range v {
		if unicode.In(r, unicode.Han, unicode.Cyrillic) || strings.ContainsRune(textMarks, r) {
			return true
		}
	}
	return false
}

// TestNoTextInTemplates scans the pages (the web view's templates and the
// demo page) for words written in the markup instead of the catalogues:
// text between tags and the attributes a reader sees, once the template's
// actions are taken out.
func TestNoTextInTemplates(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "web", "templates", "*.html"))
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d templates (%v); the scan is broken", len(files), err)
	}
	for _, path := range append(files, filepath.Join(root, "cmd", "indigo", "demo", "index.html")) {
		for _, text := range markupText(t, path) {
			t.Errorf("%s: %q is text for a reader: put it in locales/", path, text)
		}
	}
}

// markupWords are words the markup may hold: the manual's logo.
var markupWords = map[string]string{"Indigo": "the logo", "WAREHOUSE": "the logo",
	"readyz": "an endpoint's name, as operators type it", "metrics": "an endpoint's name, as operators type it"}

var (
	templateAction = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	readerWord     = regexp.MustCompile(`[\p{L}]{2,}`)
)

func markupText(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	z := html.NewTokenizer(strings.NewReader(templateAction.ReplaceAllString(string(src), " ")))
	skip := false // inside <script> or <style>
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			skip = string(name) == "script" || string(name) == "style"
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "placeholder", "title", "aria-label", "alt":
					out = append(out, unknownWords(string(v))...)
				}
			}
		case html.EndTagToken:
			skip = false
		case html.TextToken:
			if !skip {
				out = append(out, unknownWords(string(z.Text()))...)
			}
		}
	}
}

func unknownWords(s string) []string {
	var out []string
	for _, w := range readerWord.FindAllString(s, -1) {
		if _, ok := markupWords[w]; !ok {
			out = append(out, strings.TrimSpace(s))
			break
		}
	}
	return out
}
