package main

import (
	"context"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestDemoRestart: a demo started again on its database finds the last
// run's seller and returns, its stores re-keyed at the new fake WB, and
// the bot answers the seller (the new fake's ids start above the old
// ones); the seller's chat opens on one morning digest either time.
func TestDemoRestart(t *testing.T) {
	url := pgtest.NewURL(t)
	dir := searchableTempDir(t)
	en := locales.MustNew().For("en")
	start := func() *demo {
		d, err := startDemo(context.Background(), demoOptions{DataDir: dir, HTTPAddr: "127.0.0.1:0",
			DatabaseURL: url, Clock: tgtest.NewClock(), WeChat: weChatFake()})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	morning := func(d *demo) {
		t.Helper()
		waitFor(t, d.m.Config.PublicURL, "the morning digest", func(st demoState) bool {
			return botSaysAfter(chatOf(st, demoSellerTG), 0, func(m demoMessage) bool {
				return strings.HasPrefix(m.Text, tgtest.Head(en.T("notify.daily_digest", map[string]any{"Tabs": ""})))
			})
		})
		digests := 0
		for _, m := range chatOf(getState(t, d.m.Config.PublicURL), demoSellerTG).Messages {
			if m.FromBot && strings.Contains(m.Text, tgtest.Head(en.T("notify.daily_digest", map[string]any{"Tabs": ""}))) {
				digests++
			}
		}
		if digests != 1 {
			t.Errorf("the seller's chat opens with %d morning digests, want one", digests)
		}
	}
	first := start()
	morning(first)
	returns, _, err := storage.NewReturnService(first.m.DB).FindReturns(pgtest.System(), domain.ReturnFilter{})
	if err != nil || len(returns) == 0 {
		t.Fatalf("first run: %d returns, %v", len(returns), err)
	}
	first.Close()

	second := start()
	t.Cleanup(second.Close)
	if second.seeded || second.seller == nil || second.seller.ID != first.seller.ID {
		t.Fatalf("the second run seeded anew (seller %v, first %d)", second.seller, first.seller.ID)
	}
	again, _, err := storage.NewReturnService(second.m.DB).FindReturns(pgtest.System(), domain.ReturnFilter{})
	if err != nil || len(again) < len(returns) {
		t.Fatalf("second run: %d returns, want the first run's %d: %v", len(again), len(returns), err)
	}
	morning(second)
	base := second.m.Config.PublicURL
	after := lastID(chatOf(getState(t, base), demoSellerTG))
	postJSON(t, base+"/demo/api/send", demoRequest{User: demoSellerTG, Text: "/returns"})
	waitFor(t, base, "an answer to /returns after the restart", func(st demoState) bool {
		return botSaysAfter(chatOf(st, demoSellerTG), after, func(demoMessage) bool { return true })
	})
	stores, err := storage.NewStoreService(second.m.DB).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &second.seller.ID})
	if err != nil || len(stores) != 2 || stores[0].TokenRejected {
		t.Fatalf("stores after the restart: %+v, %v", stores, err)
	}
	if _, err := second.m.Poller.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := storage.NewStoreService(second.m.DB).FindStoreByID(pgtest.System(), stores[0].ID); got.TokenRejected {
		t.Error("the new fake WB refused the re-keyed token")
	}
}
