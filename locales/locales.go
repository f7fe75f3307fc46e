// Package locales owns every text a person reads, in English, Chinese and
// Russian: go-i18n message files (active.<lang>.toml) embedded in the binary,
// and the money and date formats that go with each language.
//
// It imports no package of Indigo's. Callers pass plain strings (a status is
// its value, an error is its MsgID), so domain, conversations, web and the
// chat adapters can all depend on it without depending on each other.
//
// Message ids are lower_snake segments joined by dots, owner first
// (error.token.expired, status.awaiting_seller_decision). Write every id as a
// literal at the call site; only Label builds one, so that grep and the
// completeness test in locales_test.go see every id in use.
package locales

import (
	"embed"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var files embed.FS

// defaultLang is the reference language: its file carries the descriptions
// for translators, and it is what an unknown language falls back to.
const defaultLang = "en"

// Languages lists the languages Indigo speaks, the default first.
func Languages() []string { return []string{"en", "zh", "ru"} }

func fileName(lang string) string { return "active." + lang + ".toml" }

var unmarshal = map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal}

// Bundle holds every message of every language. It is read-only after New
// and safe for concurrent use.
type Bundle struct {
	b    *i18n.Bundle
	locs map[string]*Localizer
	// channels are the Localizers of a channel whose messages differ
	// (ForChannel), by channel and language.
	channels map[string]map[string]*Localizer
}

// variantChannels are the channels with messages of their own: a message
// "wechat.<id>" replaces <id> there. WeChat has no buttons (a reply with a
// number), no deletion of the follower's messages and no contact key.
var variantChannels = []string{"wechat"}

// New loads the embedded message files. It fails only when a file is
// malformed, which the tests of this package catch first.
func New() (*Bundle, error) {
	b := i18n.NewBundle(language.English)
	for format, fn := range unmarshal {
		b.RegisterUnmarshalFunc(format, fn)
	}
	for _, lang := range Languages() {
		if _, err := b.LoadMessageFileFS(files, fileName(lang)); err != nil {
			return nil, fmt.Errorf("load %s: %w", fileName(lang), err)
		}
	}
	bd := &Bundle{b: b, locs: make(map[string]*Localizer), channels: make(map[string]map[string]*Localizer)}
	for _, lang := range Languages() {
		bd.locs[lang] = &Localizer{lang: lang, l: i18n.NewLocalizer(b, lang), f: formats[lang]}
	}
	for _, channel := range variantChannels {
		bd.channels[channel] = make(map[string]*Localizer)
		for _, lang := range Languages() {
			msgs, err := parseFile(lang)
			if err != nil {
				return nil, err
			}
			l := *bd.locs[lang]
			l.variant, l.has, l.menu = channel, make(map[string]bool), bd.menuItems(msgs)
			for _, m := range msgs {
				if id, ok := strings.CutPrefix(m.ID, channel+"."); ok {
					l.has[id] = true
				}
			}
			bd.channels[channel][lang] = &l
		}
	}
	return bd, nil
}

// MustNew is New for program start-up, where a broken embedded file is a
// build defect rather than a condition to handle.
func MustNew() *Bundle {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// For returns the Localizer for a language. It accepts tags such as "ru-RU"
// or "zh-hans" (Telegram's language_code) and gives English for anything
// Indigo does not speak, so a caller never has to check first.
func (b *Bundle) For(lang string) *Localizer {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	if l, ok := b.locs[base]; ok {
		return l
	}
	return b.locs[defaultLang]
}

// MenuName is a name of WeChat's account menu, which every follower sees
// alike: Chinese, then English where both fit in max bytes ("退货 Returns").
func (b *Bundle) MenuName(id string, max int) string {
	name := b.For("zh").T(id)
	if both := name + " " + b.For("en").T(id); len(both) <= max {
		return both
	}
	return name
}

// maxMenuItem is WeChat's limit on the name of an item under a group.
const maxMenuItem = 60

// menuItems are the commands WeChat's menu holds (msg.wechat.menu.<name>),
// by name, as the menu names them.
func (b *Bundle) menuItems(msgs []*i18n.Message) map[string]string {
	items := map[string]string{}
	for _, m := range msgs {
		if name, ok := strings.CutPrefix(m.ID, "msg.wechat.menu."); ok && !strings.HasSuffix(name, "_group") {
			items[name] = b.MenuName(m.ID, maxMenuItem)
		}
	}
	return items
}

// ForChannel is For for a reader on channel: where the channel has its own
// wording of a message ("wechat.<id>"), that is what they read.
func (b *Bundle) ForChannel(lang, channel string) *Localizer {
	l := b.For(lang)
	if byLang, ok := b.channels[channel]; ok {
		return byLang[l.lang]
	}
	return l
}

// IDs returns the sorted message ids of the English file, the reference the
// other languages are tested against. It is nil only if that file does not
// parse, which New reports as an error.
func IDs() []string {
	ids, _ := parsedIDs()
	return slices.Clone(ids)
}

var parsedIDs = sync.OnceValues(func() ([]string, error) {
	msgs, err := parseFile(defaultLang)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids, nil
})

func parseFile(lang string) ([]*i18n.Message, error) {
	buf, err := files.ReadFile(fileName(lang))
	if err != nil {
		return nil, err
	}
	mf, err := i18n.ParseMessageFileBytes(buf, fileName(lang), unmarshal)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", fileName(lang), err)
	}
	return mf.Messages, nil
}

