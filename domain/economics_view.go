package domain

import (
	"strconv"
	"strings"
	"time"
)

// An estimate as people read it, the same in the chat's card and on the
// web page: per option a head line ("Sell on WB: +₽6,491.35") and how it
// is made up ("₽8,990.00 (buyer's price) − ₽2,202.55 WB commission 24.5%
// − …"), then where the numbers come from.

// NumberFormatter is a Formatter that also says its language, for the
// decimal sign of percentages, litres and kilograms.
type NumberFormatter interface {
	Formatter
	Lang() string
	Country(code string) string // a country's name by its ISO code
}

// EconomicsView is an estimate rendered for one reader.
type EconomicsView struct {
	Title   string
	Options []OptionView
	Sources string
}

// OptionView is one option rendered: Head is its line, How its make-up.
type OptionView struct {
	Decision Decision
	Head     string
	How      string
	Best     bool
	Complete bool
}

// ViewEconomics renders e for f's reader, dates in loc.
func ViewEconomics(f NumberFormatter, e Economics, loc *time.Location) EconomicsView {
	v := EconomicsView{Title: f.T("flow.economics.title"), Sources: sourcesLine(f, e, loc)}
	for _, o := range e.Options {
		v.Options = append(v.Options, OptionView{Decision: o.Decision, Head: optionHead(f, o, o.Decision == e.Best),
			How: optionHow(f, o), Best: o.Decision == e.Best, Complete: o.Complete})
	}
	return v
}

// Text is the view as lines of a chat message, in f's language.
func (v EconomicsView) Text(f NumberFormatter) string {
	lines := []string{v.Title}
	for _, o := range v.Options {
		lines = append(lines, f.T("label.bullet", map[string]any{"Text": o.Head}))
		if o.How != "" {
			lines = append(lines, "   "+o.How)
		}
	}
	return strings.Join(append(lines, v.Sources), "\n")
}

func optionHead(f NumberFormatter, o OptionEstimate, best bool) string {
	data := map[string]any{"Decision": f.Label("decision", string(o.Decision))}
	if !o.Complete {
		var missing []string
		for _, line := range o.Lines {
			if !line.Known {
				missing = append(missing, f.T(missingIDs[line.Kind]))
			}
		}
		data["Missing"] = strings.Join(missing, "; ")
		return f.T("flow.economics.option_unknown", data)
	}
	data["Net"] = SignedRUB(f, o.Net)
	if best {
		return f.T("flow.economics.option_best", data)
	}
	return f.T("flow.economics.option", data)
}

// optionHow is "price − commission − …" for selling, "handling +
// shipping" for the costs of the others.
func optionHow(f NumberFormatter, o OptionEstimate) string {
	var parts []string
	for _, line := range o.Lines {
		if line.Known {
			parts = append(parts, lineText(f, line))
		}
	}
	join := " + "
	if o.Decision == DecisionSellOnWB {
		join = " − "
	}
	return strings.Join(parts, join)
}

func lineText(f NumberFormatter, line Line) string {
	amount := line.Amount
	if amount < 0 {
		amount = -amount
	}
	data := map[string]any{"Amount": f.FormatRUB(amount)}
	switch line.Kind {
	case LinePrice:
		data["Source"] = f.Label("price_source", string(line.Source))
	case LineWBCommission:
		data["Percent"] = DecimalText(f, float64(line.BasisPoints)/100)
	case LineWBLogistics:
		data["Liters"] = DecimalText(f, line.Liters)
	case LineShipping:
		data["Country"], data["Weight"] = f.Country(line.Country), DecimalText(f, float64(line.Gram)/1000)
		if line.Country == ZoneAny {
			data["Country"] = f.T("flow.economics.your_country")
		}
	}
	return f.T(lineIDs[line.Kind], data)
}

