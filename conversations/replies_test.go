package conversations

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestKeptRepliesKeepPhotosByAttachment: replies kept in the session row
// until sent hold a photo as the attachment it came from, not its bytes,
// and get the bytes again when they go; one whose attachment is gone goes
// without it, and bytes from no attachment are refused rather than kept.
func TestKeptRepliesKeepPhotosByAttachment(t *testing.T) {
	db := pgtest.New(t)
	attachments := storage.NewAttachmentService(db)
	e := &Engine{Deps: Deps{Attachments: attachments}}
	seller := pgtest.Seller(t, db, nil)
	ret := pgtest.Return(t, db, pgtest.Store(t, db, seller.ID, nil).ID, nil)
	photo := func(name string) *domain.Attachment {
		a := &domain.Attachment{SellerID: seller.ID, ReturnID: &ret.ID, Kind: domain.AttachmentPhoto, FileName: name,
			ContentType: "image/jpeg", Data: bytes.Repeat([]byte(name), 4096)}
		if err := attachments.CreateAttachment(pgtest.System(), a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	kept, gone := photo("kept.jpg"), photo("gone.jpg")
	in := Input{Ack: true, UpdateID: 7}
	s := &domain.ChatSession{Data: map[string]string{}}
	replies := []Reply{{Text: "the card", Photos: []Photo{
		{Name: kept.FileName, Data: kept.Data, AttachmentID: kept.ID},
		{Name: gone.FileName, Data: gone.Data, AttachmentID: gone.ID},
		{URL: "https://example.com/p.jpg"},
	}}}
	if err := keepPending(s, in, replies); err != nil {
		t.Fatal(err)
	}
	if raw := s.Data[pendingKey]; len(raw) > 500 || strings.Contains(raw, base64.StdEncoding.EncodeToString(kept.Data[:60])) {
		t.Fatalf("the session row holds the photo's bytes (%d bytes kept)", len(raw))
	}
	if len(replies[0].Photos[0].Data) == 0 {
		t.Fatal("keeping the replies emptied the caller's photo")
	}
	if _, err := db.Pool.Exec(context.Background(), `DELETE FROM attachments WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}

	again, err := pendingFor(s, in.UpdateID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.loadPhotos(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if got := again[0].Photos; len(got) != 2 || !bytes.Equal(got[0].Data, kept.Data) || got[1].URL == "" {
		t.Fatalf("photos when sent again: %+v", got)
	}

	loose := []Reply{{Photos: []Photo{{Name: "x.png", Data: []byte("png")}}}}
	if err := keepPending(s, Input{Ack: true, UpdateID: 8}, loose); err == nil {
		t.Fatal("a photo of no attachment was kept")
	}
}
