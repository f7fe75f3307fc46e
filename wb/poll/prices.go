package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// The pricing round gives every return a price and every article its
// card's facts. A buyer's price comes first: the claim's (set by the
// claims poll) or the FBS order's its srid points to; failing both, the
// seller's current price, marked an estimate. cron runs Round.

// PricesWB is what pricing reads from WB (implemented by *wb.Client).
type PricesWB interface {
	AllOrders(ctx context.Context, token string, from, to time.Time) ([]wb.Order, error)
	AllPrices(ctx context.Context, token string) ([]wb.GoodsPrice, error)
	CardByNmID(ctx context.Context, token string, nmID int64) (wb.Card, bool, error)
}

// PriceStore is where pricing finds its work and leaves what it found
// (implemented by *storage.PriceService).
type PriceStore interface {
	DuePriceChecks(ctx context.Context, limit int) ([]domain.PriceCheck, error)
	FinishPriceCheck(ctx context.Context, storeID int64, at time.Time, checkErr error) error
	SetReturnPrices(ctx context.Context, prices []domain.PricedReturn) (int, error)
	SaveProduct(ctx context.Context, p *domain.Product) error
}

// Pricer runs pricing rounds.
type Pricer struct {
	WB    PricesWB
	Store PriceStore
	Now   func() time.Time
	Log   *slog.Logger
	// CNYPerRUB converts prices for the ¥ column; 0 leaves it empty.
	CNYPerRUB float64
	// CardsPerStore bounds the card look-ups of one store in one round,
	// which share WB's content limit with the seller's own tools.
	CardsPerStore int
}

// orderWindow is how far back FBS orders are read: WB's 30 days.
const orderWindow = 30 * 24 * time.Hour

// Round prices what it can in every store due; one store's failure at WB
// never stops the others. It returns how many returns it priced.
func (p *Pricer) Round(ctx context.Context) (int, error) {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	checks, err := p.Store.DuePriceChecks(ctx, 5000)
	if err != nil {
		return 0, fmt.Errorf("pricing round: %w", err)
	}
	now, priced := p.Now(), 0
	for _, pc := range checks {
		if pc.LastChecked != nil && now.Sub(*pc.LastChecked) < wb.PriceInterval(pc.Store.Token) {
			continue
		}
		n, err := p.priceStore(ctx, pc, now)
		priced += n
		if err != nil {
			return priced, err
		}
	}
	return priced, nil
}

// priceStore does one store's work; WB's refusals are recorded on the
// check and logged, storage's failures returned.
func (p *Pricer) priceStore(ctx context.Context, pc domain.PriceCheck, now time.Time) (int, error) {
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s := pc.Store
	wbErr := p.cardFacts(wctx, s, pc.NoFacts)
	found, rest, err := p.orderPrices(wctx, s, pc.Unpriced, now)
	wbErr = errors.Join(wbErr, err)
	more, err := p.sellerPrices(wctx, ctx, s, rest, now)
	wbErr = errors.Join(wbErr, err)
	if errors.Is(wbErr, errStorage) {
		return 0, wbErr
	}
	if wbErr != nil {
		p.Log.Warn("pricing: WB refused", "store", s.ID, "err", wbErr)
	}
	n, err := p.Store.SetReturnPrices(ctx, append(found, more...))
	if err != nil {
		return n, err
	}
	return n, p.Store.FinishPriceCheck(ctx, s.ID, now, wbErr)
}

// errStorage marks a failure of Indigo's own storage among WB's refusals.
var errStorage = errors.New("storage")

