package conversations

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzStaffCommand feeds the staff command parser anything a member of
// the staff chat (or anyone, elsewhere) can type: it must never panic,
// agree with itself, and refuse what is no staff command.
//
//	go test ./conversations -run '^$' -fuzz '^FuzzStaffCommand$' -fuzztime 10s
func FuzzStaffCommand(f *testing.F) {
	for _, seed := range []string{
		"/find R-1", "/find@IndigoBot R-1", "/FIND  scarf  ", "/find", "/inspect r_12 ok", "/inspect R-1 defect Torn seam",
		"/ship r_12 RU123456789CN", "/ship R-1", "/help", "/help@IndigoBot", "/note call the seller", "/r_12", "/s_3",
		"/r_0", "/r_-1", "/r_+7", "/r_012", "/r_9223372036854775808", "/s_", "/start", "/returns", "hello", "",
		" ", "/", "//", "/@", "/ find", "\t/find\tR-1", "/find\u00a0R-1", "/İNSPECT r_1 ok", "/r_١٢", "/\xff",
		"/inspect\nr_1\nok", "/ship r_1 \u2003 RU1", "/\n@", "/find\nR-1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		isStaff := IsStaffCommand(text)
		name, arg, ok := commandName(text)
		if ok != strings.HasPrefix(strings.TrimSpace(text), "/") {
			t.Fatalf("commandName(%q) ok = %v", text, ok)
		}
		if !ok {
			if isStaff {
				t.Fatalf("%q is no command, but a staff command", text)
			}
			return
		}
		if strings.IndexFunc(name, unicode.IsSpace) >= 0 || strings.Contains(name, "@") ||
			arg != strings.TrimSpace(arg) || name != strings.ToLower(name) {
			t.Fatalf("commandName(%q) = %q, %q", text, name, arg)
		}
		// The command as parsed reads back the same.
		again := "/" + name
		if arg != "" {
			again += " " + arg
		}
		if n2, a2, _ := commandName(again); n2 != name || a2 != arg {
			t.Fatalf("%q → (%q, %q) → %q → (%q, %q)", text, name, arg, again, n2, a2)
		}
		known := staffCommandNames[name]
		r, s := shortcutID(name, "r_"), shortcutID(name, "s_")
		if r < 0 || s < 0 || (r > 0 && !strings.HasPrefix(name, "r_")) || (s > 0 && !strings.HasPrefix(name, "s_")) {
			t.Fatalf("shortcuts of %q: r %d, s %d", name, r, s)
		}
		if want := name != "help" && (known || r > 0 || s > 0); isStaff != want {
			t.Fatalf("IsStaffCommand(%q) = %v, want %v", text, isStaff, want)
		}
		// /inspect and /ship take their words with cutField.
		first, rest := cutField(arg)
		if strings.IndexFunc(first, unicode.IsSpace) >= 0 || rest != strings.TrimSpace(rest) || (first == "" && rest != "") {
			t.Fatalf("cutField(%q) = %q, %q", arg, first, rest)
		}
		if !slices.Equal(strings.Fields(arg), strings.Fields(first+" "+rest)) {
			t.Fatalf("cutField(%q) = %q, %q loses words", arg, first, rest)
		}
	})
}
