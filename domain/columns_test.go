package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// marks is a Formatter that shows which of its methods made a value.
type marks struct{}

// T marks a message by its id, and shows the data of the layout messages
// lists and counts are set with, which carry a field's value.
func (marks) T(id string, data ...map[string]any) string {
	switch {
	case id == "label.list" && len(data) > 0:
		return strings.Join(data[0]["Items"].([]string), ", ")
	case id == "label.times" && len(data) > 0:
		return fmt.Sprintf("%v × %v", data[0]["Label"], data[0]["N"])
	}
	return "T:" + id
}
func (marks) Label(kind, value string) string {
	if value == "" {
		return ""
	}
	return "L:" + kind + "." + value
}
func (marks) FormatDate(t time.Time) string { return "D:" + t.Format(time.DateOnly) }
func (marks) FormatRUB(k int64) string      { return fmt.Sprintf("RUB:%d", k) }
func (marks) FormatCNY(f int64) string      { return fmt.Sprintf("CNY:%d", f) }
func (marks) FormatMoney(k, f int64) string { return fmt.Sprintf("CNY:%d/RUB:%d", f, k) }

// TestColumnText: each field reads its value from the return the one way
// every renderer shows it, and has none ("") where the return has none,
// except the before-arrival choices, which always read yes or no.
func TestColumnText(t *testing.T) {
	day := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	yes := true
	full := &domain.Return{
		RequestDate: day, ProductName: "Scarf", VendorCode: "SC-1", NmID: 42, Barcode: "460", Subject: "Шарфы",
		ReturnNumber: "R-1", Defective: true, Status: domain.StatusAwaitingPickupCode, TrackingNumber: "CDEK-1",
		Decision: domain.DecisionDispose, NeedsVerification: true, PhotoVideoRequired: true, DefectAfterCheck: &yes,
		ReceivedAt: &day, PriceRUB: 150000, PriceCNY: 13000, PriceSource: domain.PriceSourceClaim, PickupPointAddress: "Moscow", ReadyAt: &day,
		PickupCode: "4821", InspectionComment: "Torn", Attachments: []*domain.Attachment{
			{Kind: domain.AttachmentPhoto}, {Kind: domain.AttachmentVideo}, {Kind: domain.AttachmentPhoto}},
	}
	empty := &domain.Return{Status: domain.StatusAwaitingReceiptAtWB}
	for _, tt := range []struct {
		col         domain.Column
		full, empty string
	}{
		{domain.ColRequestDate, "D:2026-03-05", ""},
		{domain.ColProduct, "Scarf", ""},
		{domain.ColVendorCode, "SC-1", ""},
		{domain.ColNmID, "42", ""},
		{domain.ColBarcode, "460", ""},
		{domain.ColCategory, "Шарфы", ""},
		{domain.ColReturnNumber, "R-1", ""},
		{domain.ColDefective, "T:label.yes", ""},
		{domain.ColStatus, "T:label.awaiting_collection", "T:status.awaiting_receipt_at_wb"},
		{domain.ColTracking, "CDEK-1", ""},
		{domain.ColDecision, "L:decision.dispose", ""},
		{domain.ColNeedsVerification, "T:label.yes", "T:label.no"},
		{domain.ColPhotoVideo, "T:label.yes", "T:label.no"},
		{domain.ColDefectAfterCheck, "T:label.yes", ""},
		{domain.ColReceivedAt, "D:2026-03-05", ""},
		{domain.ColPrice, "T:column.price_value", "T:column.price_unknown"}, // with its source, or none yet
		{domain.ColPickupPoint, "Moscow", ""},
		{domain.ColReadyAt, "D:2026-03-05", ""},
		{domain.ColPickupCode, "4821", ""},
		{domain.ColInspectionComment, "Torn", ""},
		{domain.ColAttachments, "L:attachment.photo × 2, L:attachment.video × 1", ""},
		{"column.store", "", ""}, // not a field of the return: the web fills it in
	} {
		t.Run(string(tt.col), func(t *testing.T) {
			if got := tt.col.Text(marks{}, full); got != tt.full {
				t.Errorf("full return: %q, want %q", got, tt.full)
			}
			if got := tt.col.Text(marks{}, empty); got != tt.empty {
				t.Errorf("empty return: %q, want %q", got, tt.empty)
			}
		})
	}
}