// Localizer renders messages in one language. It is safe for concurrent use.
type Localizer struct {
	lang string
	l    *i18n.Localizer
	f    format
	// variant is the channel whose own messages replace those in has.
	variant string
	has     map[string]bool
	// menu names the menu items of the channel's commands: a command the
	// text says to send ("/returns") reads as the item that runs it.
	menu map[string]string
}

// commandMention is a command a text tells the reader to send, "/returns":
// at a line's start or after a space or an opening mark, so that the paths
// of links are left alone.
var commandMention = regexp.MustCompile(`(^|[\s(（“"«])/([a-z_]+)\b`)

// menuWords adds to each command a text mentions the menu item that runs
// it, WeChat's way to commands ("/help (or “What I can do” in the menu)");
// typed, the command works too, so one the menu lacks stays as it is.
func (l *Localizer) menuWords(text string) string {
	if len(l.menu) == 0 {
		return text
	}
	return commandMention.ReplaceAllStringFunc(text, func(m string) string {
		sub := commandMention.FindStringSubmatch(m)
		item, ok := l.menu[sub[2]]
		if !ok {
			return m
		}
		return sub[1] + l.localize(&i18n.LocalizeConfig{MessageID: "msg.wechat.menu_path",
			TemplateData: map[string]any{"Command": "/" + sub[2], "Item": item}})
	})
}

// id is the message to render for id: the channel's own, if it has one.
func (l *Localizer) id(id string) string {
	if l.has[id] {
		return l.variant + "." + id
	}
	return id
}

// Lang returns the language code this Localizer speaks: en, zh or ru.
func (l *Localizer) Lang() string { return l.lang }

// T renders message id with optional template data (several maps are
// merged, later keys winning). It never fails: a message missing in this
// language falls back to English, and an id missing everywhere comes back
// as the id itself, so the bug shows on screen instead of an empty reply.
//
// An integer "Count" key (or a whole float64, as JSON decodes one), if
// present, also selects the plural form. Slices of
// strings are joined with the language's list separator and times are
// shown with FormatDate, because text/template would print them as Go
// syntax.
func (l *Localizer) T(id string, data ...map[string]any) (s string) {
	d := l.prepare(data...)
	lc := &i18n.LocalizeConfig{MessageID: l.id(id)}
	defer func() { s = l.menuWords(s) }()
	if d != nil {
		lc.TemplateData = d
		// go-i18n rejects a non-numeric count outright; such a Count is
		// plain data, not a reason to lose the whole message.
		switch n := d["Count"].(type) {
		case int, int32, int64, uint, uint32, uint64:
			lc.PluralCount = n
		case float64:
			// Data read back from JSON (a queued push): a whole number
			// still selects the form, or a stored "1" would read "1 days".
			if n == math.Trunc(n) {
				lc.PluralCount = int64(n)
			}
		}
	}
	return l.localize(lc)
}

// Plural renders message id in the plural form for count. count is also
// available to the template as {{.Count}}; pass any other names the message
// uses (such as Days) in data.
func (l *Localizer) Plural(id string, count int, data map[string]any) string {
	d := l.prepare(data)
	if d == nil {
		d = make(map[string]any, 1)
	}
	if _, ok := d["Count"]; !ok {
		d["Count"] = count
	}
	return l.menuWords(l.localize(&i18n.LocalizeConfig{MessageID: l.id(id), TemplateData: d, PluralCount: count}))
}

// Label names one value of an enumeration, looking up id kind+"."+value:
// Label("status", "awaiting_seller_decision"). This is the one place an id
// is built from parts, so that adding an enum value needs no code here. An
// empty value (a decision not made yet) has no label and gives "".
func (l *Localizer) Label(kind, value string) string {
	if value == "" {
		return ""
	}
	return l.T(kind + "." + value)
}

func (l *Localizer) localize(lc *i18n.LocalizeConfig) (s string) {
	// A template that panics on odd data must not take a chat turn or a
	// page down with it; showing the id is enough to find the bug.
	defer func() {
		if recover() != nil {
			s = lc.MessageID
		}
	}()
	// go-i18n returns the English text together with an error when this
	// language lacks the message, and the "other" form when a plural form
	// is missing: both are better shown than hidden, so only an empty
	// result counts as failure.
	s, _ = l.l.Localize(lc)
	if s == "" {
		return lc.MessageID
	}
	return s
}

func (l *Localizer) prepare(data ...map[string]any) map[string]any {
	var out map[string]any
	for _, d := range data {
		if len(d) == 0 {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(d))
		}
		maps.Copy(out, d)
	}
	for k, v := range out {
		switch v := v.(type) {
		case []string:
			out[k] = strings.Join(v, l.f.listSep)
		case time.Time:
			out[k] = l.FormatDate(v)
		}
	}
	return out
}
