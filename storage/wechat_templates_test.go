package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestWeChatTemplateSlots: one send takes a kind's slot for a follower
// until its end; a second is refused meanwhile, and may take it after,
// or once the first gave it back. Another kind or follower has its own.
func TestWeChatTemplateSlots(t *testing.T) {
	ws := storage.NewWeChatService(pgtest.New(t))
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	day := t0.Add(24 * time.Hour)
	for _, tt := range []struct {
		name, openID, kind string
		now, until         time.Time
		want               bool
	}{
		{"first", "oA", "pickup_code", t0, day, true},
		{"again within the day", "oA", "pickup_code", t0.Add(time.Hour), day.Add(time.Hour), false},
		{"another kind", "oA", "decision", t0, day, true},
		{"another follower", "oB", "pickup_code", t0, day, true},
		{"after the day", "oA", "pickup_code", day, day.Add(24 * time.Hour), true},
	} {
		if got, err := ws.TakeTemplateSlot(ctx, tt.openID, tt.kind, tt.now, tt.until); err != nil || got != tt.want {
			t.Errorf("%s: took = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// Given back by the send that took it, not by an older one.
	if err := ws.ReturnTemplateSlot(ctx, "oB", "pickup_code", day.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ws.TakeTemplateSlot(ctx, "oB", "pickup_code", t0.Add(time.Hour), day); got {
		t.Error("a slot given back by another send was taken")
	}
	if err := ws.ReturnTemplateSlot(ctx, "oB", "pickup_code", day); err != nil {
		t.Fatal(err)
	}
	if got, _ := ws.TakeTemplateSlot(ctx, "oB", "pickup_code", t0.Add(time.Hour), day); !got {
		t.Error("a slot given back was not taken again")
	}
}

// TestWeChatTemplateReceipts: a receipt is recorded once, whether it
// comes before or after the send it is about.
func TestWeChatTemplateReceipts(t *testing.T) {
	ws := storage.NewWeChatService(pgtest.New(t))
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

	if status, err := ws.RecordTemplate(ctx, "oA", "decision", "tplD", "indigo-n1", 101, at); err != nil || status != "" {
		t.Fatalf("record = %q, %v", status, err)
	}
	openID, kind, found, err := ws.FinishTemplate(ctx, 101, "success", at.Add(time.Second))
	if err != nil || !found || openID != "oA" || kind != "decision" {
		t.Fatalf("finish = %q %q %v %v", openID, kind, found, err)
	}
	if _, _, found, _ := ws.FinishTemplate(ctx, 101, "success", at.Add(2*time.Second)); found {
		t.Error("a receipt recorded twice")
	}

	if _, _, found, err := ws.FinishTemplate(ctx, 102, "failed:user block", at); err != nil || found {
		t.Fatalf("an early receipt = %v, %v", found, err)
	}
	if status, err := ws.RecordTemplate(ctx, "oB", "token", "tplT", "indigo-n2", 102, at); err != nil || status != "failed:user block" {
		t.Fatalf("record after its receipt = %q, %v", status, err)
	}
	if status, err := ws.TemplateStatus(ctx, 102); err != nil || status != "failed:user block" {
		t.Errorf("status = %q, %v", status, err)
	}
	if status, err := ws.TemplateStatus(ctx, 999); err != nil || status != "" {
		t.Errorf("status of an unknown msgid = %q, %v", status, err)
	}
}

// TestWeChatTemplateRefusals: refusals of a follower keep the time the
// first came, until a template reaches them or they write.
func TestWeChatTemplateRefusals(t *testing.T) {
	ws := storage.NewWeChatService(pgtest.New(t))
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		openID   string
		at       time.Time
		since    time.Time
		first    bool
		thenSeen func() error
	}{
		{"oA", t0, t0, true, nil},
		{"oA", t0.Add(time.Hour), t0, false, nil},
		{"oB", t0.Add(2 * time.Hour), t0.Add(2 * time.Hour), true, func() error { return ws.ReachedFollower(ctx, "oA") }},
		{"oA", t0.Add(3 * time.Hour), t0.Add(3 * time.Hour), true, nil},
	}
	for i, s := range steps {
		since, first, err := ws.RefuseTemplate(ctx, s.openID, "decision", "declined", s.at)
		if err != nil || !since.Equal(s.since) || first != s.first {
			t.Errorf("step %d: since %v first %v err %v; want %v %v", i, since, first, err, s.since, s.first)
		}
		if s.thenSeen != nil {
			if err := s.thenSeen(); err != nil {
				t.Fatal(err)
			}
		}
	}
	list, err := ws.UnreachedFollowers(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Identity.ExternalID != "oB" || list[1].Identity.ExternalID != "oA" {
		t.Fatalf("unreached = %+v, %v", list, err)
	}
	if _, err := ws.RecordTemplate(ctx, "oB", "decision", "tplD", "indigo-n9", 109, t0); err != nil {
		t.Fatal(err)
	}
	if list, _ := ws.UnreachedFollowers(ctx, 10); len(list) != 1 || list[0].Reason != "declined" {
		t.Errorf("after a template reached oB: %+v", list)
	}
}
