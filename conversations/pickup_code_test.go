package conversations

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParsePickupCode: whatever a seller types, the parser never panics,
// and a code it accepts has the shape staff expect, no spaces, and reads
// back as itself.
func FuzzParsePickupCode(f *testing.F) {
	for _, seed := range []string{
		"48210937", "4821 0937", "4821\u00a00937", " WB-PICKUP-77123\n", "WB PICKUP 77123",
		"", " ", "12", "abc", "код 4821", "取货码 4821", "48210937\x00", strings.Repeat("9", 65),
		"1234-", "\u200b1234", "１２３４", "DROP TABLE returns;--",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, ok := parsePickupCode(text)
		if !ok {
			return
		}
		if !pickupCodeShape.MatchString(code) || len(code) < 4 || len(code) > 64 {
			t.Fatalf("parsePickupCode(%q) accepted %q", text, code)
		}
		if strings.IndexFunc(code, unicode.IsSpace) >= 0 {
			t.Fatalf("parsePickupCode(%q) kept a space in %q", text, code)
		}
		if again, ok := parsePickupCode(code); !ok || again != code {
			t.Fatalf("parsePickupCode(%q) = %q, %v; want it back unchanged", code, again, ok)
		}
	})
}
