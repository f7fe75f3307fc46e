package conversations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestStaffPhotoBombs: a picture declaring 50000×50000 pixels on the staff
// side. Staff attaching it to a card, or sending it to a seller, are told
// it is too large and nothing is kept or sent; a seller sending it to
// support has it relayed as a file, which the staff chat takes where a
// photo would fail the post at every retry.
func TestStaffPhotoBombs(t *testing.T) {
	bomb := []conversations.File{{Kind: domain.AttachmentPhoto, Name: "bomb.png", ContentType: "image/png",
		Size: 140, Open: func(context.Context) ([]byte, error) { return convtest.BombPNG(50000, 50000), nil }}}
	l := bundle.For("en")
	refusal := "⛔ " + l.T("error.input.image_too_large", map[string]any{
		"MaxMP": conversations.MaxImagePixels / 1_000_000, "MaxMB": conversations.MaxImageBytes >> 20})

	t.Run("InspectionPhoto", func(t *testing.T) {
		f := newStaffFixture(t, true)
		seller, _ := f.sellerChat(t)
		stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
		r := pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
			r.Status, r.ReturnNumber = domain.StatusAwaitingVerification, "R-9"
		})
		f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/find R-9"}})
		card := f.chat.last(t)
		f.staff(t, conversations.StaffInput{Input: conversations.Input{Files: bomb}, ReplyTo: card.ids[0]})
		if got := f.chat.last(t).m.Text; got != refusal {
			t.Errorf("staff were told %q, want %q", got, refusal)
		}
		if kept, err := storage.NewAttachmentService(f.h.db).FindAttachments(pgtest.System(), seller.ID, &r.ID); err != nil || len(kept) != 0 {
			t.Errorf("attachments = %d, %v; want none", len(kept), err)
		}
	})
	t.Run("ReplyToSeller", func(t *testing.T) {
		f := newStaffFixture(t, true)
		_, c := f.sellerChat(t)
		c.send("hello")
		f.flush(t)
		post := f.chat.last(t)
		f.staff(t, conversations.StaffInput{Input: conversations.Input{Files: bomb}, Thread: post.at.Thread, ReplyTo: post.ids[0]})
		if got := f.chat.last(t).m.Text; got != refusal {
			t.Errorf("staff were told %q, want %q", got, refusal)
		}
		if f.sender.calls != 0 {
			t.Errorf("%d sends to the seller, want none", f.sender.calls)
		}
	})
	t.Run("SellerToSupport", func(t *testing.T) {
		f := newStaffFixture(t, true)
		_, c := f.sellerChat(t)
		c.send("/support")
		c.handle(conversations.Input{Text: "look", Files: bomb})
		if n := f.flush(t); n != 1 {
			t.Fatalf("flushed %d relays, want 1", n)
		}
		p := f.chat.last(t)
		if len(p.m.Files) != 1 || p.m.Files[0].Kind != domain.AttachmentDocument || !strings.Contains(p.m.Text, l.T("attachment.document")) {
			t.Errorf("relayed %+v:\n%s", p.m.Files, p.m.Text)
		}
	})
}
