package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// perPage is the manual's "Items per page 100".
const perPage = 100

// maxCounted bounds what a table counts and pages through: 100 pages. A
// seller with more narrows by the filters (the export still has all).
// A search counts less far: its matches are checked row by row, and a
// search that matches thousands asks for more words, not more pages.
const (
	maxCounted  = 10_000
	maxSearched = 1_000
)

// countCap is how far the filter's table counts.
func (f filter) countCap() int {
	if f.Search != "" {
		return maxSearched
	}
	return maxCounted
}

// filter is a table's view as the URL states it, so that every view can be
// bookmarked: ?store=&q=&from=&to=&status=&defect=&page=. The tab is the
// path on pages and a "tab" parameter on exports.
type filter struct {
	Tab    domain.Tab // "" for the main page's table of all returns
	Store  int64
	Search string
	From   string // YYYY-MM-DD, in the seller's time zone
	To     string // inclusive
	Status domain.Status
	Defect string // "", "yes" or "no"
	Page   int    // from 1

	from, until *time.Time
}

// parseFilter reads a filter from a query. A value the form could not
// have sent is an invalid request rather than a silently wider table.
func parseFilter(q url.Values, tab domain.Tab, loc *time.Location) (filter, error) {
	f := filter{Tab: tab, Search: strings.TrimSpace(q.Get("q")), Page: 1}
	if v := q.Get("store"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, domain.Errorf(domain.CodeNotFound, "error.store.not_found", nil)
		}
		f.Store = id
	}
	var err error
	if f.From, f.from, err = parseDay(q.Get("from"), loc, 0); err != nil {
		return f, err
	}
	if f.To, f.until, err = parseDay(q.Get("to"), loc, 1); err != nil {
		return f, err
	}
	if v := q.Get("status"); v != "" {
		st, err := domain.ParseStatus(v)
		if err != nil {
			return f, err
		}
		if tab != "" && domain.TabOf(st) != tab {
			return f, domain.Errorf(domain.CodeInvalid, "error.return.unknown_status", map[string]any{"Status": v})
		}
		f.Status = st
	}
	switch v := q.Get("defect"); v {
	case "", "yes", "no":
		f.Defect = v
	default:
		return f, domain.Errorf(domain.CodeInvalid, "error.web.bad_filter", nil)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > f.countCap()/perPage {
			return f, domain.Errorf(domain.CodeInvalid, "error.web.bad_filter", nil)
		}
		f.Page = n
	}
	return f, nil
}

// parseDay reads an HTML date input's value as the start of that day in
// loc, plus addDays (1 turns an inclusive "to" into an exclusive bound).
func parseDay(v string, loc *time.Location, addDays int) (string, *time.Time, error) {
	if v == "" {
		return "", nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		return "", nil, domain.Errorf(domain.CodeInvalid, "error.web.bad_date", nil)
	}
	d = d.AddDate(0, 0, addDays)
	return v, &d, nil
}

// returnFilter is the storage query for the filter, without paging.
func (f filter) returnFilter() domain.ReturnFilter {
	var rf domain.ReturnFilter
	if f.Tab != "" {
		tab := f.Tab
		rf.Tab = &tab
	}
	if f.Store != 0 {
		id := f.Store
		rf.StoreID = &id
	}
	if f.Search != "" {
		q := f.Search
		rf.Search = &q
	}
	rf.RequestFrom, rf.RequestUntil = f.from, f.until
	if f.Status != "" {
		st := f.Status
		rf.Status = &st
	}
	if f.Defect != "" {
		d := f.Defect == "yes"
		rf.Defective = &d
	}
	return rf
}

// values is the filter as a query, without the page and the tab; keys
// with empty values are left out so URLs stay short.
func (f filter) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	if f.Store != 0 {
		v.Set("store", strconv.FormatInt(f.Store, 10))
	}
	set("q", f.Search)
	set("from", f.From)
	set("to", f.To)
	set("status", string(f.Status))
	set("defect", f.Defect)
	return v
}

// path is the page the filter's table lives on.
func (f filter) path() string {
	if f.Tab == "" {
		return "/web/"
	}
	return "/web/tab/" + string(f.Tab)
}

// url is the address of one page of the filter's table.
func (f filter) url(page int) string {
	v := f.values()
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return withQuery(f.path(), v)
}

// exportURL is the address of the filter's table as a file of the given
// extension (csv or xlsx): every page of it, not just this one.
func (f filter) exportURL(ext string) string {
	v := f.values()
	if f.Tab != "" {
		v.Set("tab", string(f.Tab))
	}
	return withQuery("/web/export."+ext, v)
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// pageLinks numbers the pages around the current one, with the first and
// the last always shown; a gap is a link with no Href.
func pageLinks(f filter, total int) []link {
	last := max(1, (total+perPage-1)/perPage)
	if last == 1 {
		return nil
	}
	var out []link
	prev, at := 0, min(f.Page, last)
	for p := 1; p <= last; p++ {
		if p != 1 && p != last && (p < at-2 || p > at+2) {
			continue
		}
		if prev != 0 && p != prev+1 {
			out = append(out, link{Label: "…"})
		}
		out = append(out, link{Href: f.url(p), Label: strconv.Itoa(p), Current: p == f.Page})
		prev = p
	}
	return out
}
