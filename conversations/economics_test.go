package conversations_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/poll"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// clockHarness is a harness whose database, engine and fake WB read one
// fixed clock, so what a card says of dates and days left is fixed too.
func clockHarness(t *testing.T, now time.Time) (*harness, func(time.Time)) {
	t.Helper()
	h := newHarness(t)
	at := now
	clock := func() time.Time { return at }
	h.db.Now = clock
	h.wb.SetClock(clock)
	h.restart()
	return h, func(t time.Time) { at = t }
}

var staffActs = pgtest.Staff()

// setTariff keeps Indigo's tariff as staff would, from a day before now.
func setTariff(t *testing.T, db *storage.DB, now time.Time, lines ...domain.Tariff) {
	t.Helper()
	for _, line := range lines {
		line.EffectiveFrom = now.Add(-24 * time.Hour)
		if err := storage.NewTariffService(db).SetTariff(staffActs, &line); err != nil {
			t.Fatal(err)
		}
	}
}

var indigoTariff = []domain.Tariff{
	{Kind: domain.TariffSellFee, Value: 150_00}, {Kind: domain.TariffReturnHandling, Value: 200_00},
	{Kind: domain.TariffDisposeFee, Value: 90_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 1000, Value: 900_00},
	{Kind: domain.TariffShipping, Zone: "CN", MaxWeightGram: 5000, Value: 2900_00},
}

// fetchRates loads WB's tariffs from the fake as the tariffs job does.
func fetchRates(t *testing.T, h *harness, now time.Time) {
	t.Helper()
	r := &poll.Rates{WB: wb.New(wb.Config{BaseURL: h.wb.URL}), Stores: storage.NewStoreService(h.db),
		Rates: storage.NewMarketRateService(h.db), Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := r.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// renderPush renders the return's newest notification of kind.
func renderPush(t *testing.T, h *harness, sellerID, returnID int64, kind domain.NotificationKind) []conversations.Reply {
	t.Helper()
	ns, err := storage.NewNotificationService(h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &sellerID, Kind: &kind, ReturnID: &returnID})
	if err != nil || len(ns) == 0 {
		t.Fatalf("no %s notification: %v", kind, err)
	}
	push, err := h.engine.RenderNotification(context.Background(), ns[len(ns)-1])
	if err != nil {
		t.Fatal(err)
	}
	return push.Replies
}

// shown is what a reply shows: its text, then its buttons' labels.
func shown(rs []conversations.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		for _, row := range r.Buttons {
			var labels []string
			for _, btn := range row {
				labels = append(labels, "["+btn.Text+"]")
			}
			b.WriteString("\n" + strings.Join(labels, " "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestDecisionCardGolden: the decision prompt shows each option's
// estimate from WB's tariffs (as the fake serves them) and Indigo's, the
// best marked, its sources, and the deadline with the default, in the
// seller's language and time zone.
func TestDecisionCardGolden(t *testing.T) {
	for _, lang := range domain.AllLanguages() {
		t.Run(string(lang), func(t *testing.T) {
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			h, _ := clockHarness(t, now)
			seller := pgtest.Seller(t, h.db, func(s *domain.Seller) {
				s.Name, s.Language, s.TimeZone = "Li Wei", lang, "Asia/Shanghai"
			})
			store := pgtest.Store(t, h.db, seller.ID, func(s *domain.Store) { s.Token = h.wb.IssueToken(wbfake.TokenOptions{}) })
			setTariff(t, h.db, now, indigoTariff...)
			fetchRates(t, h, now)
			if err := storage.NewPriceService(h.db).SaveProduct(pgtest.System(), &domain.Product{StoreID: store.ID, NmID: 183402117,
				SubjectID: 168, SubjectName: "Куртки", LengthCM: 40, WidthCM: 30, HeightCM: 10, WeightGram: 1400}); err != nil {
				t.Fatal(err)
			}
			r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
				r.Status, r.ProductName, r.VendorCode, r.NmID = domain.StatusInTransitToWarehouse, "Women's down jacket", "DJ-2417-BLK", 183402117
				r.Barcode, r.ReturnNumber, r.Subject, r.RequestDate = "2000183402117", "51000123", "Куртки", now.AddDate(0, 0, -10)
				r.PriceRUB, r.PriceCNY, r.PriceSource = 8990_00, 719_20, domain.PriceSourceClaim
			})
			if _, err := storage.NewReturnService(h.db).ApplyEvent(staffActs, r.ID, domain.ReturnChange{Event: domain.EventReceive}); err != nil {
				t.Fatal(err)
			}
			golden(t, "decision_card."+string(lang)+".txt", shown(renderPush(t, h, seller.ID, r.ID, domain.NotifyAwaitingDecision)))
		})
	}
}

// TestPickupCountdownInChat: the push and /pickup count WB's seven days
// down in the seller's own calendar: late on a Moscow evening, a seller in
// Shanghai is already a day further.
func TestPickupCountdownInChat(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	ready := time.Date(2026, 12, 1, 22, 30, 0, 0, msk)
	h, setNow := clockHarness(t, ready)
	l := bundle.For("en")
	for _, tt := range []struct {
		zone, user string
		at         time.Time
		want       string
	}{
		{"Europe/Moscow", "7101", time.Date(2026, 12, 2, 0, 30, 0, 0, msk), l.Plural("flow.pickup.clock_days", 6, map[string]any{"Date": "8 Dec 2026"})},
		{"Asia/Shanghai", "7102", time.Date(2026, 12, 2, 0, 30, 0, 0, msk), l.Plural("flow.pickup.clock_days", 7, map[string]any{"Date": "9 Dec 2026"})},
		{"Europe/Moscow", "7103", time.Date(2026, 12, 8, 12, 0, 0, 0, msk), l.T("flow.pickup.clock_last_day", map[string]any{"Time": "22:30"})},
		{"Asia/Shanghai", "7104", time.Date(2026, 12, 8, 12, 0, 0, 0, msk), l.Plural("flow.pickup.clock_days", 1, map[string]any{"Date": "9 Dec 2026"})},
	} {
		t.Run(tt.zone+"/"+tt.at.Format(time.DateTime), func(t *testing.T) {
			setNow(ready)
			seller := pgtest.Seller(t, h.db, func(s *domain.Seller) {
				s.TimeZone, s.QuietHours = tt.zone, false
				s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: tt.user}}
			})
			store := pgtest.Store(t, h.db, seller.ID, nil)
			r := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingReceiptAtWB })
			readyAt := ready
			if _, err := storage.NewReturnService(h.db).ApplyEvent(pgtest.System(), r.ID, domain.ReturnChange{Event: domain.EventArriveAtPickupPoint,
				Update: domain.ReturnUpdate{ReadyAt: &readyAt, PickupPointAddress: ptr("Moscow, Tverskaya 1")}}); err != nil {
				t.Fatal(err)
			}
			setNow(tt.at)
			expect(t, renderPush(t, h, seller.ID, r.ID, domain.NotifyPickupCodeNeeded), tt.want)
			expect(t, h.chat(tt.user, "en").send("/pickup"), tt.want)
		})
	}
}

