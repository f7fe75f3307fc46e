package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestExport downloads the filtered tables and reads the files back.
func TestExport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pgtest.Return(t, f.e.DB, f.store1.ID, func(r *domain.Return) {
		r.ReturnNumber, r.ProductName, r.RequestDate = "F-1", "=HYPERLINK(\"x\")", day(7)
	})
	b := f.e.login(t, f.seller)
	header := []string{"Return Request Date", "Store", "Product", "SKU", "WB Article", "Barcode", "Product Category",
		"Return Number", "Defective Item?", "Status", "Tracking Number", "Needs Verification", "Photo/Video Required?",
		"Receipt Date by IndigoWarehouse", "Defect After Check", "Decision on Product", "Price, ₽", "Price, ¥", "Price source"}
	for _, tt := range []struct {
		name  string
		query string
		want  []string // return numbers, in order
	}{
		{"All", "", []string{"F-1", "C-2", "C-1", "D-1", "P-1", "T-2", "T-1"}},
		{"Tab", "tab=completed", []string{"C-2", "C-1"}},
		{"Filtered", fmt.Sprintf("tab=in_transit&store=%d&defect=yes", f.store1.ID), []string{"T-2"}},
		{"Search", "q=red", []string{"C-2", "T-1"}},
		{"Dates", "from=2026-03-02&to=2026-03-03", []string{"P-1", "T-2"}},
		{"Empty", "q=nothing", nil},
	} {
		t.Run(tt.name+"/CSV", func(t *testing.T) {
			resp := b.page("/web/export.csv?" + tt.query)
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="returns-`) || !strings.Contains(cd, "filename*=UTF-8''Returns") {
				t.Errorf("Content-Disposition = %q", cd)
			}
			body, ok := strings.CutPrefix(resp.Body, "\uFEFF")
			if !ok {
				t.Errorf("no byte order mark")
			}
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, recs, header, tt.want)
		})
		t.Run(tt.name+"/XLSX", func(t *testing.T) {
			resp := b.page("/web/export.xlsx?" + tt.query)
			x, err := excelize.OpenReader(bytes.NewReader([]byte(resp.Body)))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			recs, err := x.GetRows(x.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, recs, header, tt.want)
		})
	}
	t.Run("Values", func(t *testing.T) {
		body := strings.TrimPrefix(b.page("/web/export.csv?q=SKU-WHITE").Body, "\uFEFF")
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2026-03-05", "North", "White shirt", "SKU-WHITE", fmt.Sprint(f.byNumber["C-1"].NmID),
			"4600000000059", "", "C-1", "", "Sent to Seller", "", "No", "No", "", "", "", "1000.00", "90.00",
			"buyer's price, from the claim"}
		if diff := cmp.Diff(want, recs[1]); diff != "" {
			t.Errorf("CSV row (-want +got):\n%s", diff)
		}
		body = strings.TrimPrefix(b.page("/web/export.csv?q=F-1").Body, "\uFEFF")
		if !strings.Contains(body, `'=HYPERLINK`) {
			t.Errorf("a formula-like product name is not defused:\n%s", body)
		}
		resp := b.page("/web/export.xlsx?q=SKU-WHITE")
		x, err := excelize.OpenReader(bytes.NewReader([]byte(resp.Body)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		if v, _ := x.GetCellValue(sheet, "Q2", excelize.Options{RawCellValue: true}); v != "1000" {
			t.Errorf("price cell = %q, want the number 1000", v)
		}
		if typ, _ := x.GetCellType(sheet, "A2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("date cell is text, want a date")
		}
	})
}

func checkExport(t *testing.T, recs [][]string, header, want []string) {
	t.Helper()
	if len(recs) == 0 {
		t.Fatal("no rows at all")
	}
	if diff := cmp.Diff(header, recs[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	var got []string
	for _, rec := range recs[1:] {
		got = append(got, rec[7])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("return numbers (-want +got):\n%s", diff)
	}
}

// TestExportLarge crosses the export's batch size, so every batch is read.
func TestExportLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	if _, err := e.DB.Pool.Exec(pgtest.System(), `INSERT INTO returns (store_id, seller_id, request_date, return_number, status)
		SELECT $1, $2, now() - make_interval(mins => g), 'B-' || g, 'awaiting_receipt_at_wb'
		FROM generate_series(1, 2345) AS g`, store.ID, seller.ID); err != nil {
		t.Fatal(err)
	}
	b := e.login(t, seller)
	body := strings.TrimPrefix(b.page("/web/export.csv").Body, "\uFEFF")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2346 || recs[1][7] != "B-1" || recs[2345][7] != "B-2345" {
		t.Fatalf("%d rows, first %v, last %v", len(recs), recs[1][7], recs[len(recs)-1][7])
	}
}

// TestExportXLSXLayout checks the workbook a seller opens: the header
// frozen, columns fitted to their text, the header bold.
func TestExportXLSXLayout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	long := "Extra long product name for the width check"
	pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.ProductName = long })
	b := e.login(t, seller)
	x, err := excelize.OpenReader(strings.NewReader(b.page("/web/export.xlsx").Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	product, _ := x.GetColWidth(sheet, "C")
	if product < float64(len(long)) {
		t.Errorf("product column is %.1f wide for a %d-character name", product, len(long))
	}
	if w, _ := x.GetColWidth(sheet, "B"); w >= product {
		t.Errorf("store column (%.1f) not fitted: as wide as the product's (%.1f)", w, product)
	}
	style, _ := x.GetCellStyle(sheet, "A1")
	if st, err := x.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", st, err)
	}
}
