package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// panicSellers is the seller lookup with a bug for one account: while
// armed, every input from it panics inside the engine's turn.
type panicSellers struct {
	domain.SellerService
	user   string
	armed  atomic.Bool
	panics atomic.Int32
}

func (s *panicSellers) FindSellerByIdentity(ctx context.Context, id domain.Identity) (*domain.Seller, error) {
	if s.armed.Load() && id.ExternalID == s.user {
		s.panics.Add(1)
		panic("sellers: index out of range [3] with length 3")
	}
	return s.SellerService.FindSellerByIdentity(ctx, id)
}

const poisonGroup = -1_001_000_001_400

// guarded is a deployment whose bot runs updates under the production
// guard, with a staff desk posting alerts into a staff group.
type guarded struct {
	*harness
	sellers *panicSellers
	desk    *conversations.StaffDesk
}

// newGuarded builds it by polling, or by webhook when webhook is set; the
// bot starts with start.
func newGuarded(t *testing.T, webhook bool) *guarded {
	t.Helper()
	var hook atomic.Value // http.Handler, set once the bot exists
	var url string
	if webhook {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hook.Load().(http.Handler).ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		url = srv.URL + "/telegram"
	}
	h := newHarness(t, harnessOptions{webhookURL: url})
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	deps := convtest.Deps(h.db, h.wb.URL, bundle, log)
	g := &guarded{harness: h, sellers: &panicSellers{SellerService: deps.Sellers, user: "7007"}}
	deps.Sellers = g.sellers
	poisoned := storage.NewPoisonService(h.db)
	bot, err := telegram.New(telegram.Config{
		Token: h.tg.Token(), APIEndpoint: h.tg.URL() + "/bot%s/%s", WebhookURL: url, WebhookSecret: secret,
		Log: log, Backoff: time.Millisecond, Guard: &domain.Guard{Store: poisoned, Log: log},
		Clock: h.clock,
	}, h.sessions, bundle)
	if err != nil {
		t.Fatal(err)
	}
	h.bot = bot
	h.tg.AddGroup(poisonGroup, "Indigo staff", true)
	support := storage.NewSupportService(h.db)
	g.desk = &conversations.StaffDesk{Services: deps, Support: support,
		Audit: storage.NewAuditService(h.db), Chat: bot.StaffChat(poisonGroup, support), Poisoned: poisoned, Log: log}
	deps.Support, deps.Staff = g.desk, g.desk
	h.engine = conversations.NewEngine(deps)
	hook.Store(bot.WebhookHandler(h.engine))
	return g
}

// alerts flushes the desk and returns what the staff group holds about
// updates set aside.
func (g *guarded) alerts(t *testing.T) []tgfake.Message {
	t.Helper()
	if _, err := g.desk.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var out []tgfake.Message
	for _, m := range g.tg.Sent(poisonGroup) {
		if strings.Contains(m.Text, domain.WorkerTelegramUpdate) {
			out = append(out, m)
		}
	}
	return out
}

// TestPanicSetAside: an update that panics in the engine does not stop the
// bot; it is tried three times and set aside, its sender is told so, staff
// hear of it once, and updates after it, from anyone, are handled.
func TestPanicSetAside(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		webhook bool
	}{{"Polling", false}, {"Webhook", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuarded(t, tt.webhook)
			g.start()
			bad, good := g.user(7007, "en"), g.user(7008, "en")
			l := bad.L

			g.sellers.armed.Store(true)
			bad.Send("/start")
			good.Send("/start")
			bad.Expect(l.T("error.input.set_aside"))
			good.Expect(head(l.T("flow.onboarding.language")))
			g.sellers.armed.Store(false) // the bug is fixed

			bad.Send("/start")
			bad.Expect(head(l.T("flow.onboarding.language")))
			if err := g.tg.WaitUpdatesConfirmed(g.ctx()); err != nil {
				t.Fatalf("updates were never confirmed: %v", err)
			}
			if n := g.sellers.panics.Load(); n != domain.PoisonLimit {
				t.Errorf("the update panicked %d times, want %d", n, domain.PoisonLimit)
			}
			sorry := 0
			for _, m := range g.tg.Sent(bad.ID) {
				if m.Text == l.T("error.input.set_aside") {
					sorry++
				}
			}
			if sorry != 1 {
				t.Errorf("the sender was apologised to %d times, want once:\n%s", sorry, dump(g.tg.Sent(bad.ID)))
			}
			first := g.alerts(t)
			if again := g.alerts(t); len(first) != 1 || len(again) != 1 {
				t.Fatalf("staff were told %d, then %d times, want once:\n%s", len(first), len(again), dump(again))
			}
			if !strings.Contains(first[0].Text, "7007") || !strings.Contains(first[0].Text, "index out of range") {
				t.Errorf("the alert does not say where and what:\n%s", first[0].Text)
			}
		})
	}
}

// TestUndecodableUpdate: an update the library cannot decode is skipped by
// its update_id alone; the updates around it, in the same batch, are
// handled and confirmed.
func TestUndecodableUpdate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		webhook bool
	}{{"Polling", false}, {"Webhook", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuarded(t, tt.webhook)
			u := g.user(7010, "en")
			// Queued before the bot starts, so that polling gets all three at once.
			u.Send("/start")
			broken := g.tg.SendRawUpdate("message", `{"message_id":"not a number","date":1,"text":"/help",`+
				`"chat":{"id":7010,"type":"private"},"from":{"id":7010,"first_name":"Li"}}`)
			u.TG.SendText(u.ID, "/help")
			g.start()

			u.After = 0
			u.Expect(head(u.L.T("flow.onboarding.language")))
			u.Expect(head(u.L.T("flow.help")))
			if err := g.tg.WaitUpdatesConfirmed(g.ctx()); err != nil {
				t.Fatalf("the batch was never confirmed: %v", err)
			}
			if logs := g.logs.String(); !strings.Contains(logs, "undecodable update skipped") ||
				!strings.Contains(logs, "update="+strconv.Itoa(broken)) {
				t.Errorf("the skipped update %d was not logged:\n%s", broken, logs)
			}
		})
	}
}
