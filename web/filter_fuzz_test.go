package web

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// FuzzParseFilter: any query a browser can send is a filter or an error
// with a message id, never a panic; a filter holds only what the form can
// send, and its own URL reads back as the same filter. `go test` runs the
// seeds; CI fuzzes it.
func FuzzParseFilter(f *testing.F) {
	for _, seed := range []struct {
		query string
		tab   uint8
	}{
		{"", 0},
		{"store=12&q=DJ-2417&from=2026-01-01&to=2026-01-31&status=awaiting_decision&defect=yes&page=3", 3},
		{"q=%E7%BE%BD%E7%BB%92%E6%9C%8D&defect=no", 1},
		{"q=++%D0%BA%D1%83%D1%80%D1%82%D0%BA%D0%B0++&page=1000000", 2},
		{"store=-1", 0},
		{"store=9223372036854775808", 0},
		{"from=2026-02-30&to=2026-13-01", 0},
		{"from=2026-03-29&to=2026-03-29", 4}, // a day that may be 23 hours long
		{"status=shipped&status=disposed", 4},
		{"status=no_such_status", 1},
		{"page=0", 0},
		{"page=1e3", 0},
		{"defect=maybe", 0},
		{"q=%00%FF%FE&store=1&store=2", 0},
		{"%zz=1&q=a;b", 0},
	} {
		f.Add(seed.query, seed.tab)
	}
	tabs := append([]domain.Tab{""}, domain.AllTabs()...)
	zones := []*time.Location{time.UTC, mustZone(f, "Asia/Shanghai"), mustZone(f, "Europe/Moscow"), mustZone(f, "America/Sao_Paulo")}
	f.Fuzz(func(t *testing.T, rawQuery string, pick uint8) {
		q, _ := url.ParseQuery(rawQuery) // what the server hands a handler, errors and all
		tab, loc := tabs[int(pick)%len(tabs)], zones[int(pick/8)%len(zones)]
		flt, err := parseFilter(q, tab, loc)
		if err != nil {
			if domain.ErrorMsgID(err) == "" || domain.ErrorCode(err) == domain.CodeInternal {
				t.Fatalf("%q: an error without a message for the seller: %v", rawQuery, err)
			}
			return
		}
		switch {
		case flt.Page < 1 || flt.Page > 1_000_000:
			t.Fatalf("%q: page %d", rawQuery, flt.Page)
		case flt.Defect != "" && flt.Defect != "yes" && flt.Defect != "no":
			t.Fatalf("%q: defect %q", rawQuery, flt.Defect)
		case flt.Store < 0:
			t.Fatalf("%q: store %d", rawQuery, flt.Store)
		case flt.Status != "" && tab != "" && domain.TabOf(flt.Status) != tab:
			t.Fatalf("%q: status %s outside tab %s", rawQuery, flt.Status, tab)
		case flt.from != nil && flt.until != nil && flt.From == flt.To && !flt.until.After(*flt.from):
			t.Fatalf("%q: the day %s is empty", rawQuery, flt.From)
		}
		_ = flt.returnFilter()
		_ = pageLinks(flt, int(pick)*1000)

		// The filter's own link leads back to it.
		link, err := url.Parse(flt.url(flt.Page))
		if err != nil {
			t.Fatalf("%q: link %q: %v", rawQuery, flt.url(flt.Page), err)
		}
		again, err := parseFilter(link.Query(), tab, loc)
		if err != nil {
			t.Fatalf("%q: its own link %q refused: %v", rawQuery, link, err)
		}
		if !reflect.DeepEqual(again, flt) {
			t.Fatalf("%q: its own link %q reads as %+v, not %+v", rawQuery, link, again, flt)
		}
	})
}

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}
