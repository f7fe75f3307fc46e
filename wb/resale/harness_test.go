package resale_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/resale"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var _ resale.Ledger = (*storage.UnitService)(nil)

// clock is the one time the loop, the WB client, storage and the fake
// share, so a day of resale takes no wall time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// harness is the resale loop on a real database and a fake WB, with
// limits on, through the real client.
type harness struct {
	// check, when set, runs after every round: the invariants a test holds.
	check func(tb testing.TB)
	// crash, when set, kills a round at its ledger's chosen call.
	crash  *crashLedger
	db     *storage.DB
	wb     *wbfake.Server
	clock  *clock
	units  *storage.UnitService
	loop   *resale.Loop
	client *wb.Client
}

const (
	office = 15 // the fake's Коледино, Indigo's office in these tests
	city   = "Подольск"
)

func newHarness(tb testing.TB) *harness {
	tb.Helper()
	h := &harness{db: pgtest.New(tb), wb: wbfake.New(), clock: &clock{now: time.Now().Truncate(time.Second)}}
	tb.Cleanup(h.wb.Close)
	h.wb.SetClock(h.clock.Now)
	h.db.Now = h.clock.Now
	h.units = storage.NewUnitService(h.db)
	h.client = wb.New(wb.Config{BaseURL: h.wb.URL, Now: h.clock.Now, Sleep: h.clock.Sleep})
	h.loop = &resale.Loop{
		WB: h.client, Ledger: h.units, Now: h.clock.Now,
		Config:  resale.Config{OfficeID: office, City: city},
		Log:     slog.New(slog.NewTextHandler(testLog, nil)),
		Workers: 4, Batch: 1000,
	}
	return h
}

// seller is one WB seller connected to Indigo, with a product card.
type seller struct {
	*domain.Seller
	store *domain.Store
	sid   string
}

var nm atomic.Int64

func (h *harness) seller(tb testing.TB) *seller {
	tb.Helper()
	return h.sellerWith(tb, wbfake.TokenOptions{})
}

func (h *harness) sellerWith(tb testing.TB, opts wbfake.TokenOptions) *seller {
	tb.Helper()
	token := h.wb.IssueToken(opts)
	claims, err := wb.ParseToken(token)
	if err != nil {
		tb.Fatal(err)
	}
	s := &seller{Seller: pgtest.Seller(tb, h.db, nil), sid: claims.SellerID}
	s.store = pgtest.Store(tb, h.db, s.ID, func(st *domain.Store) { st.Token, st.SupplierID = token, claims.SellerID })
	return s
}

// product is a card on WB with one size, and its barcode.
type product struct {
	nmID    int64
	chrt    uint64
	barcode string
	name    string
}

func (h *harness) product(s *seller) product {
	n := nm.Add(1)
	p := product{nmID: 700000 + n, chrt: uint64(9000000 + n), barcode: fmt.Sprint(4600000000000 + n), name: fmt.Sprint("Пуховик ", n)}
	h.wb.AddCard(s.sid, wbfake.Card{NmID: p.nmID, Title: p.name, VendorCode: fmt.Sprint("PH-", n),
		Sizes: []wbfake.CardSize{{ChrtID: int64(p.chrt), TechSize: "M", Skus: []string{p.barcode}}}})
	return p
}

var retNo atomic.Int64

