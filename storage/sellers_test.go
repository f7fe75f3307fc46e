package storage_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestSellerService(t *testing.T) {
	db := pgtest.New(t)
	ss := storage.NewSellerService(db)
	ctx := pgtest.System()

	t.Run("CreateAndFindByIdentity", func(t *testing.T) {
		s := pgtest.Seller(t, db, func(s *domain.Seller) {
			s.Language = domain.LangChinese
			s.Identities = append(s.Identities, domain.Identity{Channel: domain.ChannelWeChat, ExternalID: "oABC"})
		})
		got, err := ss.FindSellerByIdentity(ctx, domain.Identity{Channel: domain.ChannelWeChat, ExternalID: "oABC"})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != s.ID || got.Language != domain.LangChinese {
			t.Fatalf("got %+v", got)
		}
		if diff := cmp.Diff(s.Identities, got.Identities); diff != "" {
			t.Fatalf("identities (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrIdentityTaken", func(t *testing.T) {
		a := pgtest.Seller(t, db, nil)
		b := pgtest.Seller(t, db, nil)
		err := ss.AddIdentity(ctx, b.ID, a.Identities[0])
		if domain.ErrorCode(err) != domain.CodeConflict {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := ss.FindSellerByIdentity(ctx, domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "nobody"})
		if domain.ErrorMsgID(err) != "error.seller.not_found" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("UpdateAndProfile", func(t *testing.T) {
		s := pgtest.Seller(t, db, nil)
		addr := "Shenzhen, Futian, 1 Main St"
		got, err := ss.UpdateSeller(pgtest.As(s), s.ID, domain.SellerUpdate{ReturnAddress: &addr})
		if err != nil {
			t.Fatal(err)
		}
		if got.ReturnAddress != addr || got.ProfileComplete() {
			t.Fatalf("got %+v; a profile without documents must not be complete", got)
		}
		doc := &domain.Attachment{SellerID: s.ID, Kind: domain.AttachmentDocument, FileName: "licence.pdf", Data: []byte("%PDF")}
		if err := storage.NewAttachmentService(db).CreateAttachment(pgtest.As(s), doc); err != nil {
			t.Fatal(err)
		}
		got, err = ss.FindSellerByID(pgtest.As(s), s.ID)
		if err != nil || !got.ProfileComplete() {
			t.Fatalf("after a document: %+v, %v", got, err)
		}
	})
	t.Run("ErrOtherSeller", func(t *testing.T) {
		a := pgtest.Seller(t, db, nil)
		b := pgtest.Seller(t, db, nil)
		if _, err := ss.FindSellerByID(pgtest.As(a), b.ID); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("err = %v, want not found", err)
		}
		name := "hijack"
		if _, err := ss.UpdateSeller(pgtest.As(a), b.ID, domain.SellerUpdate{Name: &name}); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("update err = %v, want not found", err)
		}
	})
}