// lineIDs and missingIDs name each line kind's text, known and not.
var lineIDs = map[LineKind]string{
	LinePrice:          "flow.economics.line.price",
	LineWBCommission:   "flow.economics.line.wb_commission",
	LineWBLogistics:    "flow.economics.line.wb_logistics",
	LineSellFee:        "flow.economics.line.sell_fee",
	LineReturnHandling: "flow.economics.line.return_handling",
	LineShipping:       "flow.economics.line.shipping",
	LineDisposeFee:     "flow.economics.line.dispose_fee",
}

var missingIDs = map[LineKind]string{
	LinePrice:          "flow.economics.missing.price",
	LineWBCommission:   "flow.economics.missing.wb_commission",
	LineWBLogistics:    "flow.economics.missing.wb_logistics",
	LineSellFee:        "flow.economics.missing.sell_fee",
	LineReturnHandling: "flow.economics.missing.return_handling",
	LineShipping:       "flow.economics.missing.shipping",
	LineDisposeFee:     "flow.economics.missing.dispose_fee",
}

func sourcesLine(f NumberFormatter, e Economics, loc *time.Location) string {
	data := map[string]any{"Price": f.Label("price_source", string(e.PriceSource)), "Indigo": f.FormatDate(e.TariffsAt.In(loc))}
	if !e.PriceSource.Known() {
		data["Price"] = f.T("flow.economics.no_price")
	}
	if e.RatesDate.IsZero() {
		return f.T("flow.economics.sources_no_wb", data)
	}
	data["WB"] = f.FormatDate(e.RatesDate.In(loc))
	return f.T("flow.economics.sources", data)
}

// SignedRUB writes an amount with its sign always shown: "+₽6,491.35",
// "−3 100,00 ₽".
func SignedRUB(f Formatter, kopecks int64) string {
	if kopecks < 0 {
		return "−" + f.FormatRUB(-kopecks)
	}
	return "+" + f.FormatRUB(kopecks)
}

// DecimalText writes a quantity with up to two decimals as the reader's
// language does ("24.5", "24,5").
func DecimalText(f NumberFormatter, v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if f.Lang() == "ru" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// TextFormatter is a NumberFormatter with plural forms; *locales.Localizer
// is one.
type TextFormatter interface {
	NumberFormatter
	Plural(id string, count int, data map[string]any) string
}

// PickupLeftText counts WB's seven days at the pickup point down in loc's
// calendar: days left, the last day, or over.
func PickupLeftText(f TextFormatter, now, end time.Time, loc *time.Location) string {
	data := map[string]any{"Date": f.FormatDate(end.In(loc)), "Time": end.In(loc).Format("15:04")}
	switch days := DaysLeft(now, end, loc); {
	case days < 0:
		return f.T("flow.pickup.clock_over", data)
	case days == 0:
		return f.T("flow.pickup.clock_last_day", data)
	default:
		return f.Plural("flow.pickup.clock_days", days, data)
	}
}

// SumNote says what a tab's sum leaves out or estimates, as a note after
// it (label.note: " (…)"); "" when every return in it has a buyer's price.
func SumNote(f TextFormatter, s Summary) string {
	if notes := SumNotes(f, s); notes != "" {
		return f.T("label.note", map[string]any{"Text": notes})
	}
	return ""
}

// SumNotes is SumNote's text alone, for a page that sets it apart itself.
func SumNotes(f TextFormatter, s Summary) string {
	var notes []string
	if n := s.Count - s.Priced; n > 0 {
		notes = append(notes, f.Plural("flow.returns.sum_unpriced", n, nil))
	}
	if s.Estimated > 0 {
		notes = append(notes, f.Plural("flow.returns.sum_estimated", s.Estimated, nil))
	}
	return strings.Join(notes, "; ")
}

// AutoDecisionText names a decision made for the seller: by which rule,
// or by their default at the deadline.
func AutoDecisionText(f Formatter, a *AutoDecision) string {
	data := map[string]any{"Decision": f.Label("decision", string(a.Decision)), "Rule": a.RuleName}
	if a.Kind == AutoByRule {
		return f.T("flow.decision.by_rule", data)
	}
	return f.T("flow.decision.by_default", data)
}
