package conversations_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/resale"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// resaleClock is the time the resale loop, the fake WB and storage share,
// so the buyer's statuses come due without waiting.
type resaleClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *resaleClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *resaleClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
func (c *resaleClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// resaleFixture is the staff desk with the shelf on, and the resale loop
// through the real WB client against the fake.
type resaleFixture struct {
	*staffFixture
	clock *resaleClock
	units *storage.UnitService
	loop  *resale.Loop
}

func newResaleFixture(t *testing.T) *resaleFixture {
	f := &resaleFixture{staffFixture: newStaffFixture(t, true), clock: &resaleClock{now: time.Now().Truncate(time.Second)}}
	f.h.wb.SetClock(f.clock.Now)
	f.h.db.Now = f.clock.Now
	f.units = storage.NewUnitService(f.h.db)
	f.h.engine.Shelf, f.desk.Services.Shelf = f.units, f.units
	f.loop = &resale.Loop{
		WB:     wb.New(wb.Config{BaseURL: f.h.wb.URL, Now: f.clock.Now, Sleep: f.clock.Sleep}),
		Ledger: f.units, Now: f.clock.Now, Config: resale.Config{OfficeID: 15, City: "Подольск"},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 2, Batch: 100,
	}
	return f
}

// settle runs the loop a few minutes apart until a round does nothing.
func (f *resaleFixture) settle(t *testing.T) {
	t.Helper()
	for range 20 {
		f.clock.Advance(3 * time.Minute)
		st, err := f.loop.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Failed == 0 && !st.Busy() {
			return
		}
	}
	t.Fatal("the resale loop did not settle")
}

// postWith is the latest post in the staff chat whose text holds want.
func (f *resaleFixture) postWith(t *testing.T, want string) staffPost {
	t.Helper()
	f.chat.mu.Lock()
	defer f.chat.mu.Unlock()
	for i := len(f.chat.posts) - 1; i >= 0; i-- {
		if strings.Contains(f.chat.posts[i].m.Text, want) {
			return f.chat.posts[i]
		}
	}
	t.Fatalf("no staff post with %q", want)
	return staffPost{}
}

// TestResaleThroughTheStaffChat is "Sell on WB" end to end, as the seller
// and staff live it: the seller decides, staff put the item on a shelf
// place from the task's card, the loop makes the seller's warehouse once
// with stock 1, a buyer orders, the seller's topic gets the pick with the
// shelf place, barcode and sticker file, staff press Packed and Handed
// over, the supply is delivered with its shipping parameters and its QR
// posted, the buyer receives it, and the seller is told the price.
func TestResaleThroughTheStaffChat(t *testing.T) {
	f := newResaleFixture(t)
	l := bundle.For("en")
	seller, store, sid, r := f.decided(t)
	token := store.Token

	// The task's card asks staff to put the item on a shelf place.
	f.flush(t)
	card := f.postWith(t, "R-555 · Down jacket")
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: buttonWith(t, card.m, l.T("staff.button.shelve")), ButtonOn: card.ids[0]}})
	ask := f.postWith(t, l.T("staff.shelve.ask_reply", map[string]any{"Return": "R-555"}))
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "A-3-2"}, ReplyTo: ask.ids[0]})
	f.postWith(t, l.T("staff.shelve.done", map[string]any{"Return": "R-555", "Shelf": "A-3-2"}))

	f.settle(t)
	whs, err := f.loop.WB.Warehouses(context.Background(), token)
	must(t, err)
	if len(whs) != 1 || f.h.wb.Stock(sid, whs[0].ID, 5550) != 1 {
		t.Fatalf("warehouses %+v, want one with stock 1", whs)
	}
	order, err := f.h.wb.PlaceOrder(sid, wbfake.BuyerOrder{WarehouseID: whs[0].ID, NmID: 555, ChrtID: 5550, Price: 199900})
	must(t, err)
	f.settle(t)

	// The pick reaches the seller's topic with the sticker as a file.
	f.flush(t)
	pick := f.postWith(t, "A buyer ordered Down jacket")
	for _, want := range []string{"shelf A-3-2", "barcode 2000555"} {
		if !strings.Contains(pick.m.Text, want) {
			t.Errorf("pick lacks %q:\n%s", want, pick.m.Text)
		}
	}
	if len(pick.files) != 1 || !strings.HasPrefix(string(pick.files[0]), "<svg") || pick.at.Thread == 0 {
		t.Fatalf("pick files %d in thread %d, want the sticker in the seller's topic", len(pick.files), pick.at.Thread)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: buttonWith(t, pick.m, l.T("staff.button.packed")+" · R-555"), ButtonOn: pick.ids[0]}})
	packed := f.postWith(t, "R-555 is packed")
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: buttonWith(t, packed.m, l.T("staff.button.handed_over")), ButtonOn: packed.ids[0]}})
	f.settle(t)

	f.flush(t)
	units, err := f.units.FindUnits(pgtest.System(), domain.UnitFilter{ReturnID: &r.ID})
	must(t, err)
	sp, err := f.units.FindSupplyByID(pgtest.System(), *units[0].SupplyID)
	must(t, err)
	qr := f.postWith(t, "Supply "+sp.WBID+" is handed over")
	if len(qr.files) != 1 {
		t.Errorf("QR post has %d files", len(qr.files))
	}
	wbSupply, orders, _ := f.h.wb.Supply(sid, sp.WBID)
	if !wbSupply.Done || wbSupply.ShippingDt == "" || !slices.Equal(orders, []int64{order}) {
		t.Fatalf("WB supply %+v with %v", wbSupply, orders)
	}

	must(t, f.h.wb.MoveOrder(sid, order, "sold"))
	f.clock.Advance(20 * time.Minute)
	f.settle(t)
	kind := domain.NotifyResaleSold
	sold, err := storage.NewNotificationService(f.h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Kind: &kind})
	must(t, err)
	if len(sold) != 1 {
		t.Fatalf("%d sold notifications", len(sold))
	}
	push, err := f.h.engine.RenderNotification(context.Background(), sold[0])
	must(t, err)
	if want := l.T("notify.resale_sold", map[string]any{"Product": "Down jacket", "Return": "R-555", "Price": l.FormatRUB(199900)}); push.Replies[0].Text != want {
		t.Errorf("seller told %q, want %q", push.Replies[0].Text, want)
	}
	var actions []string
	for _, e := range auditOf(t, f, seller.ID) {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"unit.shelve", "unit.pack", "supply.hand_over"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no audit entry %s in %v", want, actions)
		}
	}
	if got := strconv.Itoa(len(f.h.wb.Supplies(sid))); got != "1" {
		t.Errorf("%s supplies on WB", got)
	}
}