// TestRulesInChat: /rules adds a rule step by step and previews it; a
// return that reaches its decision point is decided by it with no prompt,
// shows in the morning digest with the rule named, and is undone from it.
func TestRulesInChat(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	h, _ := clockHarness(t, now)
	l := bundle.For("en")
	seller := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.TimeZone, s.QuietHours = "UTC", false
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "7201"}}
	})
	store := pgtest.Store(t, h.db, seller.ID, nil)
	for _, price := range []int64{300_00, 400_00, 5000_00} {
		pgtest.Return(t, h.db, store.ID, func(r *domain.Return) { r.PriceRUB, r.RequestDate = price, now.AddDate(0, 0, -5) })
	}
	c := h.chat("7201", "en")
	expect(t, c.send("/rules"), l.T("flow.rules.none"), l.T("flow.rules.default_indigo", map[string]any{"Decision": l.Label("decision", "sell_on_wb")}))
	c.press(l.T("button.rule.add"))
	c.press(l.Label("rule_action", "dispose"))
	c.press(l.T("button.rule.price_max"))
	expect(t, c.send("500"), l.T("flow.rules.when.price_max", map[string]any{"Price": "₽500"}))
	name := l.T("flow.rules.when.price_max", map[string]any{"Price": "₽500"})
	expect(t, c.press(l.T("button.rule.save")),
		l.T("flow.rules.saved", map[string]any{"Name": name, "Action": l.Label("rule_action", "dispose")}),
		l.Plural("flow.rules.line", 2, map[string]any{"N": 1, "Name": name, "Action": l.Label("rule_action", "dispose")}),
		l.Plural("flow.rules.unmatched", 1, map[string]any{"Total": 3}))
	c.press(l.Label("decision", "return_to_seller"))
	expect(t, c.last, l.T("flow.rules.default_needs_profile"))

	cheap := pgtest.Return(t, h.db, store.ID, func(r *domain.Return) {
		r.Status, r.PriceRUB, r.ProductName = domain.StatusInTransitToWarehouse, 250_00, "Phone case"
	})
	got, err := storage.NewReturnService(h.db).ApplyEvent(staffActs, cheap.ID, domain.ReturnChange{Event: domain.EventReceive})
	if err != nil || got.Status != domain.StatusAwaitingDisposal {
		t.Fatalf("received: %+v, %v", got, err)
	}
	ns := storage.NewNotificationService(h.db)
	if _, err := ns.RemindDaily(pgtest.System(), now); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.AttachAutoDecisions(pgtest.System(), now); err != nil {
		t.Fatal(err)
	}
	kind := domain.NotifyDailyDigest
	digests, err := ns.FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Kind: &kind})
	if err != nil || len(digests) != 1 {
		t.Fatalf("digests = %v, %v", digests, err)
	}
	push, err := h.engine.RenderNotification(context.Background(), digests[0])
	if err != nil {
		t.Fatal(err)
	}
	expect(t, push.Replies, l.T("flow.digest.auto_title"),
		l.T("flow.decision.by_rule", map[string]any{"Rule": name, "Decision": l.Label("decision", "dispose")}))
	c.last = push.Replies
	expect(t, c.press(l.T("button.undo_decision")), l.T("flow.decision.undone"))
	got, _ = storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), cheap.ID)
	if got.Status != domain.StatusAwaitingSellerDecision || got.Decision != "" {
		t.Fatalf("after the undo: %s %q", got.Status, got.Decision)
	}
}

