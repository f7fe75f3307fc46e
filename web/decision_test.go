package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestDecision walks the decision under the chat's rules: choose, confirm,
// final; Return to seller only with a complete profile.
func TestDecision(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		profile    bool
		decision   domain.Decision
		form       func(b *browser) url.Values
		wantCode   int
		wantStatus domain.Status
		wantText   string
	}{
		{"SellOnWB", false, domain.DecisionSellOnWB, nil, http.StatusSeeOther, domain.StatusAwaitingTransferToSale, "Decision saved: Sell on WB"},
		{"Dispose", false, domain.DecisionDispose, nil, http.StatusSeeOther, domain.StatusAwaitingDisposal, "Decision saved: Dispose"},
		{"ReturnToSeller", true, domain.DecisionReturnToSeller, nil, http.StatusSeeOther, domain.StatusAwaitingShipmentToSeller, "Decision saved: Return to Seller"},
		{"ErrReturnToSellerWithoutProfile", false, domain.DecisionReturnToSeller, nil, http.StatusBadRequest, domain.StatusAwaitingSellerDecision, "first complete your profile"},
		{"ErrNotConfirmed", false, domain.DecisionDispose, func(*browser) url.Values {
			return url.Values{"decision": {"dispose"}}
		}, http.StatusSeeOther, domain.StatusAwaitingSellerDecision, ""},
		{"ErrNoFormToken", false, domain.DecisionDispose, func(*browser) url.Values {
			return url.Values{"decision": {"dispose"}, "confirm": {"yes"}, "csrf": {""}}
		}, http.StatusForbidden, domain.StatusAwaitingSellerDecision, "This form has expired"},
		{"ErrOtherSessionsToken", false, domain.DecisionDispose, func(b *browser) url.Values {
			other := b.e.login(b.tb, pgtest.Seller(b.tb, b.e.DB, nil))
			return url.Values{"decision": {"dispose"}, "confirm": {"yes"}, "csrf": {other.csrf()}}
		}, http.StatusForbidden, domain.StatusAwaitingSellerDecision, ""},
		{"ErrUnknownDecision", false, domain.DecisionDispose, func(*browser) url.Values {
			return url.Values{"decision": {"keep"}, "confirm": {"yes"}}
		}, http.StatusBadRequest, domain.StatusAwaitingSellerDecision, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			seller := pgtest.Seller(t, e.DB, nil)
			if tt.profile {
				completeProfile(t, e, seller)
			}
			store := pgtest.Store(t, e.DB, seller.ID, nil)
			r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
			b := e.login(t, seller)
			detail := fmt.Sprintf("/web/returns/%d", r.ID)

			page := b.page(detail)
			if !strings.Contains(page.Body, `id="decision"`) {
				t.Fatalf("no decision form on a return awaiting one")
			}
			confirm := b.page(detail + "/decision?decision=" + string(tt.decision))
			blocked := !strings.Contains(confirm.Body, `id="confirm"`)
			if want := tt.name == "ErrReturnToSellerWithoutProfile"; blocked != want {
				t.Errorf("confirm page blocked=%v, want %v:\n%s", blocked, want, confirm.Body)
			}

			form := url.Values{"decision": {string(tt.decision)}, "confirm": {"yes"}}
			if tt.form != nil {
				form = tt.form(b)
			}
			resp := b.post(detail+"/decision", form)
			if resp.Code != tt.wantCode {
				t.Fatalf("POST decision: %d, want %d\n%s", resp.Code, tt.wantCode, resp.Body)
			}
			if resp.Code == http.StatusSeeOther && tt.wantText != "" {
				resp = b.page(resp.Location)
			}
			if !strings.Contains(resp.Body, tt.wantText) {
				t.Errorf("page does not say %q:\n%s", tt.wantText, resp.Body)
			}
			got, err := storageReturns(e).FindReturnByID(pgtest.System(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
			}
		})
	}
}

