package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
	"github.com/indigo-warehouse/indigo/web"
	"github.com/indigo-warehouse/indigo/web/webtest"
)

// upload posts a file to the profile's document form as a browser would:
// the form token first, then the file.
func (b *browser) upload(name string, data []byte, csrf string) *response {
	b.tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.abs("/web/profile/documents"), &body)
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	b := e.login(t, seller)
	t.Run("Address", func(t *testing.T) {
		if r := b.post("/web/profile/address", url.Values{"address": {"too short"}}); r.Code != http.StatusBadRequest {
			t.Errorf("a 9-character address: %d", r.Code)
		}
		addr := "Guangzhou, Baiyun district, Airport road 1, 510000, Li Wei, 86 20 1234 5678"
		if r := b.post("/web/profile/address", url.Values{"address": {addr}}); r.Code != http.StatusSeeOther {
			t.Fatalf("save address: %d\n%s", r.Code, r.Body)
		}
		if body := b.page("/web/profile").Body; !strings.Contains(body, addr) {
			t.Errorf("the saved address is not shown")
		}
	})
	t.Run("Document", func(t *testing.T) {
		r := b.upload("charter.pdf", []byte("%PDF-1.4 charter"), b.csrf())
		if r.Code != http.StatusSeeOther || r.Location != "/web/profile?saved=document" {
			t.Fatalf("upload: %d → %q\n%s", r.Code, r.Location, r.Body)
		}
		body := b.page("/web/profile?saved=document").Body
		if !strings.Contains(body, "charter.pdf") || !strings.Contains(body, "profile is complete") {
			t.Errorf("the document is not listed, or the profile not complete:\n%s", body)
		}
		got, _ := storage.NewSellerService(e.DB).FindSellerByID(ctxOf(seller), seller.ID)
		if got.LegalDocuments != 1 {
			t.Errorf("legal documents on file = %d", got.LegalDocuments)
		}
	})
	t.Run("ErrNoFormToken", func(t *testing.T) {
		if r := b.upload("x.pdf", []byte("x"), "forged"); r.Code != http.StatusForbidden {
			t.Errorf("an upload without the form token: %d", r.Code)
		}
	})
	// A flood is refused by its headers before a byte of it is read: too
	// long declared, or no length declared (browsers always declare one).
	for name, tt := range map[string]struct {
		declared bool
		want     int
	}{"ErrDeclaredTooLarge": {true, http.StatusRequestEntityTooLarge}, "ErrUndeclared": {false, http.StatusRequestEntityTooLarge}} {
		t.Run(name, func(t *testing.T) {
			flood := newFlood("multipart/form-data; boundary=b", floodSize)
			req, _ := http.NewRequest(http.MethodPost, e.URL+web.UploadPath, flood)
			req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			if tt.declared {
				req.ContentLength = floodSize
			}
			before := e.Read.Load()
			if code := webtest.Send(t, b.c.Jar, req); code != tt.want {
				t.Errorf("upload flood: %d, want %d", code, tt.want)
			}
			if read := e.Read.Load() - before; read >= maxRead {
				t.Errorf("read %d bytes of a refused upload", read)
			}
		})
	}
}

func TestSupportPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	b := e.login(t, seller)
	if r := b.post("/web/support", url.Values{"text": {"Where is my coat?"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.Code, r.Body)
	}
	// The message waits in the one queue staff are posted from, as one
	// written in the chat does.
	var channel, text string
	if err := e.DB.Pool.QueryRow(ctxOf(seller), `SELECT channel, text FROM support_relays
		WHERE seller_id = $1 AND kind = 'message' AND relayed_at IS NULL`, seller.ID).Scan(&channel, &text); err != nil {
		t.Fatal(err)
	}
	if channel != "web" || text != "Where is my coat?" {
		t.Errorf("queued relay = %q %q", channel, text)
	}
	// Staff answer (StaffDesk keeps what reached the seller).
	if err := storage.NewSupportService(e.DB).AddSupportMessage(pgtest.System(), &domain.SupportMessage{
		SellerID: seller.ID, FromStaff: true, Text: "Indigo support: it ships tomorrow"}); err != nil {
		t.Fatal(err)
	}
	body := b.page("/web/support?sent=1").Body
	mine, theirs := strings.Index(body, "Where is my coat?"), strings.Index(body, "it ships tomorrow")
	if mine < 0 || theirs < mine {
		t.Errorf("the conversation does not show both ways in order:\n%s", body)
	}
	if r := b.post("/web/support", url.Values{"text": {strings.Repeat("я", domain.MaxSupportText+1)}}); r.Code != http.StatusBadRequest {
		t.Errorf("an over-long message: %d", r.Code)
	}
}

func TestAddStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := pgtest.Seller(t, e.DB, nil)
	b := e.login(t, seller)
	t.Run("OK", func(t *testing.T) {
		token := e.WB.IssueToken(wbfake.TokenOptions{})
		r := b.post("/web/stores", url.Values{"name": {"Shenzhen shop"}, "token": {" " + token + "\n"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("add store: %d\n%s", r.Code, r.Body)
		}
		body := b.page(r.Location).Body
		if !strings.Contains(body, "Shenzhen shop") || strings.Contains(body, token) {
			t.Errorf("added store not shown, or the token echoed")
		}
		stores, _ := storage.NewStoreService(e.DB).FindStores(ctxOf(seller), domain.StoreFilter{SellerID: &seller.ID})
		if len(stores) != 1 || stores[0].Token != token {
			t.Errorf("stores = %+v", stores)
		}
	})
	for name, tt := range map[string]struct{ token, want string }{
		"ErrNotAToken": {"hello there", "look like a wb api token"},
		"ErrReadOnly":  {e.WB.IssueToken(wbfake.TokenOptions{ReadOnly: true}), "read"},
		"ErrExpired":   {"", ""},
	} {
		if name == "ErrExpired" {
			continue // covered by the chat's store flow, which runs the same check
		}
		t.Run(name, func(t *testing.T) {
			r := b.post("/web/stores", url.Values{"name": {"Kept name"}, "token": {tt.token}})
			if r.Code == http.StatusSeeOther || r.Code == http.StatusOK {
				t.Fatalf("a bad token was taken: %d", r.Code)
			}
			if !strings.Contains(strings.ToLower(r.Body), tt.want) || !strings.Contains(r.Body, `value="Kept name"`) {
				t.Errorf("refusal lacks the chat's explanation %q or the kept name:\n%s", tt.want, r.Body)
			}
			if strings.Contains(r.Body, tt.token) {
				t.Errorf("the refused token is echoed back")
			}
		})
	}
}

// TestCabinetIsolation: seller A's session against every new route with
// seller B's ids and data gets nothing of B's.
func TestCabinetIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Name = "Seller Alpha" })
	bSeller := pgtest.Seller(t, e.DB, func(s *domain.Seller) {
		s.Name = "Seller Bravo"
		s.ReturnAddress = "Bravo street 1, Moscow, 101000"
	})
	bStore := pgtest.Store(t, e.DB, bSeller.ID, func(s *domain.Store) { s.Name = "Bravo shop" })
	bReturn := pgtest.Return(t, e.DB, bStore.ID, func(r *domain.Return) { r.ProductName = "Bravo coat" })
	bPhoto := storageAttachment(t, e, bSeller, bReturn, "image/png", "bravo.png")
	bDoc := &domain.Attachment{SellerID: bSeller.ID, Kind: domain.AttachmentDocument, FileName: "bravo-charter.pdf",
		ContentType: "application/pdf", Data: []byte("%PDF bravo")}
	if err := storage.NewAttachmentService(e.DB).CreateAttachment(pgtest.System(), bDoc); err != nil {
		t.Fatal(err)
	}
	support := storage.NewSupportService(e.DB)
	if err := support.QueueRelay(pgtest.As(bSeller), &domain.SupportRelay{SellerID: bSeller.ID, Kind: domain.RelayMessage,
		Channel: "telegram", Text: "Bravo secret question"}); err != nil {
		t.Fatal(err)
	}
	br := e.login(t, a)
	for _, path := range []string{"/web/profile", "/web/support", "/web/stores/new", "/web/",
		"/web/?store=" + strconv.FormatInt(bStore.ID, 10)} {
		r := br.get(path)
		for _, leak := range []string{"Bravo", "bravo"} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("%s shows seller B's data (%s)", path, leak)
			}
		}
	}
	for _, id := range []int64{bPhoto.ID, bDoc.ID} {
		if r := br.get("/web/attachments/" + strconv.FormatInt(id, 10)); r.Code != http.StatusNotFound {
			t.Errorf("B's file %d: %d", id, r.Code)
		}
	}
	if r := br.get("/web/returns/" + strconv.FormatInt(bReturn.ID, 10)); r.Code != http.StatusNotFound {
		t.Errorf("B's return: %d", r.Code)
	}
	// A's writes land on A only.
	br.post("/web/profile/address", url.Values{"address": {"Alpha road 2, Hangzhou, 310000"}})
	br.post("/web/support", url.Values{"text": {"Alpha here"}})
	got, _ := storage.NewSellerService(e.DB).FindSellerByID(pgtest.System(), bSeller.ID)
	if got.ReturnAddress != "Bravo street 1, Moscow, 101000" {
		t.Errorf("B's address changed to %q", got.ReturnAddress)
	}
	msgs, _ := support.FindSupportMessages(pgtest.System(), bSeller.ID, 10)
	if len(msgs) != 1 {
		t.Errorf("B's conversation has %d messages, want B's one", len(msgs))
	}
	if other, _ := support.FindSupportMessages(pgtest.As(a), bSeller.ID, 10); len(other) != 0 {
		t.Errorf("storage lists B's conversation to A: %d messages", len(other))
	}
}
