package conversations

import (
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_tariff.go: two staff commands of issue 18. /tariff shows and sets
// Indigo's tariff, the one table the cards' economics (and the accounts)
// read, each line from a date; /expiring lists the returns whose seven
// days at a WB pickup point run out within two days.

// moscow is the warehouse's clock, which staff read dates in.
var moscow = time.FixedZone("MSK", 3*3600)

// expiringWithin is how far ahead /expiring looks.
const expiringWithin = 48 * time.Hour

// tariffCommand: "/tariff" lists the lines in force; "/tariff <kind>
// [<zone> <max grams>] <value> [from YYYY-MM-DD]" sets one.
func (t *Turn) tariffCommand(arg string) error {
	ts := t.staff.desk.Services.Tariffs
	if ts == nil {
		t.staffSay("staff.tariff.off", nil)
		return nil
	}
	if strings.TrimSpace(arg) == "" {
		return t.listTariff()
	}
	line, err := parseTariffLine(arg, t.staff.desk.now())
	if err != nil {
		return err
	}
	if err := ts.SetTariff(t.ctx, line); err != nil {
		return err
	}
	t.staffSay("staff.tariff.set", map[string]any{"Line": tariffLineText(t, *line)})
	return nil
}

func (t *Turn) listTariff() error {
	book, err := t.staff.desk.Services.Tariffs.TariffBook(t.ctx, t.staff.desk.now())
	if err != nil {
		return errInternal(err)
	}
	lines := []string{t.l.T("staff.tariff.title")}
	for _, line := range book.Lines {
		lines = append(lines, t.l.Bullet(tariffLineText(t, line)))
	}
	if len(book.Lines) == 0 {
		lines = append(lines, t.l.T("staff.tariff.empty"))
	}
	lines = append(lines, "", t.l.T("staff.tariff.usage"))
	t.post(StaffMessage{Text: strings.Join(lines, "\n")})
	return nil
}

func tariffLineText(t *Turn, line domain.Tariff) string {
	value := t.l.FormatRUB(line.Value)
	switch {
	case line.Kind.IsDays():
		value = t.l.Plural("staff.tariff.days", int(line.Value), nil)
	case line.Kind == domain.TariffResalePercent:
		value = domain.PriceText(t.l, line, nil)
	}
	data := map[string]any{"Kind": t.l.Label("tariff_kind", string(line.Kind)), "Value": value,
		"From": t.l.FormatDate(line.EffectiveFrom.In(moscow)), "Who": line.SetBy.Name}
	if line.Kind == domain.TariffShipping {
		data["Zone"], data["Grams"] = line.Zone, line.MaxWeightGram
		return t.l.T("staff.tariff.shipping_line", data)
	}
	return t.l.T("staff.tariff.line", data)
}

// parseTariffLine reads "sell_fee 150", "shipping CN 1000 900,50",
// "decision_days 14 from 2026-12-15". Amounts are roubles.
func parseTariffLine(arg string, now time.Time) (*domain.Tariff, error) {
	usage := domain.Errorf(domain.CodeInvalid, "error.tariff.usage", nil)
	f := strings.Fields(arg)
	line := &domain.Tariff{EffectiveFrom: now}
	if n := len(f); n >= 3 && strings.EqualFold(f[n-2], "from") {
		d, err := time.ParseInLocation(time.DateOnly, f[n-1], moscow)
		if err != nil {
			return nil, usage
		}
		line.EffectiveFrom, f = d, f[:n-2]
	}
	if len(f) < 2 {
		return nil, usage
	}
	kind, err := domain.ParseTariffKind(strings.ToLower(f[0]))
	if err != nil {
		return nil, err
	}
	line.Kind = kind
	if kind == domain.TariffShipping {
		if len(f) != 4 {
			return nil, domain.Errorf(domain.CodeInvalid, "error.tariff.shipping_usage", nil)
		}
		grams, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "error.tariff.shipping_usage", nil)
		}
		line.Zone, line.MaxWeightGram, f = f[1], grams, []string{f[0], f[3]}
	}
	if len(f) != 2 {
		return nil, usage
	}
	// A percentage has two decimals as roubles do: "2,5" is 250 basis points.
	if kind.IsMoney() || kind == domain.TariffResalePercent {
		kop, ok := domain.ParseRoubles(f[1])
		if !ok {
			return nil, usage
		}
		line.Value = kop
	} else if line.Value, err = strconv.ParseInt(f[1], 10, 64); err != nil {
		return nil, usage
	}
	return line, line.Check()
}

// expiringCommand lists the returns WB stops keeping within two days,
// soonest first, each with a button to its card.
func (t *Turn) expiringCommand(string) error {
	pc := t.staff.desk.Services.PickupClock
	if pc == nil {
		t.staffSay("staff.tariff.off", nil)
		return nil
	}
	now := t.staff.desk.now()
	list, err := pc.FindExpiringPickups(t.ctx, now.Add(expiringWithin), 30)
	if err != nil {
		return errInternal(err)
	}
	if len(list) == 0 {
		t.staffSay("staff.expiring.none", nil)
		return nil
	}
	lines := []string{t.l.Plural("staff.expiring.title", len(list), nil)}
	var rows [][]Button
	for _, r := range list {
		end, _ := domain.PickupDeadline(r)
		code := t.l.T("staff.expiring.no_code")
		if r.PickupCode != "" {
			code = t.l.T("staff.expiring.code_sent")
		}
		lines = append(lines, t.l.Bullet(t.l.Join(r.ReturnNumber+" "+returnLink(r),
			pickupLeft(t.l, now, end, moscow), r.PickupPointAddress, code)))
		rows = append(rows, []Button{returnButton(t.l, r)})
	}
	t.post(StaffMessage{Text: strings.Join(lines, "\n"), Buttons: rows})
	return nil
}