// TestStaffTariffAndExpiring: staff set Indigo's tariff in the staff chat
// (audited), read it back, and list the returns about to expire at WB.
func TestStaffTariffAndExpiring(t *testing.T) {
	f := newStaffFixture(t, false)
	l := bundle.For("en")
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/tariff sell_fee 150,50"}})
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/tariff shipping CN 1000 900"}})
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/tariff decision_days 10 from 2026-12-15"}})
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/tariff gift_wrap 5"}})
	if got := f.chat.last(t).m.Text; !strings.Contains(got, l.T("error.tariff.unknown_kind", map[string]any{"Kind": "gift_wrap"})) {
		t.Fatalf("a bad line answered %q", got)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/tariff"}})
	list := f.chat.last(t).m.Text
	for _, want := range []string{"₽150.50", "CN", "₽900", l.Label("tariff_kind", "sell_fee")} {
		if !strings.Contains(list, want) {
			t.Errorf("the tariff lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, l.Label("tariff_kind", "decision_days")) {
		t.Errorf("a line from a later date is in force now:\n%s", list)
	}
	book, err := storage.NewTariffService(f.h.db).TariffBook(pgtest.System(), time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC))
	if err != nil || book.DecisionDays() != 10 {
		t.Fatalf("decision days from the 15th = %d, %v", book.DecisionDays(), err)
	}

	seller, _ := f.sellerChat(t)
	stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	ready := time.Now().Add(-6 * 24 * time.Hour)
	r := pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReadyAt, r.PickupPointAddress, r.ReturnNumber = domain.StatusAwaitingPickupCode, &ready, "Kazan, Baumana 7", "EXP-1"
	})
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/expiring"}})
	got := f.chat.last(t).m.Text
	for _, want := range []string{l.Plural("staff.expiring.title", 1, nil), "EXP-1", fmt.Sprintf("/r_%d", r.ID), "Kazan, Baumana 7", l.T("staff.expiring.no_code")} {
		if !strings.Contains(got, want) {
			t.Errorf("/expiring lacks %q:\n%s", want, got)
		}
	}
}

// TestStaffSeeDecisionsMadeForTheSeller: a rule's decision reaches the
// seller's topic as a task that says the seller may still undo it, and
// the undo as one that says not to act on it.
func TestStaffSeeDecisionsMadeForTheSeller(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	l := bundle.For("en")
	if err := storage.NewRuleService(f.h.db).CreateRule(pgtest.As(seller), &domain.Rule{SellerID: seller.ID, Name: "every return", Action: domain.RuleDispose}); err != nil {
		t.Fatal(err)
	}
	stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	r := pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber, r.ProductName = domain.StatusInTransitToWarehouse, "AUTO-1", "Scarf"
	})
	if _, err := storage.NewReturnService(f.h.db).ApplyEvent(staffActs, r.ID, domain.ReturnChange{Event: domain.EventReceive}); err != nil {
		t.Fatal(err)
	}
	f.flush(t)
	data := map[string]any{"Decision": l.Label("decision", "dispose"), "Return": "AUTO-1", "Product": "Scarf", "Link": fmt.Sprintf("/r_%d", r.ID)}
	if !posted(f, l.T("staff.relay.decided_auto", data)) {
		t.Fatalf("no task says the rule decided")
	}
	got, _ := storage.NewReturnService(f.h.db).FindReturnByID(pgtest.System(), r.ID)
	c.handle(conversations.Input{Button: conversations.ButtonData("ud", fmt.Sprint(r.ID), got.Version)})
	f.flush(t)
	data["Decision"] = ""
	if !posted(f, l.T("staff.relay.decision_undone", data)) {
		t.Fatalf("no task says the decision was undone")
	}
}

// posted reports whether any post in the staff chat says text.
func posted(f *staffFixture, text string) bool {
	f.chat.mu.Lock()
	defer f.chat.mu.Unlock()
	for _, p := range f.chat.posts {
		if strings.Contains(p.m.Text, text) {
			return true
		}
	}
	return false
}
