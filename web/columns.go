package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// column is one column of the manual's return tables.
type column string

const (
	colRequestDate       column = "column.request_date"
	colStore             column = "column.store"
	colProduct           column = "column.product_name"
	colVendorCode        column = "column.vendor_code"
	colNmID              column = "column.nm_id"
	colBarcode           column = "column.barcode"
	colCategory          column = "column.category"
	colReturnNumber      column = "column.return_number"
	colDefective         column = "column.defective"
	colStatus            column = "column.status"
	colTracking          column = "column.tracking_number"
	colNeedsVerification column = "column.needs_verification"
	colPhotoVideo        column = "column.photo_video_required"
	colDefectAfterCheck  column = "column.defect_after_check"
	colReceivedAt        column = "column.received_at"
	colDecision          column = "column.decision"
	colPriceRUB          column = "web.export.price_rub"
	colPriceCNY          column = "web.export.price_cny"
)

// tableColumns are the manual's columns for the summary table ("") and
// each tab (manual §4, §4.1–4.4), left to right.
var tableColumns = map[domain.Tab][]column{
	"": {colRequestDate, colProduct, colVendorCode, colBarcode, colReturnNumber, colDefective,
		colStatus, colTracking, colDecision},
	domain.TabInTransit: {colRequestDate, colProduct, colVendorCode, colBarcode, colReturnNumber, colDefective,
		colNeedsVerification, colPhotoVideo, colDecision},
	domain.TabProcessing: {colRequestDate, colProduct, colVendorCode, colBarcode, colReturnNumber, colDefective,
		colStatus},
	domain.TabPendingDecision: {colRequestDate, colProduct, colVendorCode, colBarcode, colReturnNumber, colDefective,
		colNeedsVerification, colDefectAfterCheck, colDecision},
	domain.TabCompleted: {colRequestDate, colProduct, colVendorCode, colBarcode, colReturnNumber, colDefective,
		colStatus, colTracking},
}

// exportColumns are what a file gets: the table's columns and the fields a
// spreadsheet wants besides (store, category, receipt date, prices).
var exportColumns = []column{colRequestDate, colStore, colProduct, colVendorCode, colNmID, colBarcode,
	colCategory, colReturnNumber, colDefective, colStatus, colTracking, colNeedsVerification, colPhotoVideo,
	colReceivedAt, colDefectAfterCheck, colDecision, colPriceRUB, colPriceCNY}

// header is a column's title in the reader's language.
func (c column) header(l *locales.Localizer) string { return l.T(string(c)) }

// text is a return's value in a column as plain text, the way a table
// cell or an exported file shows it.
func (c column) text(l *locales.Localizer, r *domain.Return, stores map[int64]string, date func(time.Time) string) string {
	yesNo := func(v bool) string {
		if v {
			return l.T("label.yes")
		}
		return l.T("label.no")
	}
	switch c {
	case colRequestDate:
		return date(r.RequestDate)
	case colStore:
		return stores[r.StoreID]
	case colProduct:
		return r.ProductName
	case colVendorCode:
		return r.VendorCode
	case colNmID:
		if r.NmID == 0 {
			return ""
		}
		return strconv.FormatInt(r.NmID, 10)
	case colBarcode:
		return r.Barcode
	case colCategory:
		return r.Subject
	case colReturnNumber:
		return r.ReturnNumber
	case colDefective:
		if !r.Defective {
			return "-" // the manual's tables show a dash, not "No"
		}
		return l.T("label.yes")
	case colStatus:
		return l.T(r.StatusLabel())
	case colTracking:
		return r.TrackingNumber
	case colNeedsVerification:
		return yesNo(r.NeedsVerification)
	case colPhotoVideo:
		return yesNo(r.PhotoVideoRequired)
	case colReceivedAt:
		if r.ReceivedAt == nil {
			return ""
		}
		return date(*r.ReceivedAt)
	case colDefectAfterCheck:
		if r.DefectAfterCheck == nil {
			return "-"
		}
		return yesNo(*r.DefectAfterCheck)
	case colDecision:
		return l.Label("decision", string(r.Decision))
	case colPriceRUB:
		return decimal(r.PriceRUB)
	case colPriceCNY:
		return decimal(r.PriceCNY)
	}
	return ""
}

// decimal writes minor units as a plain number with two decimals, the form
// spreadsheets read in every locale ("1500.00").
func decimal(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}
