package domain

import (
	"strconv"
	"time"
)

// Column is one field of a return as people read it: the columns of the
// manual's tables (§4) and the few more the return's page and cards show.
// Its value is the locales id of its title. The seller's card, the staff
// card and the web's tables, page and export all take a return's values
// from Column.Text, so a field reads the same wherever it is shown; each
// of them only chooses its columns and how it lays them out.
type Column string

// Columns, in the order the manual's summary table has them, then the
// others.
const (
	ColRequestDate       Column = "column.request_date"
	ColProduct           Column = "column.product_name"
	ColVendorCode        Column = "column.vendor_code"
	ColNmID              Column = "column.nm_id"
	ColBarcode           Column = "column.barcode"
	ColCategory          Column = "column.category"
	ColReturnNumber      Column = "column.return_number"
	ColDefective         Column = "column.defective"
	ColStatus            Column = "column.status"
	ColTracking          Column = "column.tracking_number"
	ColDecision          Column = "column.decision"
	ColNeedsVerification Column = "column.needs_verification"
	ColPhotoVideo        Column = "column.photo_video_required"
	ColDefectAfterCheck  Column = "column.defect_after_check"
	ColReceivedAt        Column = "column.received_at"
	ColPrice             Column = "column.price"
	ColPickupPoint       Column = "column.pickup_point"
	ColReadyAt           Column = "column.ready_at"
	ColPickupCode        Column = "column.pickup_code"
	ColInspectionComment Column = "column.inspection_comment"
	ColAttachments       Column = "column.attachments"
)

// Formatter writes values in one reader's language; *locales.Localizer is
// one. It is declared here, with stdlib types only, so that domain need
// not import locales.
type Formatter interface {
	T(id string, data ...map[string]any) string
	Label(kind, value string) string
	FormatDate(t time.Time) string
	FormatRUB(kopecks int64) string
	FormatCNY(fen int64) string
	FormatMoney(kopecks, fen int64) string
}

// Text is r's value in column c for f's reader, or "" when r has none:
// cards leave such a field out, the web's tables show the manual's dash.
// A return not claimed defective has none, as the manual's dash says; the
// seller's before-arrival choices always read yes or no.
func (c Column) Text(f Formatter, r *Return) string {
	if fn, ok := columnText[c]; ok {
		return fn(f, r)
	}
	return ""
}

var columnText = map[Column]func(f Formatter, r *Return) string{
	ColRequestDate:  func(f Formatter, r *Return) string { return date(f, &r.RequestDate) },
	ColProduct:      func(_ Formatter, r *Return) string { return r.ProductName },
	ColVendorCode:   func(_ Formatter, r *Return) string { return r.VendorCode },
	ColNmID:         func(_ Formatter, r *Return) string { return nonZero(r.NmID) },
	ColBarcode:      func(_ Formatter, r *Return) string { return r.Barcode },
	ColCategory:     func(_ Formatter, r *Return) string { return r.Subject },
	ColReturnNumber: func(_ Formatter, r *Return) string { return r.ReturnNumber },
	ColDefective: func(f Formatter, r *Return) string {
		if !r.Defective {
			return ""
		}
		return yesNo(f, true)
	},
	ColStatus:            func(f Formatter, r *Return) string { return f.T(r.StatusLabel()) },
	ColTracking:          func(_ Formatter, r *Return) string { return r.TrackingNumber },
	ColDecision:          func(f Formatter, r *Return) string { return f.Label("decision", string(r.Decision)) },
	ColNeedsVerification: func(f Formatter, r *Return) string { return yesNo(f, r.NeedsVerification) },
	ColPhotoVideo:        func(f Formatter, r *Return) string { return yesNo(f, r.PhotoVideoRequired) },
	ColDefectAfterCheck: func(f Formatter, r *Return) string {
		if r.DefectAfterCheck == nil {
			return ""
		}
		return yesNo(f, *r.DefectAfterCheck)
	},
	ColReceivedAt: func(f Formatter, r *Return) string { return date(f, r.ReceivedAt) },
	// A price says where it came from, and that there is none yet.
	ColPrice: func(f Formatter, r *Return) string {
		if !r.PriceSource.Known() {
			return f.T("column.price_unknown")
		}
		return f.T("column.price_value", map[string]any{"Money": f.FormatMoney(r.PriceRUB, r.PriceCNY),
			"Source": f.Label("price_source", string(r.PriceSource))})
	},
	ColPickupPoint:       func(_ Formatter, r *Return) string { return r.PickupPointAddress },
	ColReadyAt:           func(f Formatter, r *Return) string { return date(f, r.ReadyAt) },
	ColPickupCode:        func(_ Formatter, r *Return) string { return r.PickupCode },
	ColInspectionComment: func(_ Formatter, r *Return) string { return r.InspectionComment },
	ColAttachments:       attachmentCounts,
}

func yesNo(f Formatter, v bool) string {
	if v {
		return f.T("label.yes")
	}
	return f.T("label.no")
}

func date(f Formatter, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return f.FormatDate(*t)
}

func nonZero(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// attachmentCounts reads "Photo × 2, Video × 1", kinds in the order the
// files came.
func attachmentCounts(f Formatter, r *Return) string {
	counts := map[AttachmentKind]int{}
	var kinds []AttachmentKind
	for _, a := range r.Attachments {
		if counts[a.Kind] == 0 {
			kinds = append(kinds, a.Kind)
		}
		counts[a.Kind]++
	}
	if len(kinds) == 0 {
		return ""
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = f.T("label.times", map[string]any{"Label": f.Label("attachment", string(k)), "N": counts[k]})
	}
	return f.T("label.list", map[string]any{"Items": parts})
}
