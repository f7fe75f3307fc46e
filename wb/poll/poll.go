// Package poll is the polling round: it reads each due store's feeds from
// WB, brings the returns in storage up to date, and leaves in the outbox
// what sellers must hear. cron runs Round; the schedule in storage decides
// which store is due, so replicas share the work.
package poll

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// WB is what a round reads from WB (implemented by *wb.Client).
type WB interface {
	AllClaims(ctx context.Context, token string, archive bool) ([]wb.BuyerClaim, error)
	GoodsReturns(ctx context.Context, token string, from, to time.Time) ([]wb.GoodsReturn, error)
	CardByNmID(ctx context.Context, token string, nmID int64) (wb.Card, bool, error)
}

// TxRunner runs fn in one transaction (implemented by *storage.DB).
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Poller runs polling rounds.
type Poller struct {
	WB            WB
	Tx            TxRunner
	Returns       domain.ReturnService
	Stores        domain.StoreService
	Schedule      domain.PollScheduleService
	Notifications domain.NotificationService
	// Interval says how often a feed may be read with a token (wb.PollInterval).
	Interval func(token string, feed domain.Feed) time.Duration
	Now      func() time.Time
	Log      *slog.Logger
	// Workers bounds the stores polled at once; Batch the slots one round leases.
	Workers int
	Batch   int
	// SlotTimeout bounds one feed's poll, waits for WB's limiter included:
	// a seller's refresh can make a basic-token feed due before WB allows
	// it, and that must cost one failed slot, not a worker for an hour.
	SlotTimeout time.Duration
	// CNYPerRUB converts WB's rouble prices for the ¥ column; 0 leaves it empty.
	CNYPerRUB float64
	// Guard recovers a panic in one slot's poll, so that the round goes on
	// with the other stores, and alerts staff when a slot keeps panicking;
	// nil recovers and logs only.
	Guard *domain.Guard
	// Observe hears of each slot polled: how late after its due time the
	// poll began, and how it ended (issue 22's metrics); nil hears nothing.
	Observe func(slot domain.PollSlot, lag time.Duration, err error)
}

// Stats is what one round did.
type Stats struct {
	Slots   int
	Failed  int
	Created int
	Moved   int
}

// lease outlives a slow round so no replica polls the same store meanwhile.
const lease = 10 * time.Minute

// Round polls every due slot (up to Batch) and schedules each one's next
// poll. One store's failure never stops the others.
func (p *Poller) Round(ctx context.Context) (Stats, error) {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	now := p.Now()
	slots, err := p.Schedule.LeaseDuePolls(ctx, now, lease, p.Batch)
	if err != nil {
		return Stats{}, fmt.Errorf("poll round: %w", err)
	}
	// A store's feeds go to one worker, one after the other: WB sees one
	// caller per seller at a time, and a rejected token is handled once.
	var byStore [][]domain.PollSlot
	index := map[int64]int{}
	for _, slot := range slots {
		i, ok := index[slot.Store.ID]
		if !ok {
			i = len(byStore)
			index[slot.Store.ID] = i
			byStore = append(byStore, nil)
		}
		byStore[i] = append(byStore[i], slot)
	}
	var st struct{ failed, created, moved atomic.Int64 }
	work := make(chan []domain.PollSlot)
	var wg sync.WaitGroup
	for range max(p.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for group := range work {
				for _, slot := range group {
					began := p.Now()
					created, moved, err := p.pollSlotGuarded(ctx, slot)
					if p.Observe != nil {
						p.Observe(slot, max(began.Sub(slot.DueAt), 0), err)
					}
					st.created.Add(int64(created))
					st.moved.Add(int64(moved))
					if err != nil {
						st.failed.Add(1)
						p.Log.Warn("poll failed", "store", slot.Store.ID, "feed", slot.Feed, "err", err)
					}
					if errors.Is(err, wb.ErrTokenRejected) {
						slot.Store.TokenRejected = true
					}
					next := p.nextDue(slot, p.Now())
					if err := p.Schedule.FinishPoll(ctx, slot.Store.ID, slot.Feed, next, err); err != nil {
						p.Log.Error("schedule next poll", "store", slot.Store.ID, "feed", slot.Feed, "err", err)
					}
				}
			}
		}()
	}
	for _, group := range byStore {
		work <- group
	}
	close(work)
	wg.Wait()
	return Stats{Slots: len(slots), Failed: int(st.failed.Load()), Created: int(st.created.Load()), Moved: int(st.moved.Load())}, nil
}

// nextDue is never sooner than one interval after this poll (WB's limit).
// Stores polled for the first time together are also spread over the
// interval: each gets its own phase, used when it falls in the first half
// interval past the earliest time. Later polls follow one interval after
// the last, so rounds that run a little after the due time never double
// the gap by waiting for the phase to come round again.
func (p *Poller) nextDue(slot domain.PollSlot, now time.Time) time.Time {
	interval := p.Interval(slot.Store.Token, slot.Feed)
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", slot.Store.ID, slot.Feed)
	phase := time.Duration(h.Sum64() % uint64(interval))
	earliest := now.Add(interval)
	from := now.Add(interval / 2)
	periods := from.Add(-phase).UnixNano() / int64(interval)
	aligned := time.Unix(0, periods*int64(interval)).Add(phase)
	if aligned.Before(from) {
		aligned = aligned.Add(interval)
	}
	if aligned.After(earliest) {
		return aligned
	}
	return earliest
}