// decided is a seller whose return R-555 of card 555 (size 5550, barcode
// 2000555) they decided to sell on WB; it returns the seller, the store
// with a token the fake accepts, the WB seller id and the return.
func (f *resaleFixture) decided(t *testing.T) (*domain.Seller, *domain.Store, string, *domain.Return) {
	t.Helper()
	seller := pgtest.Seller(t, f.h.db, func(s *domain.Seller) { s.Name = "Li Wei" })
	token := f.h.wb.IssueToken(wbfake.TokenOptions{})
	claims, err := wb.ParseToken(token)
	must(t, err)
	store := pgtest.Store(t, f.h.db, seller.ID, func(s *domain.Store) { s.Name = "Main store"; s.Token, s.SupplierID = token, claims.SellerID })
	f.h.wb.AddCard(claims.SellerID, wbfake.Card{NmID: 555, Title: "Down jacket", VendorCode: "DJ-1",
		Sizes: []wbfake.CardSize{{ChrtID: 5550, TechSize: "M", Skus: []string{"2000555"}}}})
	returns := storage.NewReturnService(f.h.db)
	r := &domain.Return{StoreID: store.ID, ReturnNumber: "R-555", NmID: 555, Barcode: "2000555", ProductName: "Down jacket",
		RequestDate: f.clock.Now(), Status: domain.StatusAwaitingSellerDecision, PriceRUB: 249900}
	must(t, returns.CreateReturn(pgtest.System(), r))
	r, err = returns.ApplyEvent(pgtest.As(seller), r.ID, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB})
	must(t, err)
	return seller, store, claims.SellerID, r
}

