package wechat_test

import (
	"context"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestPickupBomb: while a return waits for its pickup code, a WeChat image
// that declares 50000×50000 pixels in a hundred-odd bytes is refused from
// its header, in Chinese; the step and the return are as they were, and
// the real screenshot sent next is read.
func TestPickupBomb(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	seller := h.seller("oBomb", domain.LangChinese)
	store := pgtest.Store(t, h.db, seller.ID, nil)
	r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Москва, Тверская 1"
	})
	u := h.user("oBomb", "zh")
	ask := u.L.Plural("flow.pickup.ask", 1, map[string]any{"Address": r.PickupPointAddress})
	u.Send("/pickup")
	u.Expect(ask)

	u.SendPicture(convtest.BombPNG(50000, 50000))
	u.Expect(u.L.T("error.input.image_too_large", map[string]any{
		"MaxMP": conversations.MaxImagePixels / 1_000_000, "MaxMB": conversations.MaxImageBytes >> 20}))
	u.Expect(ask)
	err := storage.NewSessionService(h.db).WithSession(h.ctx(), domain.ChannelWeChat, "oBomb", func(_ context.Context, s *domain.ChatSession) error {
		if s.State != "pickup.code" {
			t.Errorf("session moved to %s/%s", s.Flow, s.State)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), r.ID)
	if err != nil || got.PickupCode != "" || got.Status != r.Status || got.Version != r.Version {
		t.Errorf("the return changed: %+v, %v", got, err)
	}

	u.SendPicture(qrPNG(t, "WB-PICKUP-77123"))
	u.Expect(u.L.T("flow.pickup.confirm", map[string]any{"Code": "WB-PICKUP-77123", "Address": r.PickupPointAddress}))
}