// pollSlotGuarded is pollSlotWithin under the guard. A slot that keeps
// panicking stays on its schedule: one poll per WB interval is no crash
// loop, and WB may send data that does not panic next time.
func (p *Poller) pollSlotGuarded(ctx context.Context, slot domain.PollSlot) (created, moved int, err error) {
	item := domain.WorkItem{Worker: domain.WorkerPoll, SellerID: slot.Store.SellerID,
		Key: strconv.FormatInt(slot.Store.ID, 10) + "/" + string(slot.Feed)}
	err = p.Guard.Run(ctx, item, func(ctx context.Context) error {
		var err error
		created, moved, err = p.pollSlotWithin(ctx, slot)
		return err
	})
	return created, moved, err
}

func (p *Poller) pollSlotWithin(ctx context.Context, slot domain.PollSlot) (int, int, error) {
	timeout := p.SlotTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return p.pollSlot(ctx, slot)
}

func (p *Poller) pollSlot(ctx context.Context, slot domain.PollSlot) (created, moved int, err error) {
	switch slot.Feed {
	case domain.FeedClaims:
		created, moved, err = p.pollClaims(ctx, slot.Store)
	case domain.FeedGoodsReturn:
		created, moved, err = p.pollGoodsReturn(ctx, slot.Store)
	default:
		return 0, 0, fmt.Errorf("unknown feed %q", slot.Feed)
	}
	if errors.Is(err, wb.ErrTokenRejected) {
		if rerr := p.rejectToken(ctx, slot.Store); rerr != nil {
			return created, moved, errors.Join(err, rerr)
		}
	}
	return created, moved, err
}

// rejectToken marks the store and tells the seller, once, in one transaction.
func (p *Poller) rejectToken(ctx context.Context, s *domain.Store) error {
	if s.TokenRejected {
		return nil
	}
	yes := true
	return p.Tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := p.Stores.UpdateStore(ctx, s.ID, domain.StoreUpdate{TokenRejected: &yes}); err != nil {
			return err
		}
		return p.Notifications.CreateNotification(ctx, &domain.Notification{
			SellerID: s.SellerID, Kind: domain.NotifyTokenRejected, StoreID: &s.ID,
			Data: map[string]any{"Store": s.Name, "Hint": domain.TokenHint(s.Token)},
		})
	})
}

// pollClaims records claims whose goods come back to the seller (status_ex
// 10): those are the returns the warehouse will collect.
func (p *Poller) pollClaims(ctx context.Context, s *domain.Store) (created, moved int, err error) {
	claims, err := p.WB.AllClaims(ctx, s.Token, false)
	if err != nil {
		return 0, 0, fmt.Errorf("store %d claims: %w", s.ID, err)
	}
	cards := map[int64]*wb.Card{}
	for _, c := range claims {
		if c.StatusEx != 10 {
			continue
		}
		at, _ := c.Created()
		r := &domain.Return{
			StoreID: s.ID, ClaimID: c.ID, SrID: c.Srid, NmID: c.NmID, ReturnNumber: claimNumber(c),
			RequestDate: at, Defective: true, Status: domain.StatusAwaitingReceiptAtWB,
		}
		if kop := int64(math.Round(c.Price * 100)); kop > 0 && (c.CurrencyCode == "" || c.CurrencyCode == "643") {
			r.PriceRUB, r.PriceCNY, r.PriceSource = kop, p.cny(kop), domain.PriceSourceClaim
		}
		if c.ImtName != nil {
			r.ProductName = *c.ImtName
		}
		n, err := p.sync(ctx, s, r, cards)
		if err != nil {
			return created, moved, err
		}
		created += n
	}
	return created, moved, nil
}

// claimNumber is the number a claim's return is known by until WB's
// goods-return report gives its box: the order's srid, which sellers see
// in WB's reports, rather than the claim's UUID, which they never see.
func claimNumber(c wb.BuyerClaim) string {
	if c.Srid != "" {
		return c.Srid
	}
	return c.ID
}

