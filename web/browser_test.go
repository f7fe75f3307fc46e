package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web/browsertest"
)

// TestBrowser drives headless Chromium through the web view as a seller
// would: sign in through a magic link, filter a tab, open a return, decide.
// Screenshots go to the test's artifact directory (go test -artifacts
// keeps them).
func TestBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Browser Seller" })
	store := pgtest.Store(t, e.DB, seller.ID, func(s *domain.Store) { s.Name = "Moscow Shop" })
	for i, st := range []domain.Status{domain.StatusAwaitingReceiptAtWB, domain.StatusInTransitToWarehouse,
		domain.StatusAwaitingTransferToSale, domain.StatusSentToSeller} {
		pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
			r.Status, r.ProductName, r.Defective = st, fmt.Sprintf("Linen shirt %d", i), i == 1
		})
	}
	pending := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
		r.Status, r.ProductName, r.ReturnNumber, r.Defective = domain.StatusAwaitingSellerDecision, "Wool coat", "WB-COAT-1", true
	})
	comment := "Button missing on the left sleeve"
	no := false
	if _, err := storage.NewReturnService(e.DB).UpdateReturn(pgtest.System(), pending.ID,
		domain.ReturnUpdate{InspectionComment: &comment, DefectAfterCheck: &no}); err != nil {
		t.Fatal(err)
	}
	addPNG(t, e, seller, pending)

	br := browsertest.Start(t, 1280, 1000, 15*time.Second)
	ctx, shot, run := br.Ctx, br.Shot, br.Run
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	submit := func(sel chromedp.CSS) chromedp.Action[chromedp.Void] { return browsertest.Submit(string(sel)) }
	value := func(a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	run(
		chromedp.Navigate(e.mustLink(t, seller)),
		chromedp.WaitVisible(css("#signin")),
		submit(css("#signin")),
		chromedp.WaitVisible(css(".cards")),
		shot("main.png"),
		// Filter the in-transit tab to the defective linen.
		submit(css(`nav.tabs a[href^="/web/tab/in_transit"]`)),
		chromedp.WaitVisible(css(`nav.tabs a[aria-current="page"][href^="/web/tab/in_transit"]`)),
		chromedp.SendKeys(css(`input[name="q"]`), "Linen"),
		chromedp.SetValue(css(`select[name="defect"]`), "yes"),
		submit(css("#apply")),
		// WaitVisible does not settle on the reloaded <input>; ready is enough.
		chromedp.WaitReady(css(`input[name="q"][value="Linen"]`)),
		shot("tab.png"),
	)
	location := value(chromedp.Location())
	if !strings.Contains(location, "/web/tab/in_transit?") || !strings.Contains(location, "defect=yes") {
		t.Errorf("filtered tab URL = %q", location)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.returns tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("filtered tab shows %d rows, want 1", rows)
	}
	// Open the return awaiting a decision, look at it, and decide.
	run(
		submit(css(`nav.tabs a[href^="/web/tab/pending_decision"]`)),
		chromedp.WaitVisible(css(`nav.tabs a[aria-current="page"][href^="/web/tab/pending_decision"]`)),
		// The tab keeps the search; reset it to see the whole tab.
		submit(css("a.reset")),
		submit(css(`table.returns tbody td a`)),
		chromedp.WaitVisible(css("section.history")),
		shot("return.png"),
	)
	title := value(chromedp.Text(css("h1")))
	run(
		chromedp.Click(css(`input[name="decision"][value="sell_on_wb"]`)),
		submit(css("#choose")),
		chromedp.WaitVisible(css("#confirm")),
		submit(css("#confirm")),
		chromedp.WaitVisible(css("p.flash")),
		shot("decided.png"),
	)
	flash := value(chromedp.Text(css("p.flash")))
	if title != "Return WB-COAT-1" {
		t.Errorf("return page title = %q", title)
	}
	if !strings.Contains(flash, "Sell on WB") {
		t.Errorf("after confirming: %q", flash)
	}
	got, err := storage.NewReturnService(e.DB).FindReturnByID(pgtest.System(), pending.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision != domain.DecisionSellOnWB {
		t.Errorf("decision = %q after the browser confirmed it", got.Decision)
	}
}

// addPNG attaches a small generated photo to a return.
func addPNG(tb testing.TB, e *env, s *domain.Seller, r *domain.Return) {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.Set(x, y, color.RGBA{uint8(60 + x/2), uint8(60 + y), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	a := &domain.Attachment{SellerID: s.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto,
		FileName: "A-Cat.png", ContentType: "image/png", Data: buf.Bytes()}
	if err := storage.NewAttachmentService(e.DB).CreateAttachment(pgtest.System(), a); err != nil {
		tb.Fatal(err)
	}
}
