package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// chatsWithSellers starts n Telegram chats and makes each a seller.
func chatsWithSellers(tb testing.TB, f *fakes, db *storage.DB, n int) []*domain.Seller {
	tb.Helper()
	var sellers []*domain.Seller
	for i := range n {
		id := int64(7000 + i)
		tgtest.NewUser(tb, f.tg, id, "en").Send("/help")
		sellers = append(sellers, pgtest.Seller(tb, db, func(s *domain.Seller) {
			s.QuietHours = false
			s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(id, 10)}}
		}))
	}
	return sellers
}

// queue writes notifications the way the services do: one per changed return.
func queue(tb testing.TB, db *storage.DB, sellers []*domain.Seller, total int) {
	tb.Helper()
	ns := storage.NewNotificationService(db)
	err := db.InTx(pgtest.System(), func(ctx context.Context) error {
		for i := range total {
			s := sellers[i%len(sellers)]
			if err := ns.CreateNotification(ctx, &domain.Notification{SellerID: s.ID, Kind: domain.NotifyTokenExpiring,
				Data: map[string]any{"Store": fmt.Sprint("Store ", i), "Days": 3}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// drained waits until every notification is sent and returns the delays
// from being written to being sent.
func drained(tb testing.TB, db *storage.DB, total int, limit time.Duration) []time.Duration {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		var sent int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE sent_at IS NOT NULL`).Scan(&sent); err != nil {
			tb.Fatal(err)
		}
		if sent == total {
			rows, err := db.Pool.Query(context.Background(), `SELECT extract(epoch FROM sent_at - created_at) FROM notifications`)
			if err != nil {
				tb.Fatal(err)
			}
			var delays []time.Duration
			for rows.Next() {
				var s float64
				if err := rows.Scan(&s); err != nil {
					tb.Fatal(err)
				}
				delays = append(delays, time.Duration(s*float64(time.Second)))
			}
			slices.Sort(delays)
			return delays
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("outbox not drained within %s", limit)
	return nil
}

// TestOutboxBurst: 1,000 notifications for 10 chats reach the fake
// Telegram server, which enforces its limits, without a single 429.
func TestOutboxBurst(t *testing.T) {
	f := newFakes(t)
	m := f.run(t, f.env(pgtest.NewURL(t)))
	sellers := chatsWithSellers(t, f, m.DB, 10)
	queue(t, m.DB, sellers, 1000)
	drained(t, m.DB, 1000, 30*time.Second)
	if n := f.tg.Count429(); n != 0 {
		t.Fatalf("%d answers were 429", n)
	}
	for _, s := range sellers {
		id, _ := strconv.ParseInt(s.Identities[0].ExternalID, 10, 64)
		if len(f.tg.Sent(id)) == 0 {
			t.Fatalf("chat %d got nothing", id)
		}
	}
}

// BenchmarkOutbox reports how fast the outbox drains into Telegram and the
// delay from the change being committed to Telegram accepting the message.
func BenchmarkOutbox(b *testing.B) {
	for _, perSeller := range []int{1, 20} {
		b.Run(fmt.Sprintf("PerSeller%d", perSeller), func(b *testing.B) {
			f := newFakes(b)
			m := MustRunMain(b, f.env(pgtest.NewURL(b))) // the wall clock: this measures real time
			sellers := chatsWithSellers(b, f, m.DB, 50)
			total := 0
			var delays []time.Duration
			start := time.Now()
			for b.Loop() {
				queue(b, m.DB, sellers, perSeller*len(sellers))
				total += perSeller * len(sellers)
				delays = drained(b, m.DB, total, time.Minute)
				// Each chat may take a message a second: wait as a real burst would.
				time.Sleep(1100 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(total)/elapsed.Seconds(), "notifications/s")
			b.ReportMetric(float64(delays[len(delays)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(delays[len(delays)*99/100].Milliseconds()), "p99-ms")
			b.ReportMetric(float64(f.tg.Count429()), "429s")
		})
	}
}
