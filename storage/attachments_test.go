package storage_test

import (
	"bytes"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestAttachmentService(t *testing.T) {
	db := pgtest.New(t)
	as := storage.NewAttachmentService(db)
	seller := pgtest.Seller(t, db, nil)
	other := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	r := pgtest.Return(t, db, store.ID, nil)
	staff := domain.NewContextWithActor(pgtest.System(), domain.Actor{Kind: domain.ActorStaff, ID: 1})
	photo := bytes.Repeat([]byte{0xFF, 0xD8}, 1000)

	a := &domain.Attachment{ReturnID: &r.ID, Kind: domain.AttachmentPhoto, FileName: "front.jpg", ContentType: "image/jpeg", Data: photo}
	if err := as.CreateAttachment(staff, a); err != nil {
		t.Fatal(err)
	}
	t.Run("ListedWithReturn", func(t *testing.T) {
		got, err := storage.NewReturnService(db).FindReturnByID(pgtest.As(seller), r.ID)
		if err != nil || len(got.Attachments) != 1 || got.Attachments[0].Size != int64(len(photo)) || got.Attachments[0].Data != nil {
			t.Fatalf("attachments = %+v, %v", got.Attachments, err)
		}
	})
	t.Run("Data", func(t *testing.T) {
		got, err := as.FindAttachmentData(pgtest.As(seller), a.ID)
		if err != nil || !bytes.Equal(got.Data, photo) || got.SellerID != seller.ID {
			t.Fatalf("data mismatch: %v", err)
		}
	})
	t.Run("ErrOtherSeller", func(t *testing.T) {
		if _, err := as.FindAttachmentData(pgtest.As(other), a.ID); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("err = %v, want not found", err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := &domain.Attachment{ReturnID: &r.ID, Kind: domain.AttachmentVideo, Data: make([]byte, domain.MaxAttachmentSize+1)}
		if err := as.CreateAttachment(staff, big); domain.ErrorMsgID(err) != "error.attachment.too_large" {
			t.Fatalf("err = %v", err)
		}
		list, _ := as.FindAttachments(staff, seller.ID, &r.ID)
		if len(list) != 1 {
			t.Fatalf("a refused file was stored: %d attachments", len(list))
		}
	})
}

func TestAuditService(t *testing.T) {
	db := pgtest.New(t)
	au := storage.NewAuditService(db)
	seller := pgtest.Seller(t, db, nil)
	staff := domain.NewContextWithActor(pgtest.System(), domain.Actor{Kind: domain.ActorStaff, ID: 7, Name: "Ivan"})
	e := &domain.AuditEntry{Action: "return.receive", SellerID: &seller.ID, Details: map[string]any{"chat": float64(-100)}}
	if err := au.CreateAuditEntry(staff, e); err != nil {
		t.Fatal(err)
	}
	got, err := au.FindAuditEntries(staff, nil, &seller.ID, 10)
	if err != nil || len(got) != 1 || got[0].Actor.Name != "Ivan" || got[0].Details["chat"] != float64(-100) {
		t.Fatalf("entries = %+v, %v", got, err)
	}
	if _, err := au.FindAuditEntries(pgtest.As(seller), nil, &seller.ID, 10); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("a seller read the audit log: %v", err)
	}
}