func TestDecisionIsFinal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	b := e.login(t, seller)
	detail := fmt.Sprintf("/web/returns/%d", r.ID)
	if resp := b.post(detail+"/decision", url.Values{"decision": {"sell_on_wb"}, "confirm": {"yes"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("first decision: %d", resp.Code)
	}
	resp := b.post(detail+"/decision", url.Values{"decision": {"dispose"}, "confirm": {"yes"}})
	if resp.Code != http.StatusConflict || !strings.Contains(resp.Body, "already been made") {
		t.Fatalf("second decision: %d\n%s", resp.Code, resp.Body)
	}
	page := b.page(detail)
	if strings.Contains(page.Body, `id="decision"`) || !strings.Contains(page.Body, "The decision is final") {
		t.Errorf("a decided return still offers the decision:\n%s", page.Body)
	}
	hist := b.page(detail).Body
	if !strings.Contains(hist, "Awaiting Seller Decision → Awaiting Transfer to Sale") {
		t.Errorf("history does not show the decision:\n%s", hist)
	}
}

// TestBeforeArrival sets the manual §4.1 choices from the tab's table and
// from the return's page, and is refused once the item has arrived.
func TestBeforeArrival(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	r := pgtest.Return(t, e.DB, store.ID, nil)
	b := e.login(t, seller)
	path := fmt.Sprintf("/web/returns/%d/choices", r.ID)
	back := "/web/tab/in_transit?q=Product"
	for _, tt := range []struct {
		field, value string
		back         string
		wantCode     int
		wantLocation string
		wantNV       bool
		wantPV       bool
	}{
		{"needs_verification", "yes", back, http.StatusSeeOther, back, true, false},
		{"photo_video_required", "yes", "", http.StatusSeeOther, fmt.Sprintf("/web/returns/%d", r.ID), true, true},
		{"needs_verification", "no", "https://evil.example/", http.StatusSeeOther, fmt.Sprintf("/web/returns/%d", r.ID), false, true},
		{"pickup_code", "yes", "", http.StatusBadRequest, "", false, true},
		{"needs_verification", "maybe", "", http.StatusBadRequest, "", false, true},
	} {
		resp := b.post(path, url.Values{"field": {tt.field}, "value": {tt.value}, "back": {tt.back}})
		if resp.Code != tt.wantCode || resp.Location != tt.wantLocation {
			t.Fatalf("%s=%s: %d → %q, want %d → %q", tt.field, tt.value, resp.Code, resp.Location, tt.wantCode, tt.wantLocation)
		}
		got, err := storageReturns(e).FindReturnByID(pgtest.System(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.NeedsVerification != tt.wantNV || got.PhotoVideoRequired != tt.wantPV {
			t.Fatalf("%s=%s: needs verification %v, photo/video %v", tt.field, tt.value, got.NeedsVerification, got.PhotoVideoRequired)
		}
	}
	mustApply(t, e.DB, r, domain.EventPickUp, domain.EventReceive)
	resp := b.post(path, url.Values{"field": {"needs_verification"}, "value": {"yes"}})
	if resp.Code != http.StatusConflict || !strings.Contains(resp.Body, "already arrived") {
		t.Fatalf("after arrival: %d\n%s", resp.Code, resp.Body)
	}
}

// TestRequestInspection is manual §4.3's button No. 2: a return awaiting
// the decision goes to verification first.
func TestRequestInspection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, nil)
	r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	b := e.login(t, seller)
	path := fmt.Sprintf("/web/returns/%d/inspection", r.ID)
	if resp := b.post(path, url.Values{"value": {"no"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("no: %d", resp.Code)
	}
	resp := b.post(path, url.Values{"value": {"yes"}})
	if resp.Code != http.StatusSeeOther || !strings.HasSuffix(resp.Location, "?saved=inspection") {
		t.Fatalf("yes: %d → %q", resp.Code, resp.Location)
	}
	got, err := storageReturns(e).FindReturnByID(pgtest.System(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusAwaitingVerification || !got.NeedsVerification {
		t.Fatalf("after request: %s, needs verification %v", got.Status, got.NeedsVerification)
	}
	if body := b.page(resp.Location).Body; !strings.Contains(body, "Verification requested") {
		t.Errorf("no confirmation on the page")
	}
}

// TestReturnDetail shows every field, the inspection result, the files
// and the history.
func TestReturnDetail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	store := pgtest.Store(t, e.DB, seller.ID, func(s *domain.Store) { s.Name = "Main Store" })
	r := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
		r.ProductName, r.VendorCode, r.Barcode, r.ReturnNumber = "Silk scarf", "SC-9", "4601234567890", "WB-777"
		r.Subject, r.NmID, r.PhotoURL = "Scarves", 123456, "https://basket-01.wbbasket.ru/photo.webp"
		r.PriceRUB, r.PriceCNY = 250000, 22000
	})
	yes := true
	comment := "Small stain on the left corner"
	rs := storageReturns(e)
	mustApply(t, e.DB, r, domain.EventPickUp, domain.EventReceiveForInspection)
	if _, err := rs.ApplyEvent(pgtest.System(), r.ID, domain.ReturnChange{Event: domain.EventInspect,
		Update: domain.ReturnUpdate{DefectAfterCheck: &yes, InspectionComment: &comment}}); err != nil {
		t.Fatal(err)
	}
	photo := storageAttachment(t, e, seller, r, "image/jpeg", "A-Cat.jpg")
	video := storageAttachment(t, e, seller, r, "video/mp4", "check.mp4")
	page := storageAttachment(t, e, seller, r, "text/html", "<script>.html")
	b := e.login(t, seller)
	body := b.page(fmt.Sprintf("/web/returns/%d", r.ID)).Body
	for _, want := range []string{"Return WB-777", "Main Store", "Silk scarf", "SC-9", "123456", "4601234567890",
		"Scarves", "¥220 / ₽2,500", "Defect After Check</dt><dd>Yes", "Picked up from the pickup point",
		fmt.Sprintf(`<img src="/web/attachments/%d" alt="A-Cat.jpg">`, photo.ID),
		fmt.Sprintf(`src="/web/attachments/%d"`, video.ID),
		comment, "In Transit to IndigoWarehouse → Awaiting Verification",
		"Awaiting Verification → Awaiting Seller Decision", `https://basket-01.wbbasket.ru/photo.webp`} {
		if !strings.Contains(body, want) {
			t.Errorf("detail page lacks %q", want)
		}
	}
	for _, tt := range []struct {
		id          int64
		contentType string
		disposition bool
	}{
		{photo.ID, "image/jpeg", false},
		{video.ID, "video/mp4", false},
		{page.ID, "application/octet-stream", true},
	} {
		resp := b.get(fmt.Sprintf("/web/attachments/%d", tt.id))
		if resp.Code != http.StatusOK || resp.Header.Get("Content-Type") != tt.contentType {
			t.Errorf("attachment %d: %d %q", tt.id, resp.Code, resp.Header.Get("Content-Type"))
		}
		if got := resp.Header.Get("Content-Disposition") != ""; got != tt.disposition {
			t.Errorf("attachment %d: Content-Disposition %q", tt.id, resp.Header.Get("Content-Disposition"))
		}
	}
}

func completeProfile(tb testing.TB, e *env, s *domain.Seller) {
	tb.Helper()
	addr := "Yiwu, Zhejiang, China"
	if _, err := storage.NewSellerService(e.DB).UpdateSeller(pgtest.System(), s.ID, domain.SellerUpdate{ReturnAddress: &addr}); err != nil {
		tb.Fatal(err)
	}
	doc := &domain.Attachment{SellerID: s.ID, Kind: domain.AttachmentDocument, FileName: "license.pdf",
		ContentType: "application/pdf", Data: []byte("%PDF")}
	if err := storage.NewAttachmentService(e.DB).CreateAttachment(pgtest.System(), doc); err != nil {
		tb.Fatal(err)
	}
}
