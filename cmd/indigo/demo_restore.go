package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// demo_restore.go: the demo keeps its data across restarts (unless
// --reset), and opens the seller's chat on a morning. The database lives
// on in the demo's directory; the fakes start empty every run, so a
// restart brings them up to what the database holds: WB gets each
// store's account and catalogue back, with a fresh token (a new fake
// signs with a new key, as a seller would paste a new token), and the
// fake Telegram's ids start above the last run's (demoEpoch).

// populate is Options.BeforeStart: seed a new demo or restore the last
// one, then queue the morning.
func (d *demo) populate(ctx context.Context) error {
	restored, err := d.restore(ctx)
	if err != nil {
		return fmt.Errorf("restore the demo: %w", err)
	}
	if !restored {
		if err := d.seed(ctx); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
		if err := d.seedReturns(ctx); err != nil {
			return fmt.Errorf("seed the demo's returns: %w", err)
		}
	}
	return d.morning(ctx)
}

// restore finds the last run's seller and re-keys every store at the new
// fake WB; false when there is no last run.
func (d *demo) restore(ctx context.Context) (bool, error) {
	system := domain.NewContextWithActor(ctx, domain.System)
	seller, err := storage.NewSellerService(d.m.DB).FindSellerByIdentity(system,
		domain.Identity{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(demoSellerTG, 10)})
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	d.seller = seller
	stores := storage.NewStoreService(d.m.DB)
	all, err := stores.FindStores(system, domain.StoreFilter{})
	if err != nil {
		return false, err
	}
	no := false
	for _, s := range all {
		token := d.demoToken(s.SupplierID)
		d.addCards(s.SupplierID)
		d.addPrices(s.SupplierID)
		expires := time.Now().Add(wbfake.TokenLifetime)
		if _, err := stores.UpdateStore(system, s.ID, domain.StoreUpdate{Token: &token, TokenExpiresAt: &expires, TokenRejected: &no}); err != nil {
			return false, err
		}
		if s.SellerID == seller.ID {
			d.stores = append(d.stores, demoStore{name: s.Name, sid: s.SupplierID, token: token})
		}
	}
	d.newcomerAccount(time.Now())
	d.tg.OpenChat(demoSellerTG)
	d.log.Info("demo: restored the last run's data", "stores", len(all))
	return true, nil
}

// morning leaves the seller one morning digest of what waits on them,
// as a seller who had used Indigo for a month would find it: the pushes
// of that month were theirs already, not news.
func (d *demo) morning(ctx context.Context) error {
	system := domain.NewContextWithActor(ctx, domain.System)
	ns := storage.NewNotificationService(d.m.DB)
	if _, err := ns.MarkKnown(system, d.seller.ID); err != nil {
		return err
	}
	zone, err := time.LoadLocation(d.seller.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	today := time.Now().In(zone).Format(time.DateOnly)
	return ns.CreateNotification(system, &domain.Notification{SellerID: d.seller.ID, Kind: domain.NotifyDailyDigest,
		Data: map[string]any{"reminder": today}})
}

// demoEpoch counts seconds since 2026, so ids a run hands out start above
// any the last run did (a run makes far fewer than ten a second).
func demoEpoch() int64 {
	return time.Now().Unix() - time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
}
