package telegram_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestPickupBomb: while a return waits for its pickup code, a PNG of a
// hundred-odd bytes declaring 50000×50000 pixels arrives as a photo (bytes
// past Telegram's own checks) or as an image document. It is refused from
// its header in the seller's language, the step and the return stay as
// they were, and the real screenshot sent next is read.
func TestPickupBomb(t *testing.T) {
	t.Parallel()
	bomb := convtest.BombPNG(50000, 50000)
	for i, tt := range []struct {
		name, lang string
		send       func(tg *tgfake.Server, chat int64) tgfake.Message
	}{
		{"PhotoEN", "en", func(tg *tgfake.Server, chat int64) tgfake.Message {
			return tg.SendRawPhoto(chat, bomb, 50000, 50000, "")
		}},
		{"DocumentRU", "ru", func(tg *tgfake.Server, chat int64) tgfake.Message {
			return tg.SendDocument(chat, "screenshot.png", bomb, "")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(int64(17001+i), tt.lang)
			l := u.L
			store := pgtest.Store(t, h.db, sellerFor(t, h, u, tt.lang).ID, nil)
			const address = "Moscow, Tverskaya 1"
			r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
				r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, address
			})
			ask := l.Plural("flow.pickup.ask", 1, map[string]any{"Address": address})
			u.Send("/pickup")
			u.Expect(ask)

			u.After = tt.send(h.tg, u.ID).MessageID
			u.Expect(l.T("error.input.image_too_large", map[string]any{
				"MaxMP": conversations.MaxImagePixels / 1_000_000, "MaxMB": conversations.MaxImageBytes >> 20}))
			u.Expect(ask)
			if flow, state := h.session(t, u.ID); state != "pickup.code" {
				t.Errorf("session moved to %s/%s", flow, state)
			}
			if got := findReturn(t, h, r.ID); got.PickupCode != "" || got.Status != r.Status || got.Version != r.Version {
				t.Errorf("the return changed: %+v", got)
			}

			u.After = h.tg.SendDocument(u.ID, "screenshot.png", qrPNG(t, "WB-PICKUP-77123"), "").MessageID
			u.Expect(l.T("flow.pickup.confirm", map[string]any{"Code": "WB-PICKUP-77123", "Address": address}))
		})
	}
}
