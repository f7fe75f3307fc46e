package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web/browsertest"
)

// TestBrowserCabinet drives headless Chromium through the whole cabinet
// at a desktop's 1280×800 and a phone's 390×844: signed in by a Telegram
// Mini App (and refused with forged init data), by WeChat's web
// authorization against the fake, every page, a document uploaded to the
// profile and a decision made on the phone. No page scrolls sideways. Screenshots go to the test's artifacts (go test -artifacts).
func TestBrowserCabinet(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			t.Parallel()
			cabinetTour(t, size.name, size.width, size.height)
		})
	}
}

// cabinet is a seller with something on every page.
type cabinet struct {
	seller  *domain.Seller
	pending *domain.Return
	openid  string
}

func seedCabinet(t *testing.T, e *env, tgUser int64) cabinet {
	openid := "oTour" + strconv.FormatInt(tgUser, 10)
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) {
		s.Name = "Tour Seller"
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(tgUser, 10)},
			{Channel: domain.ChannelWeChat, ExternalID: openid, Name: "Colleague"}}
	})
	store := pgtest.Store(t, e.DB, seller.ID, func(s *domain.Store) { s.Name = "Moscow Shop" })
	for i, st := range []domain.Status{domain.StatusAwaitingReceiptAtWB, domain.StatusInTransitToWarehouse,
		domain.StatusAwaitingTransferToSale, domain.StatusSentToSeller} {
		pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
			r.Status, r.ProductName, r.Defective = st, fmt.Sprintf("Linen shirt, long sleeve %d", i), i == 1
			r.PriceRUB, r.PriceCNY, r.PriceSource = 250000, 22000, domain.PriceSourceClaim
		})
	}
	pending := pgtest.Return(t, e.DB, store.ID, func(r *domain.Return) {
		r.Status, r.ProductName, r.ReturnNumber, r.Defective = domain.StatusAwaitingSellerDecision, "Wool coat", "WB-COAT-1", true
	})
	addPNG(t, e, seller, pending)
	if err := storage.NewSupportService(e.DB).QueueRelay(pgtest.As(seller), &domain.SupportRelay{SellerID: seller.ID,
		Kind: domain.RelayMessage, Channel: "telegram", Text: "Hello, when will the coat be checked?"}); err != nil {
		t.Fatal(err)
	}
	if err := storage.NewSupportService(e.DB).AddSupportMessage(pgtest.System(), &domain.SupportMessage{SellerID: seller.ID,
		FromStaff: true, Text: "Indigo support: today, photos will follow."}); err != nil {
		t.Fatal(err)
	}
	return cabinet{seller: seller, pending: pending, openid: openid}
}

func cabinetTour(t *testing.T, size string, width, height int) {
	e := newEnv(t)
	tgUser := int64(8100 + width)
	c := seedCabinet(t, e, tgUser)
	br := browsertest.Start(t, width, height, 20*time.Second)
	shot := func(name string) chromedp.Action[chromedp.Void] { return br.Shot(size + "-" + name) }
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	eval := func(js string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(br.Ctx, 15*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	fits := func(page string) {
		t.Helper()
		if w := eval(`document.documentElement.scrollWidth + " > " + document.documentElement.clientWidth`); strings.Contains(w, " > ") {
			if parts := strings.Split(w, " > "); parts[0] != parts[1] {
				t.Errorf("%s scrolls sideways at %d px: %s", page, width, w)
			}
		}
	}

	// Forged init data: refused, not signed in.
	forged := strings.Replace(initData(botToken, tgUser, time.Now()), "hash=", "hash=00", 1)
	br.Run(
		chromedp.Navigate(e.URL+"/web/tg?next=%2Fweb%2F#tgWebAppData="+url.QueryEscape(forged)),
		chromedp.WaitVisible(css("section.error")),
		shot("miniapp-forged.png"),
	)
	if msg := eval(`document.querySelector("section.error").innerText`); !strings.Contains(msg, "could not be verified") {
		t.Errorf("forged init data: %q", msg)
	}
	// A Mini App launch signs in and opens the page asked for.
	valid := initData(botToken, tgUser, time.Now())
	br.Run(
		chromedp.Navigate(e.URL+"/web/tg?next=%2Fweb%2F#tgWebAppData="+url.QueryEscape(valid)),
		chromedp.WaitVisible(css(".cards")),
		shot("main.png"),
	)
	fits("main")
	br.Run(
		browsertest.Submit(`nav.tabs a[href^="/web/tab/in_transit"]`),
		chromedp.WaitVisible(css(`nav.tabs a[aria-current="page"][href^="/web/tab/in_transit"]`)),
		shot("tab.png"),
	)
	fits("tab")
	for _, page := range []struct{ path, ready, name string }{
		{"/web/profile", "#address", "profile.png"},
		{"/web/support", "#text", "support.png"},
		{"/web/stores/new", "#token", "store.png"},
		{"/web/rules", "main h1", "rules.png"},
	} {
		br.Run(chromedp.Navigate(e.URL+page.path), chromedp.WaitVisible(css(page.ready)), shot(page.name))
		fits(page.path)
	}
	// A document uploaded to the profile.
	doc := filepath.Join(t.TempDir(), "company-charter.pdf")
	if err := os.WriteFile(doc, []byte("%PDF-1.4 charter of the company"), 0o600); err != nil {
		t.Fatal(err)
	}
	br.Run(
		chromedp.Navigate(e.URL+"/web/profile"),
		chromedp.WaitVisible(css("#file")),
		chromedp.SetUploadFiles(css("#file"), []string{doc}),
		browsertest.Submit("#upload"),
		chromedp.WaitVisible(css("ul.files")),
		shot("profile-uploaded.png"),
	)
	if files := eval(`document.querySelector("ul.files").innerText`); !strings.Contains(files, "company-charter.pdf") {
		t.Errorf("the uploaded document is not listed: %q", files)
	}
	// The decision, from the return's page to its confirmation.
	detail := e.URL + "/web/returns/" + strconv.FormatInt(c.pending.ID, 10)
	br.Run(
		chromedp.Navigate(detail),
		chromedp.WaitVisible(css("section.history")),
		shot("return.png"),
	)
	fits("return")
	br.Run(
		chromedp.Click(css(`input[name="decision"][value="sell_on_wb"]`)),
		browsertest.Submit("#choose"),
		chromedp.WaitVisible(css("#confirm")),
		shot("confirm.png"),
	)
	fits("confirm")
	if h, _ := strconv.Atoi(eval(`String(document.documentElement.scrollHeight)`)); width <= 640 && h > height {
		t.Errorf("the confirmation takes more than one screen: %d px of %d", h, height)
	}
	br.Run(browsertest.Submit("#confirm"), chromedp.WaitVisible(css("p.flash")), shot("decided.png"))
	got, err := storage.NewReturnService(e.DB).FindReturnByID(pgtest.System(), c.pending.ID)
	if err != nil || got.Decision != domain.DecisionSellOnWB {
		t.Errorf("decision after confirming in the browser: %q, %v", got.Decision, err)
	}
	// WeChat's web authorization, in a browser that WeChat's client made
	// the colleague's: the menu's page comes back signed in.
	br.Run(
		chromedp.Navigate(wx.BrowserURL(c.openid, e.URL+"/web/wx?next=%2Fweb%2Fsupport")),
		chromedp.WaitVisible(css("#text")),
		shot("wechat-support.png"),
	)
	if loc := eval(`location.pathname`); loc != "/web/support" {
		t.Errorf("after WeChat's authorization: at %s", loc)
	}
}
