package tgfake

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHTML(t *testing.T) {
	for _, tt := range []struct {
		name, in, text, err string
		ents                []MessageEntity
	}{
		{name: "Plain", in: "a < b? no: a &lt; b", err: "Unclosed start tag at byte offset 2"},
		{name: "Escapes", in: "a &lt;b&gt; &amp; &quot;c&quot; &copy;", text: `a <b> & "c" &copy;`},
		{name: "Nested", in: "<b>Ret <i>42</i></b>", text: "Ret 42",
			ents: []MessageEntity{{Type: "bold", Offset: 0, Length: 6}, {Type: "italic", Offset: 4, Length: 2}}},
		{name: "UTF16Offsets", in: "😀 <u>x</u>", text: "😀 x", ents: []MessageEntity{{Type: "underline", Offset: 3, Length: 1}}},
		{name: "Link", in: `<a href="https://t.me/x?a=1&amp;b=2">go</a>`, text: "go",
			ents: []MessageEntity{{Type: "text_link", Offset: 0, Length: 2, URL: "https://t.me/x?a=1&b=2"}}},
		{name: "PreWithLanguage", in: `<pre><code class="language-go">x := 1</code></pre>`, text: "x := 1",
			ents: []MessageEntity{{Type: "pre", Offset: 0, Length: 6, Language: "go"}}},
		{name: "Spoiler", in: `<span class="tg-spoiler">s</span>`, text: "s", ents: []MessageEntity{{Type: "spoiler", Length: 1}}},
		{name: "UnclosedTag", in: "<b>bold", err: `Can't find end tag corresponding to start tag "b"`},
		{name: "StrayEnd", in: "x</b>", err: "Unexpected end tag at byte offset 1"},
		{name: "NoClosingBracket", in: "1 <b", err: "Unclosed start tag at byte offset 2"},
		{name: "SpanWithoutClass", in: "<span>x</span>", err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, ents, err := parseHTML(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			if diff := cmp.Diff(tt.ents, ents); diff != "" {
				t.Errorf("entities (-want +got):\n%s", diff)
			}
		})
	}
}
