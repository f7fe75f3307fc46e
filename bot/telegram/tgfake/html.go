package tgfake

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// formatText reads a text or caption with its parse_mode or entities and
// returns what Telegram stores: plain text plus entities. HTML is parsed and
// checked as Telegram does, because a bad tag in user-supplied text is a
// classic bug. Markdown modes are accepted but not parsed.
func formatText(p *params, textKey, entitiesKey string) (string, []MessageEntity, *apiError) {
	text := p.str(textKey)
	var ents []MessageEntity
	if ok, err := p.json(entitiesKey, &ents); err != nil {
		return "", nil, badRequest("can't parse entities JSON object")
	} else if ok {
		return text, ents, nil
	}
	switch strings.ToLower(p.str("parse_mode")) {
	case "":
		return text, nil, nil
	case "markdown", "markdownv2":
		return text, nil, nil
	case "html":
		plain, ents, err := parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
		return plain, ents, nil
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// entityTypes maps the tags Telegram's HTML mode supports to entity types.
var entityTypes = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic",
	"u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
	"del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "code": "code",
	"pre": "pre", "a": "text_link", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}

type openTag struct {
	name   string
	ent    MessageEntity
	offset int
}

func parseHTML(src string) (string, []MessageEntity, error) {
	var out strings.Builder
	var stack []openTag
	var ents []MessageEntity
	pos := 0 // in UTF-16 units of out
	for i := 0; i < len(src); {
		switch src[i] {
		case '<':
			end := strings.IndexByte(src[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := src[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				closed, ent, err := closeTag(&stack, strings.TrimSpace(tag[1:]), i, pos)
				if err != nil {
					return "", nil, err
				}
				if closed && ent.Length > 0 {
					ents = append(ents, ent)
				}
			} else {
				t, err := startTag(tag, i)
				if err != nil {
					return "", nil, err
				}
				t.offset = pos
				stack = append(stack, t)
			}
			i += end + 1
		case '&':
			text, n := decodeEntity(src[i:])
			out.WriteString(text)
			pos += utf16Len(text)
			i += n
		default:
			r, n := utf8.DecodeRuneInString(src[i:])
			out.WriteRune(r)
			pos += utf16.RuneLen(r)
			i += n
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	sort.SliceStable(ents, func(a, b int) bool { return ents[a].Offset < ents[b].Offset })
	return out.String(), ents, nil
}

func startTag(tag string, at int) (openTag, error) {
	tag = strings.TrimSpace(tag)
	name, attrs := tag, ""
	if i := strings.IndexFunc(tag, unicode.IsSpace); i >= 0 {
		name, attrs = tag[:i], tag[i:]
	}
	name = strings.ToLower(name)
	typ, ok := entityTypes[name]
	if !ok {
		return openTag{}, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, at)
	}
	t := openTag{name: name, ent: MessageEntity{Type: typ}}
	a := parseAttrs(attrs)
	switch name {
	case "a":
		if a["href"] == "" {
			return openTag{}, fmt.Errorf("Empty href in the tag \"a\" at byte offset %d", at)
		}
		t.ent.URL = a["href"]
	case "span":
		if a["class"] != "tg-spoiler" {
			return openTag{}, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", at)
		}
	case "code":
		t.ent.Language = strings.TrimPrefix(a["class"], "language-")
	case "blockquote":
		if _, ok := a["expandable"]; ok {
			t.ent.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		t.ent.CustomEmojiID = a["emoji-id"]
	}
	return t, nil
}

func closeTag(stack *[]openTag, name string, at, pos int) (bool, MessageEntity, error) {
	st := *stack
	if len(st) == 0 {
		return false, MessageEntity{}, fmt.Errorf("Unexpected end tag at byte offset %d", at)
	}
	top := st[len(st)-1]
	if name != "" && !strings.EqualFold(name, top.name) {
		return false, MessageEntity{}, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", at, top.name, name)
	}
	*stack = st[:len(st)-1]
	ent := top.ent
	ent.Offset, ent.Length = top.offset, pos-top.offset
	if top.name == "code" && ent.Language != "" && len(*stack) > 0 && (*stack)[len(*stack)-1].name == "pre" {
		// <pre><code class="language-go"> is one pre entity with a language.
		(*stack)[len(*stack)-1].ent.Language = ent.Language
		return false, MessageEntity{}, nil
	}
	if ent.Type == "code" {
		ent.Language = ""
	}
	return true, ent, nil
}

// parseAttrs reads name="value", name='value', name=value and bare names.
func parseAttrs(s string) map[string]string {
	attrs := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		n := strings.IndexFunc(s, func(r rune) bool { return r == '=' || unicode.IsSpace(r) })
		if n < 0 {
			attrs[strings.ToLower(s)] = ""
			return attrs
		}
		name := strings.ToLower(s[:n])
		if s[n] != '=' {
			attrs[name], s = "", s[n:]
			continue
		}
		s = s[n+1:]
		var val string
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				end = len(s) - 1
			}
			val, s = s[1:end+1], s[min(end+2, len(s)):]
		} else {
			end := strings.IndexFunc(s, unicode.IsSpace)
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		attrs[name] = html.UnescapeString(val)
	}
	return attrs
}

// decodeEntity decodes the named and numeric character references Telegram
// documents (&lt; &gt; &amp; &quot; and &#NNN;); anything else stays literal.
func decodeEntity(s string) (string, int) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 10 {
		return "&", 1
	}
	ref := s[:end+1]
	switch {
	case ref == "&lt;", ref == "&gt;", ref == "&amp;", ref == "&quot;", strings.HasPrefix(ref, "&#"):
		if text := html.UnescapeString(ref); text != ref {
			return text, len(ref)
		}
	}
	return "&", 1
}