func auditOf(t *testing.T, f *resaleFixture, sellerID int64) []*domain.AuditEntry {
	t.Helper()
	list, err := storage.NewAuditService(f.h.db).FindAuditEntries(pgtest.System(), nil, &sellerID, 100)
	must(t, err)
	return list
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// shelved is a seller's item put on shelf A-3-2 by staff and listed by the
// loop, with the seller's chat.
func (f *resaleFixture) shelved(t *testing.T) (*domain.Seller, *chat, string, *domain.Unit) {
	t.Helper()
	seller, _, sid, r := f.decided(t)
	u, err := f.units.ShelveUnit(domain.NewContextWithActor(context.Background(), domain.StaffActor(77, "Olga")), r.ID, "A-3-2")
	must(t, err)
	f.settle(t)
	return seller, f.h.chat(seller.Identities[0].ExternalID, "en"), sid, u
}

// TestResaleSellerView: the seller sees their items on sale in /returns
// and on the return's card, takes one off sale there (the WB stock follows
// and staff are told), and says the invite into the WB account is done,
// which stops the reminders.
func TestResaleSellerView(t *testing.T) {
	f := newResaleFixture(t)
	l := bundle.For("en")
	seller, c, sid, u := f.shelved(t)
	glance := l.T("flow.resale.glance", map[string]any{"OnShelf": 1, "InOrder": 0, "Sold": 0, "Money": l.FormatRUB(0)})
	expect(t, c.send("/returns"), glance)

	c.handle(conversations.Input{Button: conversations.ButtonData("rc", strconv.FormatInt(u.ReturnID, 10), 0), ButtonOn: "m1"})
	expect(t, c.last, l.T("flow.resale.unit", map[string]any{"Status": l.Label("unit_status", "listed")}))
	c.press(l.T("button.withdraw"))
	expect(t, c.press(l.T("button.confirm")), l.T("flow.resale.withdrawn", map[string]any{"Product": "Down jacket", "Return": "R-555"}))
	f.settle(t)
	if got, _ := f.units.FindUnitByID(pgtest.System(), u.ID); got.Status != domain.UnitWithdrawn {
		t.Errorf("unit = %s, want withdrawn", got.Status)
	}
	store, err := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	must(t, err)
	whs, err := f.loop.WB.Warehouses(context.Background(), store[0].Token)
	must(t, err)
	if got := f.h.wb.Stock(sid, whs[0].ID, 5550); got != 0 {
		t.Errorf("WB stock after the withdrawal = %d, want 0", got)
	}
	f.flush(t)
	f.postWith(t, "The seller took Down jacket (R-555")

	kind := domain.NotifyResaleInvite
	invites, err := storage.NewNotificationService(f.h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Kind: &kind})
	must(t, err)
	if len(invites) != 1 {
		t.Fatalf("%d invite reminders, want 1", len(invites))
	}
	push, err := f.h.engine.RenderNotification(context.Background(), invites[0])
	must(t, err)
	c.last = push.Replies
	expect(t, c.press(l.T("button.invite_done")), l.T("flow.resale.invite_thanks"))
	f.clock.Advance(8 * 24 * time.Hour)
	f.settle(t)
	invites, err = storage.NewNotificationService(f.h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &seller.ID, Kind: &kind})
	must(t, err)
	if len(invites) != 1 {
		t.Errorf("%d invite reminders after the seller said done, want 1", len(invites))
	}
}

// TestResaleDecisionNumbers: the decision card puts numbers to "Sell on
// WB": what the buyer paid for the item.
func TestResaleDecisionNumbers(t *testing.T) {
	f := newResaleFixture(t)
	l := bundle.For("en")
	seller := pgtest.Seller(t, f.h.db, nil)
	store := pgtest.Store(t, f.h.db, seller.ID, nil)
	r := &domain.Return{StoreID: store.ID, ReturnNumber: "R-9", NmID: 9, ProductName: "Scarf", PriceRUB: 249900,
		RequestDate: f.clock.Now(), Status: domain.StatusAwaitingSellerDecision}
	must(t, storage.NewReturnService(f.h.db).CreateReturn(pgtest.System(), r))
	push, err := f.h.engine.RenderNotification(context.Background(), &domain.Notification{ID: 1, SellerID: seller.ID,
		Kind: domain.NotifyAwaitingDecision, ReturnID: &r.ID})
	must(t, err)
	expect(t, push.Replies, l.T("flow.decision.explain.sell_on_wb")+" "+l.T("flow.resale.explain_price", map[string]any{"Price": l.FormatRUB(249900)}))
}