// cardFacts saves the subject and package of articles Indigo lacks.
func (p *Pricer) cardFacts(ctx context.Context, s *domain.Store, nmIDs []int64) error {
	limit := p.CardsPerStore
	if limit <= 0 {
		limit = 20
	}
	for i, nm := range nmIDs {
		if i == limit {
			break
		}
		c, ok, err := p.WB.CardByNmID(ctx, s.Token, nm)
		if err != nil {
			return fmt.Errorf("card %d: %w", nm, err)
		}
		prod := &domain.Product{StoreID: s.ID, NmID: nm}
		if ok {
			prod.SubjectID, prod.SubjectName, prod.VendorCode = c.SubjectID, c.SubjectName, c.VendorCode
			d := c.Dimensions
			prod.LengthCM, prod.WidthCM, prod.HeightCM = d.Length, d.Width, d.Height
			prod.WeightGram = int(math.Round(d.WeightBrutto * 1000))
		}
		if err := p.Store.SaveProduct(ctx, prod); err != nil {
			return fmt.Errorf("%w: %w", errStorage, err)
		}
	}
	return nil
}

// orderPrices finds the buyer's price in the FBS orders the returns'
// srids point to; it returns those priced and the rest.
func (p *Pricer) orderPrices(ctx context.Context, s *domain.Store, unpriced []*domain.Return, now time.Time) (found []domain.PricedReturn, rest []*domain.Return, err error) {
	withSrid := false
	for _, r := range unpriced {
		withSrid = withSrid || r.SrID != ""
	}
	if !withSrid {
		return nil, unpriced, nil
	}
	orders, err := p.WB.AllOrders(ctx, s.Token, now.Add(-orderWindow), now)
	if err != nil {
		return nil, unpriced, fmt.Errorf("FBS orders: %w", err)
	}
	byRID := map[string]int64{}
	for _, o := range orders {
		if kop, ok := orderPrice(o); ok {
			byRID[o.RID] = kop
		}
	}
	for _, r := range unpriced {
		if kop, ok := byRID[r.SrID]; ok && r.SrID != "" {
			found = append(found, domain.PricedReturn{ReturnID: r.ID, PriceRUB: kop, PriceCNY: p.cny(kop), Source: domain.PriceSourceOrder})
			continue
		}
		rest = append(rest, r)
	}
	return found, rest, nil
}

// orderPrice is what the buyer paid in roubles: the price in the seller's
// currency (×100 already), or the sale's when that is roubles.
func orderPrice(o wb.Order) (int64, bool) {
	const rub = 643
	switch {
	case o.ConvertedCurrencyCode == rub && o.ConvertedPrice > 0:
		return o.ConvertedPrice, true
	case o.CurrencyCode == rub && o.Price > 0:
		return o.Price, true
	}
	return 0, false
}

// sellerPrices prices the rest at the seller's current price: an estimate.
func (p *Pricer) sellerPrices(wctx, ctx context.Context, s *domain.Store, rest []*domain.Return, now time.Time) ([]domain.PricedReturn, error) {
	if len(rest) == 0 {
		return nil, nil
	}
	prices, err := p.WB.AllPrices(wctx, s.Token)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	byNm := map[int64]int64{}
	for _, g := range prices {
		if kop, ok := g.SellerPriceKopecks(); ok {
			byNm[g.NmID] = kop
		}
	}
	var found []domain.PricedReturn
	saved := map[int64]bool{}
	for _, r := range rest {
		kop, ok := byNm[r.NmID]
		if !ok {
			continue
		}
		found = append(found, domain.PricedReturn{ReturnID: r.ID, PriceRUB: kop, PriceCNY: p.cny(kop), Source: domain.PriceSourceSellerPrice})
		if !saved[r.NmID] {
			saved[r.NmID] = true
			if err := p.Store.SaveProduct(ctx, &domain.Product{StoreID: s.ID, NmID: r.NmID, PriceRUB: kop, PriceAt: &now}); err != nil {
				return found, fmt.Errorf("%w: %w", errStorage, err)
			}
		}
	}
	return found, nil
}

func (p *Pricer) cny(kopecks int64) int64 {
	if p.CNYPerRUB == 0 {
		return 0
	}
	return int64(float64(kopecks) * p.CNYPerRUB)
}
