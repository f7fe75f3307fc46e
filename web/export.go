package web

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/indigo-warehouse/indigo/domain"
)

// exportBatch is how many returns an export reads at a time, so a large
// table streams instead of sitting in memory.
const exportBatch = 1000

// handleExportCSV writes the filtered table, every page of it, as CSV:
// UTF-8 with a byte order mark so that Excel reads Chinese and Cyrillic.
func (s *Server) handleExportCSV(rq *request) error {
	return s.export(rq, "csv", func(header []string, rows func(func([]string, *domain.Return) error) error) error {
		rq.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if _, err := rq.w.Write([]byte("\uFEFF")); err != nil {
			return err
		}
		cw := csv.NewWriter(rq.w)
		if err := cw.Write(header); err != nil {
			return err
		}
		err := rows(func(rec []string, _ *domain.Return) error {
			for i, v := range rec {
				rec[i] = defuseFormula(v)
			}
			return cw.Write(rec)
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
}

// handleExportXLSX writes the filtered table as an Excel workbook, with
// real dates and amounts so the spreadsheet can sort and sum them, the
// header frozen and bold, and each column as wide as its first rows need.
func (s *Server) handleExportXLSX(rq *request) error {
	return s.export(rq, "xlsx", func(header []string, rows func(func([]string, *domain.Return) error) error) error {
		f := excelize.NewFile()
		defer f.Close()
		sheet := rq.l.T("web.export.sheet")
		if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		st, err := newSheetStyles(f)
		if err != nil {
			return err
		}
		x := &xlsxSheet{sw: sw, st: st, loc: rq.loc, header: header}
		if err := rows(x.add); err != nil {
			return err
		}
		if err := x.flush(); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		rq.w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		_, err = f.WriteTo(rq.w)
		return err
	})
}

// fitRows is how many rows the column widths are fitted to: the sheet
// streams, and widths must be set before its first row.
const fitRows = 200

type sheetStyles struct{ header, date, money int }

func newSheetStyles(f *excelize.File) (st sheetStyles, err error) {
	if st.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E7FB"}}}); err != nil {
		return st, err
	}
	if st.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil { // the reader's short date
		return st, err
	}
	st.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	return st, err
}

// xlsxSheet writes rows as they come, holding the first fitRows back until
// the widths are fitted to them.
type xlsxSheet struct {
	sw     *excelize.StreamWriter
	st     sheetStyles
	loc    *time.Location
	header []string
	held   [][]any
	widths []float64
	n      int // rows written, the header included
}

func (x *xlsxSheet) add(rec []string, r *domain.Return) error {
	cells := x.cells(rec, r)
	if x.n > 0 {
		return x.write(cells)
	}
	x.fit(rec)
	x.held = append(x.held, cells)
	if len(x.held) < fitRows {
		return nil
	}
	return x.flush()
}

// fit widens columns to a row's text (in characters, CJK counted double).
func (x *xlsxSheet) fit(rec []string) {
	if x.widths == nil {
		x.widths = make([]float64, len(x.header))
		x.fit(x.header)
	}
	for i, v := range rec {
		w := 0.0
		for _, r := range v {
			w++
			if r >= 0x2E80 {
				w++
			}
		}
		x.widths[i] = max(x.widths[i], min(w+2, 60))
	}
}

// flush sets the widths and the frozen header, then writes what is held.
func (x *xlsxSheet) flush() error {
	if x.n > 0 {
		return nil
	}
	if x.widths == nil {
		x.fit(x.header)
	}
	for i, w := range x.widths {
		if err := x.sw.SetColWidth(i+1, i+1, max(w, 8)); err != nil {
			return err
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(x.header))
	for i, h := range x.header {
		head[i] = excelize.Cell{StyleID: x.st.header, Value: h}
	}
	if err := x.write(head); err != nil {
		return err
	}
	for _, cells := range x.held {
		if err := x.write(cells); err != nil {
			return err
		}
	}
	x.held = nil
	return nil
}

func (x *xlsxSheet) write(cells []any) error {
	x.n++
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, cells)
}

// cells is a row with dates as dates and amounts as numbers.
func (x *xlsxSheet) cells(rec []string, r *domain.Return) []any {
	cells := anyRow(rec)
	for i, c := range exportColumns {
		switch c {
		case domain.ColRequestDate:
			cells[i] = excelize.Cell{StyleID: x.st.date, Value: civilDate(r.RequestDate.In(x.loc))}
		case domain.ColReceivedAt:
			if r.ReceivedAt != nil {
				cells[i] = excelize.Cell{StyleID: x.st.date, Value: civilDate(r.ReceivedAt.In(x.loc))}
			}
		case colPriceRUB:
			if r.PriceSource.Known() {
				cells[i] = excelize.Cell{StyleID: x.st.money, Value: float64(r.PriceRUB) / 100}
			}
		case colPriceCNY:
			if r.PriceSource.Known() {
				cells[i] = excelize.Cell{StyleID: x.st.money, Value: float64(r.PriceCNY) / 100}
			}
		}
	}
	return cells
}

// export runs the filter of the request's query (its "tab" parameter
// picks the tab) and hands each return to write as a row of text.
func (s *Server) export(rq *request, ext string,
	write func(header []string, rows func(func([]string, *domain.Return) error) error) error) error {
	q := rq.r.URL.Query()
	var tab domain.Tab
	if v := q.Get("tab"); v != "" {
		t, err := domain.ParseTab(v)
		if err != nil {
			return err
		}
		tab = t
	}
	f, err := parseFilter(q, tab, rq.loc)
	if err != nil {
		return err
	}
	stores, err := s.sellerStores(rq, f.Store)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(stores))
	for _, st := range stores {
		names[st.ID] = st.Name
	}
	l := rq.l
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = columnTitle(l, c)
	}
	dates := isoDates{zoned{l, rq.loc}}
	day := time.Now().In(rq.loc).Format("2006-01-02")
	name := l.T("web.export.file", map[string]any{"Tab": l.Label("tab", string(tab)), "Date": day}) + "." + ext
	ascii := "returns-" + strings.ReplaceAll(string(cmp.Or(tab, "all")), "_", "-") + "-" + day + "." + ext
	rq.w.Header().Set("Content-Disposition", attachment(name, ascii))
	rq.w.Header().Set("Cache-Control", "no-store")
	rows := func(each func([]string, *domain.Return) error) error {
		rf := f.returnFilter()
		rf.Limit = exportBatch
		for {
			list, _, err := s.Returns.FindReturns(rq.ctx, rf)
			if err != nil {
				return fmt.Errorf("export page at %d: %w", rf.Offset, err)
			}
			for _, r := range list {
				rec := make([]string, len(exportColumns))
				for i, c := range exportColumns {
					rec[i] = text(dates, c, r, names)
				}
				if err := each(rec, r); err != nil {
					return err
				}
			}
			if len(list) < exportBatch {
				return nil
			}
			rf.Offset += exportBatch
		}
	}
	tw := &trackingWriter{ResponseWriter: rq.w}
	rq.w = tw
	if err := write(header, rows); err != nil {
		if !tw.wrote {
			return err
		}
		// Half a file is already on its way; the error page cannot follow.
		s.Log.Error("web export", "format", ext, "err", err)
	}
	return nil
}

// trackingWriter notes whether a response has started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// defuseFormula keeps a spreadsheet from running a cell as a formula: a
// product name from WB that starts with "=" stays text.
func defuseFormula(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) && v != "-" {
		return "'" + v
	}
	return v
}

func anyRow(rec []string) []any {
	out := make([]any, len(rec))
	for i, v := range rec {
		out[i] = v
	}
	return out
}

// civilDate is the calendar date of t as a time excelize writes without
// shifting it by a time zone.
func civilDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// attachment names a download in the reader's words (RFC 6266's
// filename*, which every current browser reads), with an ASCII name for
// a client that reads only filename.
func attachment(name, ascii string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c) // RFC 5987's attr-char
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
