package conversations

import (
	"strings"
	"testing"
)

// FuzzButtonData feeds parseButton what any chat client can put in a
// press: the codec must never panic, and what it accepts must be exactly
// one kind|arg|version that encodes back to itself.
//
//	go test ./conversations -run '^$' -fuzz '^FuzzButtonData$' -fuzztime 10s
func FuzzButtonData(f *testing.F) {
	for _, seed := range []string{
		// What the flows draw (ButtonData's callers), as sent back.
		"f|en|3", "lang|zh|0", "rt|all:0|0", "rt|pending_decision:2|0", "rc|12|5", "rd|12:sell_on_wb|7",
		"rv|12|7", "rp|12|7", "pk|12|7", "st|new|0", "st|4|0", "stk|4|0", "stn|4|0", "stx|4|0", "sty|4|0",
		"tm||0", "ti||0", "tx|1.2.3|0", "nt|return_on_its_way|0", "nq||0", "rf||0", "pf||0",
		"sc|12|0", "ss|3|0", "sa|pick:12|9", "sa|disp:12|9",
		// Forged, stale and broken presses.
		"", "|", "||", "|||", "f||", "f|en|", "f|en|x", "f|en|3|4", "|en|3", "f|en|-1", "f|en|+3",
		"f|en|9223372036854775807", "f|en|9223372036854775808", "f|en| 3", "q7Yx1Lm0", "f|\x00|1",
		"sa|pick:|1", "sa|:12|1", "rt|all:-1|0", "f|\xff\xfe|1", strings.Repeat("f|", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		b, ok := parseButton(data)
		if !ok {
			if b != (button{}) {
				t.Fatalf("refused %q but returned %+v", data, b)
			}
			return
		}
		if b.action == "" || strings.Contains(b.action, "|") || strings.Contains(b.arg, "|") {
			t.Fatalf("accepted %q as %+v", data, b)
		}
		again, ok := parseButton(b.String())
		if !ok || again != b {
			t.Fatalf("%q → %+v → %q → %+v, %v", data, b, b.String(), again, ok)
		}
		if enc := ButtonData(b.action, b.arg, b.version); enc != b.String() {
			t.Fatalf("ButtonData = %q, String = %q", enc, b.String())
		}
	})
}
