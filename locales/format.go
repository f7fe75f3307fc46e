package locales

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// nbsp keeps "1 234" and "₽" on one line: a chat client wraps at ordinary
// spaces, and a price split across lines misreads as two numbers.
const nbsp = "\u00a0"

// format is how one language writes numbers, money and dates. Amounts are
// integers in minor units (kopecks, fen) throughout Indigo, so formatting
// never goes through float64 and never rounds.
type format struct {
	group, decimal string
	symbolAfter    bool // "1 234,50 ₽" rather than "₽1,234.50"
	listSep        string
	date           func(time.Time) string
}

var formats = map[string]format{
	"en": {group: ",", decimal: ".", listSep: ", ",
		date: func(t time.Time) string { return t.Format("2 Jan 2006") }},
	"zh": {group: ",", decimal: ".", listSep: "、",
		date: func(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day()) }},
	"ru": {group: nbsp, decimal: ",", symbolAfter: true, listSep: ", ",
		date: func(t time.Time) string { return t.Format("02.01.2006") }},
}

// FormatRUB writes an amount in kopecks as roubles the way this language
// does: "1 234,50 ₽" in Russian, "₽1,234.50" in English and Chinese; a
// whole amount has no decimals, as the manual writes it: "1 100 ₽".
func (l *Localizer) FormatRUB(kopecks int64) string { return l.f.money(kopecks, "₽") }

// FormatCNY writes an amount in fen as yuan the way this language does:
// "¥1,234.50" in English and Chinese, "1 234,50 ¥" in Russian.
func (l *Localizer) FormatCNY(fen int64) string { return l.f.money(fen, "¥") }

// Country names a country by its ISO 3166 code in this language (CLDR's
// names, from x/text): "China", 「中国」, «Китай»; an unknown code as it is.
func (l *Localizer) Country(code string) string {
	region, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := display.Regions(language.Make(l.lang)).Name(region); name != "" {
		return name
	}
	return code
}

// FormatDate writes a calendar date the way this language does: "2 Jan 2006",
// "2006年1月2日", "02.01.2006". The date is t's own, so convert t to the
// reader's time zone first.
func (l *Localizer) FormatDate(t time.Time) string { return l.f.date(t) }

// FormatMoney writes a price in both currencies, in one order everywhere
// (the manual's: yuan, then roubles), as label.money_pair joins them.
func (l *Localizer) FormatMoney(kopecks, fen int64) string {
	return l.T("label.money_pair", map[string]any{"CNY": l.FormatCNY(fen), "RUB": l.FormatRUB(kopecks)})
}

func (f format) money(minor int64, symbol string) string {
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", -u // unsigned negation also covers math.MinInt64
	}
	num := f.groupDigits(u / 100)
	if u%100 != 0 {
		num += f.decimal + fmt.Sprintf("%02d", u%100)
	}
	if f.symbolAfter {
		return sign + num + nbsp + symbol
	}
	return sign + symbol + num
}

func (f format) groupDigits(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(f.group)
		}
		b.WriteRune(r)
	}
	return b.String()
}