// pollGoodsReturn reads the last month of the goods-return report: where
// each item is, and whether it waits at a pickup point for the code.
func (p *Poller) pollGoodsReturn(ctx context.Context, s *domain.Store) (created, moved int, err error) {
	now := p.Now()
	rows, err := p.WB.GoodsReturns(ctx, s.Token, now.Add(-30*24*time.Hour), now)
	if err != nil {
		return 0, 0, fmt.Errorf("store %d goods-return: %w", s.ID, err)
	}
	cards := map[int64]*wb.Card{}
	for _, g := range rows {
		stage := g.Stage()
		r := &domain.Return{
			StoreID: s.ID, SrID: g.Srid, ShkID: g.ShkID, NmID: g.NmID, Barcode: g.Barcode,
			ReturnNumber: strconv.FormatInt(g.ShkID, 10), Subject: g.SubjectName,
			Defective:          strings.Contains(strings.ToLower(g.ReturnType), "брак"),
			PickupPointAddress: g.DstOfficeAddress, ReadyAt: g.ReadyAt(),
		}
		r.RequestDate, _ = time.ParseInLocation(time.DateOnly, g.OrderDt, wb.Moscow)
		switch stage {
		case wb.StageInTransit:
			r.Status = domain.StatusAwaitingReceiptAtWB
		case wb.StageReadyForPickup:
			r.Status = domain.StatusAwaitingPickupCode
		case wb.StageCollected, wb.StageCancelled:
			// Only news for returns Indigo already follows: an item handed
			// out long before the seller joined is not a return to handle.
			existing, _, err := p.Returns.FindReturns(ctx, domain.ReturnFilter{StoreID: &s.ID, SrID: &g.Srid, Limit: 1})
			if err != nil {
				return created, moved, err
			}
			if len(existing) == 0 || g.Srid == "" {
				continue
			}
			r.Status = existing[0].Status
		default:
			p.Log.Warn("unknown goods-return status", "store", s.ID, "status", g.Status)
			continue
		}
		n, err := p.sync(ctx, s, r, cards)
		if err != nil {
			return created, moved, err
		}
		created += n
		if n == 1 {
			continue
		}
		ok, err := p.advance(ctx, r, stage)
		if err != nil {
			return created, moved, err
		}
		if ok {
			moved++
		}
	}
	return created, moved, nil
}

// advance moves an existing return to where WB says it is. Events only go
// forward: a report row lagging behind the warehouse's own steps is ignored.
func (p *Poller) advance(ctx context.Context, r *domain.Return, stage wb.ReturnStage) (bool, error) {
	var ev domain.Event
	switch {
	case stage == wb.StageReadyForPickup && r.Status == domain.StatusAwaitingReceiptAtWB:
		ev = domain.EventArriveAtPickupPoint
	case stage == wb.StageCollected && (r.Status == domain.StatusAwaitingReceiptAtWB || r.Status == domain.StatusAwaitingPickupCode):
		ev = domain.EventPickUp
	case stage == wb.StageCancelled && r.Status == domain.StatusAwaitingPickupCode:
		// WB took it back: its seven days ended, the clock knew or not.
		ev = domain.EventExpireAtPickupPoint
	default:
		return false, nil
	}
	if _, err := p.Returns.ApplyEvent(ctx, r.ID, domain.ReturnChange{Event: ev, Note: "WB: " + string(stage)}); err != nil {
		return false, err
	}
	return true, nil
}

// sync records one return, with its card's product data when it is new to
// Indigo; it reports 1 when the return was created.
func (p *Poller) sync(ctx context.Context, s *domain.Store, r *domain.Return, cards map[int64]*wb.Card) (int, error) {
	if r.NmID != 0 && (r.ProductName == "" || r.VendorCode == "") {
		if c, err := p.card(ctx, s, r.NmID, cards); err != nil {
			// Product data is a nicety: the return matters more.
			p.Log.Warn("card lookup failed", "store", s.ID, "nm_id", r.NmID, "err", err)
		} else if c != nil {
			r.ProductName = cmp.Or(r.ProductName, c.Title)
			r.VendorCode, r.Subject = c.VendorCode, cmp.Or(r.Subject, c.SubjectName)
			if len(c.Photos) > 0 {
				r.PhotoURL = c.Photos[0].Big
			}
		}
	}
	created, err := p.Returns.SyncReturn(ctx, r)
	if err != nil {
		return 0, err
	}
	if created {
		return 1, nil
	}
	return 0, nil
}

// card looks a product up once per round and store; WB's content limit is
// shared with the seller's own tools.
func (p *Poller) card(ctx context.Context, s *domain.Store, nmID int64, cache map[int64]*wb.Card) (*wb.Card, error) {
	if c, ok := cache[nmID]; ok {
		return c, nil
	}
	existing, _, err := p.Returns.FindReturns(ctx, domain.ReturnFilter{StoreID: &s.ID, NmID: &nmID, Limit: 1})
	if err == nil && len(existing) > 0 && existing[0].ProductName != "" && existing[0].VendorCode != "" {
		c := &wb.Card{NmID: nmID, Title: existing[0].ProductName, VendorCode: existing[0].VendorCode, SubjectName: existing[0].Subject}
		if existing[0].PhotoURL != "" {
			c.Photos = []wb.CardPhoto{{Big: existing[0].PhotoURL}}
		}
		cache[nmID] = c
		return c, nil
	}
	c, found, err := p.WB.CardByNmID(ctx, s.Token, nmID)
	if err != nil {
		return nil, err
	}
	if !found {
		cache[nmID] = nil
		return nil, nil
	}
	cache[nmID] = &c
	return &c, nil
}

func (p *Poller) cny(kopecks int64) int64 {
	if p.CNYPerRUB == 0 {
		return 0
	}
	return int64(float64(kopecks) * p.CNYPerRUB)
}
