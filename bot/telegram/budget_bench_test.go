package telegram_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

var burstSize = flag.Int("burst", 3000, "messages BenchmarkSharedBudget sends, one per private chat")

// BenchmarkSharedBudget bursts messages to as many private chats, plus a
// staff group's worth, through 1, 2 and 4 replicas (each a Bot with its own
// database pool) on one PostgreSQL budget, against the fake with its limits
// on, on the real clock. It reports the rate over Telegram's ceiling of 30 a
// second (the goal: at least 0.95), the 429s (the goal: none) and the most
// group messages in any minute as sent (at most 20).
func BenchmarkSharedBudget(b *testing.B) {
	for _, replicas := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("Replicas%d", replicas), func(b *testing.B) {
			for b.Loop() {
				burst(b, replicas, *burstSize)
			}
		})
	}
}

const benchGroup = -1001000000077

func burst(b *testing.B, replicas, n int) {
	tg := tgfake.New(tgfake.Options{})
	b.Cleanup(tg.Close)
	tg.AddGroup(benchGroup, "Indigo staff", false)
	url := pgtest.NewURL(b)
	chats := make(chan int64, n)
	for i := range n {
		id := int64(900000 + i)
		tg.AddUser(tgfake.User{ID: id, LanguageCode: "en"})
		tg.SendText(id, "/start") // the bot may write only to who wrote first
		chats <- id
	}
	close(chats)

	var (
		mu        sync.Mutex
		groupSent []time.Time
		lastSent  time.Time // of the private messages
		wg        sync.WaitGroup
	)
	bots := make([]*telegram.Bot, replicas)
	logs := &logBuffer{}
	for r := range bots {
		bots[r] = benchBot(b, tg, url, logs)
	}
	start := time.Now()
	// The group's posts go one after another, as the staff desk posts
	// them, from each replica in turn; they overlap the burst.
	wg.Go(func() {
		for i := range groupPosts {
			err := bots[i%len(bots)].Send(context.Background(), strconv.FormatInt(benchGroup, 10), []conversations.Reply{{Text: "New return"}})
			if err != nil {
				b.Errorf("post to the group: %v", err)
			}
			mu.Lock()
			groupSent = append(groupSent, time.Now())
			mu.Unlock()
		}
	})
	for _, bot := range bots {
		for range 16 { // a replica's delivery workers
			wg.Go(func() {
				for id := range chats {
					err := bot.Send(context.Background(), strconv.FormatInt(id, 10), []conversations.Reply{{Text: "Your return arrived"}})
					if err != nil {
						b.Errorf("send to %d: %v", id, err)
					}
					mu.Lock()
					lastSent = time.Now()
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	// The group's posts are done well before the burst: all count.
	elapsed := lastSent.Sub(start)
	b.ReportMetric(float64(n+groupPosts)/elapsed.Seconds()/30, "of-ceiling")
	b.ReportMetric(float64(strings.Count(logs.String(), "booking again")), "rebooked")
	b.ReportMetric(float64(tg.Count429()), "429s")
	b.ReportMetric(float64(mostInAMinute(groupSent)), "group-max/min")
	b.ReportMetric(elapsed.Seconds(), "s")
}

// groupPosts is more than a minute's 20, so the group's limit is crossed.
const groupPosts = 30

func benchBot(b *testing.B, tg *tgfake.Server, url string, logs *logBuffer) *telegram.Bot {
	b.Helper()
	db, err := storage.Open(context.Background(), url, pgtest.SecretKey)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	bot, err := telegram.New(telegram.Config{
		Token: tg.Token(), APIEndpoint: tg.URL() + "/bot%s/%s",
		Budget: storage.NewSendBudget(db),
		Log:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, storage.NewSessionService(db), bundle)
	if err != nil {
		b.Fatal(err)
	}
	return bot
}

func mostInAMinute(ts []time.Time) int {
	slices.SortFunc(ts, time.Time.Compare)
	most := 0
	for i := range ts {
		j := i
		for j < len(ts) && ts[j].Sub(ts[i]) < time.Minute {
			j++
		}
		most = max(most, j-i)
	}
	return most
}
