package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// fakes are the outside world of one end-to-end test. Telegram's and WB's
// limits are on and waited out on clock, which jumps instead of sleeping:
// the fakes and the service (run) agree on it.
type fakes struct {
	tg    *tgfake.Server
	wb    *wbfake.Server
	clock *tgtest.Clock
}

func newFakes(tb testing.TB) *fakes {
	clock := tgtest.NewClock()
	f := &fakes{tg: tgfake.New(tgfake.Options{Now: clock.Now}), wb: wbfake.New(), clock: clock}
	f.wb.SetClock(clock.Now)
	tb.Cleanup(f.tg.Close)
	tb.Cleanup(f.wb.Close)
	return f
}

// run starts the service against the fakes, on their clock.
func (f *fakes) run(tb testing.TB, env map[string]string) *Main {
	tb.Helper()
	return runMain(tb, env, f.clock)
}

// env points the service at the fakes: a config change only.
func (f *fakes) env(databaseURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL":          databaseURL,
		"TELEGRAM_BOT_TOKEN":    f.tg.Token(),
		"TELEGRAM_API_ENDPOINT": f.tg.URL() + "/bot%s/%s",
		"WB_API_BASE_URL":       f.wb.URL,
	}
}

// TestTelegramEndToEnd: a seller onboards in Chinese, connects a store with
// a WB token, the poll finds a return waiting at a pickup point, the push
// reaches the chat through the outbox, and the seller's code is saved.
func TestTelegramEndToEnd(t *testing.T) {
	f := newFakes(t)
	m := f.run(t, f.env(pgtest.NewURL(t)))
	u := tgtest.NewUser(t, f.tg, 4242, "zh")
	u.Onboard("zh", false)

	sid := "0f6e2c1a-1111-4222-8333-944455556666"
	u.Send(f.wb.IssueToken(wbfake.TokenOptions{SellerID: sid}))
	u.Expect(tgtest.Head(u.L.T("flow.store.checklist")))
	u.Press(u.L.T("button.done"))
	u.Expect(u.L.T("flow.store.ready"))

	shk := f.wb.AddReturn(sid, wbfake.ReturnRow{NmID: 42, Srid: "srid-e2e", Status: wbfake.ReturnInTransit})
	f.wb.AddCard(sid, wbfake.Card{NmID: 42, Title: "羽绒服", VendorCode: "DJ-01"})
	f.wb.MoveToPickupPoint(sid, shk, 7, "Москва, Тверская 1")
	if _, err := m.Poller.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first push is the digest-free pickup prompt: one notification.
	u.Expect("Москва, Тверская 1")
	u.Press(u.L.T("button.send_pickup_code"))
	u.Send("48210937")
	u.Expect("48210937")
	u.Press(u.L.T("button.confirm"))
	u.Expect(tgtest.Head(u.L.T("flow.pickup.sent", map[string]any{"Count": 1, "Returns": strconv.FormatInt(shk, 10)})))

	list, _, err := storage.NewReturnService(m.DB).FindReturns(pgtest.System(), domain.ReturnFilter{})
	if err != nil || len(list) != 1 || list[0].PickupCode != "48210937" || list[0].ProductName != "羽绒服" {
		t.Fatalf("returns = %+v, %v", list, err)
	}
}

// TestOutboxSurvivesCrash: a change committed by a process that died
// before delivering its notification is delivered after restart, once.
func TestOutboxSurvivesCrash(t *testing.T) {
	f := newFakes(t)
	url := pgtest.NewURL(t)
	key, _ := ParseSecretKey(goodKey)
	db, err := storage.Open(context.Background(), url, key)
	if err != nil {
		t.Fatal(err)
	}
	u := tgtest.NewUser(t, f.tg, 5151, "en")
	u.Send("/help") // a chat must start before a bot may write to it
	seller := pgtest.Seller(t, db, func(s *domain.Seller) {
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "5151"}}
	})
	r := pgtest.Return(t, db, pgtest.Store(t, db, seller.ID, nil).ID, func(r *domain.Return) { r.ProductName = "Silk scarf" })
	if _, err := storage.NewReturnService(db).ApplyEvent(pgtest.System(), r.ID, domain.ReturnChange{Event: domain.EventArriveAtPickupPoint}); err != nil {
		t.Fatal(err)
	}
	db.Close() // the process dies here

	for restart := range 2 {
		m := f.run(t, f.env(url))
		if restart == 0 {
			u.Expect("Silk scarf")
		}
		waitOutboxEmpty(t, m.DB, seller.ID)
		m.Close()
	}
	if n := countContaining(f.tg.Sent(u.ID), "Silk scarf"); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
}

func waitOutboxEmpty(t *testing.T, db *storage.DB, sellerID int64) {
	t.Helper()
	deadline := time.Now().Add(tgtest.WaitLimit)
	for time.Now().Before(deadline) {
		list, err := storage.NewNotificationService(db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &sellerID, Unsent: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the outbox was not drained")
}

func countContaining(msgs []tgfake.Message, s string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text+m.Caption, s) {
			n++
		}
	}
	return n
}