// soldReturn is a return of p the seller decided to sell on WB.
func (h *harness) soldReturn(tb testing.TB, s *seller, p product) *domain.Return {
	tb.Helper()
	ctx := pgtest.System()
	r := &domain.Return{StoreID: s.store.ID, ReturnNumber: fmt.Sprint("R-", retNo.Add(1)), NmID: p.nmID,
		Barcode: p.barcode, ProductName: p.name, RequestDate: h.clock.Now(), Status: domain.StatusAwaitingSellerDecision,
		PriceRUB: 249900}
	rs := storage.NewReturnService(h.db)
	if err := rs.CreateReturn(ctx, r); err != nil {
		tb.Fatal(err)
	}
	r, err := rs.ApplyEvent(pgtest.As(s.Seller), r.ID, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func sys() context.Context { return pgtest.System() }

func staff() context.Context {
	return domain.NewContextWithActor(context.Background(), domain.StaffActor(7001, "Olga"))
}

// shelve is staff putting a return's item on a shelf place.
func (h *harness) shelve(tb testing.TB, r *domain.Return, place string) *domain.Unit {
	tb.Helper()
	u, err := h.units.ShelveUnit(staff(), r.ID, place)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func (h *harness) round(tb testing.TB) resale.Stats {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fired := false
	if h.crash != nil {
		h.crash.cancel, fired = cancel, h.crash.fired
	}
	st, err := h.loop.Round(ctx)
	if h.crash != nil && h.crash.fired != fired {
		// The round died: start again once its leases lapsed.
		h.clock.Advance(11 * time.Minute)
		return resale.Stats{Failed: 1}
	}
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// settle runs rounds, three minutes apart, until one leaves nothing to do.
func (h *harness) settle(tb testing.TB) {
	tb.Helper()
	for range 30 {
		h.clock.Advance(3 * time.Minute)
		st := h.round(tb)
		if h.check != nil {
			h.check(tb)
		}
		if st.Failed == 0 && !st.Busy() {
			return
		}
	}
	tb.Fatal("the loop did not settle in 30 rounds")
}

func (h *harness) unit(tb testing.TB, id int64) *domain.Unit {
	tb.Helper()
	u, err := h.units.FindUnitByID(pgtest.System(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func (h *harness) ret(tb testing.TB, id int64) *domain.Return {
	tb.Helper()
	r, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// warehouse is the store's FBS warehouse on the fake, failing unless there
// is exactly one.
func (h *harness) warehouse(tb testing.TB, s *seller) int64 {
	tb.Helper()
	whs, err := h.client.Warehouses(context.Background(), s.store.Token)
	if err != nil {
		tb.Fatal(err)
	}
	if len(whs) != 1 {
		tb.Fatalf("seller has %d warehouses, want 1: %+v", len(whs), whs)
	}
	return whs[0].ID
}

// order is a buyer ordering one unit of p from the store's warehouse.
func (h *harness) order(tb testing.TB, s *seller, p product, price int64) int64 {
	tb.Helper()
	id, err := h.wb.PlaceOrder(s.sid, wbfake.BuyerOrder{WarehouseID: h.warehouse(tb, s), NmID: p.nmID,
		ChrtID: p.chrt, Skus: []string{p.barcode}, Price: price})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func (h *harness) notifications(tb testing.TB, s *seller, kind domain.NotificationKind) []*domain.Notification {
	tb.Helper()
	list, err := storage.NewNotificationService(h.db).FindNotifications(pgtest.System(), domain.NotificationFilter{SellerID: &s.ID, Kind: &kind})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// relay is a resale task queued for staff, as the staff desk will post it.
type relay struct {
	text     string
	returnID *int64
	files    []string // file names
}

// relays are the resale tasks queued for staff in the seller's topic, read
// without claiming them.
func (h *harness) relays(tb testing.TB, s *seller) []relay {
	tb.Helper()
	rows, err := h.db.Pool.Query(context.Background(), `SELECT r.text, r.return_id,
		coalesce(array_agg(f.file_name ORDER BY f.id) FILTER (WHERE f.id IS NOT NULL), '{}')
		FROM support_relays r LEFT JOIN support_relay_files f ON f.relay_id = r.id
		WHERE r.kind = 'resale' AND r.seller_id = $1 GROUP BY r.id ORDER BY r.id`, s.ID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []relay
	for rows.Next() {
		var r relay
		if err := rows.Scan(&r.text, &r.returnID, &r.files); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var testLog io.Writer = io.Discard

func stocks(chrt uint64, amount int) []wb.Stock { return []wb.Stock{{ChrtID: chrt, Amount: amount}} }
