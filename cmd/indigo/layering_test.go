package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/indigo-warehouse/indigo/"

// allowed lists, per package of ours, the packages of ours it may import.
// Arrows point down only: cmd/indigo wires adapters together, nothing else does.
var allowed = map[string][]string{
	"domain":                  nil,
	"locales":                 nil,
	"storage":                 {"domain"},
	"storage/pglocal":         nil,
	"storage/pgtest":          {"storage", "storage/pglocal", "domain"},
	"wb":                      {"domain"},
	"wb/wbfake":               nil,
	"wb/poll":                 {"wb", "domain"},
	"wb/resale":               {"wb", "domain"},
	"conversations":           {"domain", "locales"},
	"conversations/convtest":  {"conversations", "locales", "storage", "storage/pgtest", "wb", "wb/wbfake", "domain"}, // test support: the engine on a test database
	"bot/telegram":            {"conversations", "locales", "domain"},
	"bot/telegram/tgfake":     nil,
	"bot/telegram/tgtest":     {"bot/telegram/tgfake", "locales"}, // test support: drives the fake as a person
	"bot/wechat":              {"conversations", "locales", "domain"},
	"bot/wechat/wxfake":       nil,
	"web":                     {"domain", "locales"},
	"web/browsertest":         nil,                         // test support: headless Chromium
	"web/webtest":             nil,                         // test support: floods and counts what a server reads
	"cmd/internal/indigoproc": nil,                         // runs indigo serve as a child process
	"cmd/killloop":            {"cmd/internal/indigoproc"}, // drives the indigo binary from outside
	// cmd/soak drives indigo binaries from outside, against the fakes in its
	// own process, and seeds and counts rows through storage.
	"cmd/soak": {"cmd/internal/indigoproc", "bot/telegram/tgfake", "bot/wechat/wxfake", "wb/wbfake", "storage", "storage/pglocal", "domain"},
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if pkg == "cmd/indigo" {
			continue
		}
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layering table; add it with the packages it may import", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			if !contains(ok, dep) {
				t.Errorf("%s imports %s, which the layering forbids", pkg, dep)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
