package web

import (
	"fmt"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// column is one column of the web's tables, page and export: one of a
// return's fields, whose value domain.Column.Text gives as it gives the
// chat cards theirs, or one only the web shows.
type column = domain.Column

// The web's own columns.
const (
	colStore    column = "column.store"
	colPriceRUB column = "web.export.price_rub"
	colPriceCNY column = "web.export.price_cny"
)

// tableColumns are the manual's columns for the summary table ("") and
// each tab (manual §4, §4.1–4.4), left to right.
var tableColumns = map[domain.Tab][]column{
	"": {domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColBarcode, domain.ColReturnNumber,
		domain.ColDefective, domain.ColStatus, domain.ColTracking, domain.ColDecision},
	domain.TabInTransit: {domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColBarcode,
		domain.ColReturnNumber, domain.ColDefective, domain.ColNeedsVerification, domain.ColPhotoVideo, domain.ColDecision},
	domain.TabProcessing: {domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColBarcode,
		domain.ColReturnNumber, domain.ColDefective, domain.ColStatus},
	domain.TabPendingDecision: {domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColBarcode,
		domain.ColReturnNumber, domain.ColDefective, domain.ColNeedsVerification, domain.ColDefectAfterCheck, domain.ColDecision},
	domain.TabCompleted: {domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColBarcode,
		domain.ColReturnNumber, domain.ColDefective, domain.ColStatus, domain.ColTracking},
}

// exportColumns are what a file gets: the table's columns and the fields a
// spreadsheet wants besides (store, category, receipt date, prices).
var exportColumns = []column{domain.ColRequestDate, colStore, domain.ColProduct, domain.ColVendorCode,
	domain.ColNmID, domain.ColBarcode, domain.ColCategory, domain.ColReturnNumber, domain.ColDefective,
	domain.ColStatus, domain.ColTracking, domain.ColNeedsVerification, domain.ColPhotoVideo, domain.ColReceivedAt,
	domain.ColDefectAfterCheck, domain.ColDecision, colPriceRUB, colPriceCNY}

// pageColumns are the fields of a return's page, top to bottom; the
// before-arrival choices follow as toggles while it is in transit, as
// fields after.
var pageColumns = []column{colStore, domain.ColRequestDate, domain.ColProduct, domain.ColVendorCode, domain.ColNmID,
	domain.ColBarcode, domain.ColCategory, domain.ColReturnNumber, domain.ColDefective, domain.ColStatus,
	domain.ColTracking, domain.ColPrice, domain.ColPickupPoint, domain.ColReadyAt, domain.ColPickupCode}

// pageColumnsAfter follow the choices on a return's page.
var pageColumnsAfter = []column{domain.ColReceivedAt, domain.ColDefectAfterCheck, domain.ColDecision}

// columnTitle is a column's title in the reader's language.
func columnTitle(l *locales.Localizer, c column) string { return l.T(string(c)) }

// text is a return's value in a column as plain text, "" for none: a table
// cell or the page shows the manual's dash for it (dash), a file leaves the
// cell empty. stores names the seller's stores for colStore.
func text(f domain.Formatter, c column, r *domain.Return, stores map[int64]string) string {
	switch c {
	case colStore:
		return stores[r.StoreID]
	case colPriceRUB:
		return decimal(r.PriceRUB)
	case colPriceCNY:
		return decimal(r.PriceCNY)
	}
	return c.Text(f, r)
}

// dash is how the manual's tables show a field with no value.
func dash(v string) string {
	if v == "" {
		return "-"
	}
	return v
}

// zoned is the reader's localizer with dates in the reader's time zone.
type zoned struct {
	*locales.Localizer
	loc *time.Location
}

func (z zoned) FormatDate(t time.Time) string { return z.Localizer.FormatDate(t.In(z.loc)) }

// isoDates writes dates as a spreadsheet reads them, in the reader's zone.
type isoDates struct{ zoned }

func (z isoDates) FormatDate(t time.Time) string { return t.In(z.loc).Format(time.DateOnly) }

// decimal writes minor units as a plain number with two decimals, the form
// spreadsheets read in every locale ("1500.00").
func decimal(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}
