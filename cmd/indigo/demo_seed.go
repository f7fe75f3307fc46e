package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// demo_seed.go: the demo seller, their stores and a month of returns, at
// the fake WB and through the service, as if they had used Indigo a while.

type demoProduct struct {
	nmID              int64
	title, vendorCode string
	subject, brand    string
	size              string
	priceRUB          int64 // roubles
	hue               uint8
}

var demoProducts = []demoProduct{
	{nmID: 183402117, title: "Women's down jacket, long, hooded", vendorCode: "DJ-2417-BLK", subject: "Куртки", brand: "Northwind", size: "M", priceRUB: 8990, hue: 10},
	{nmID: 183402245, title: "Wool blend scarf, checked", vendorCode: "SC-0112-RED", subject: "Шарфы", brand: "Northwind", size: "ONE", priceRUB: 1490, hue: 200},
	{nmID: 201558703, title: "Wireless earbuds with charging case", vendorCode: "EB-77-WHT", subject: "Наушники", brand: "Soundlane", size: "0", priceRUB: 2790, hue: 120},
	{nmID: 201558911, title: "Smart fitness band, AMOLED", vendorCode: "FB-5-BLK", subject: "Фитнес-браслеты", brand: "Soundlane", size: "0", priceRUB: 3290, hue: 60},
	{nmID: 175320044, title: "Children's winter boots, waterproof", vendorCode: "KB-3021-BLU", subject: "Ботинки", brand: "Little Fox", size: "31", priceRUB: 4590, hue: 170},
	{nmID: 175320187, title: "Running sneakers, mesh", vendorCode: "RS-880-GRY", subject: "Кроссовки", brand: "Stride", size: "42", priceRUB: 5690, hue: 90},
	{nmID: 168904512, title: "Silk pillowcase 50x70", vendorCode: "PC-5070-PNK", subject: "Наволочки", brand: "Dream House", size: "50x70", priceRUB: 1990, hue: 230},
	{nmID: 168904638, title: "Ceramic non-stick frying pan 28 cm", vendorCode: "FP-28-CER", subject: "Сковороды", brand: "Kitchen Pro", size: "28", priceRUB: 2390, hue: 30},
	{nmID: 192776301, title: "LED desk lamp with wireless charger", vendorCode: "DL-10W-WHT", subject: "Настольные лампы", brand: "Lumo", size: "0", priceRUB: 3490, hue: 150},
	{nmID: 192776488, title: "Men's cotton hoodie, oversize", vendorCode: "HD-330-OLV", subject: "Худи", brand: "Stride", size: "L", priceRUB: 2890, hue: 75},
	{nmID: 159021377, title: "Leather phone case for iPhone 15", vendorCode: "PC-I15-BRN", subject: "Чехлы для телефонов", brand: "Casecraft", size: "0", priceRUB: 990, hue: 20},
	{nmID: 159021420, title: "Yoga mat 6 mm, non-slip", vendorCode: "YM-6-PRP", subject: "Коврики для йоги", brand: "Zen Line", size: "183x61", priceRUB: 1790, hue: 250},
}

var demoPickupPoints = []struct {
	id      int64
	address string
}{
	{10231, "Москва, ул. Тверская, д. 12"},
	{10457, "Москва, Ленинский пр-т, д. 45"},
	{20019, "Санкт-Петербург, Невский пр-т, д. 88"},
	{30112, "Казань, ул. Баумана, д. 7"},
}

func demoBarcode(p demoProduct) string { return fmt.Sprintf("20%011d", p.nmID%100_000_000_000) }

func (d *demo) productByNm(nm int64) (demoProduct, bool) {
	for _, p := range demoProducts {
		if p.nmID == nm {
			return p, true
		}
	}
	return demoProduct{}, false
}

func (d *demo) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}

// addWBReturn puts one goods-return row at WB for a store; ready puts it at
// a pickup point.
func (d *demo) addWBReturn(sid string, p demoProduct, ordered time.Time, ready bool) int64 {
	d.mu.Lock()
	d.shk += int64(1 + d.rng.IntN(900))
	shk := d.shk
	defective := d.rng.IntN(4) == 0
	d.mu.Unlock()
	kind := "Возврат неполучения"
	reason := "Не подошёл размер"
	if defective {
		kind, reason = "Возврат брака", "Брак: повреждение товара"
	}
	row := wbfake.ReturnRow{
		Barcode: demoBarcode(p), Brand: p.brand, NmID: p.nmID, ShkID: shk,
		OrderDt: ordered.Format(time.DateOnly), OrderID: shk * 3, Reason: reason, ReturnType: kind,
		Srid: fmt.Sprintf("demo.%d.%d", p.nmID, shk), Status: wbfake.ReturnInTransit,
		StickerID: strconv.FormatInt(shk*7, 10), SubjectName: p.subject, TechSize: p.size, IsStatusActive: 1,
	}
	d.wb.AddReturn(sid, row)
	d.addOrder(sid, p, shk, row.Srid, ordered) // demo_prices.go
	if ready {
		pp := demoPickupPoints[int(shk)%len(demoPickupPoints)]
		d.wb.MoveToPickupPoint(sid, shk, pp.id, pp.address)
	}
	return shk
}

func (d *demo) addCards(sid string) {
	for _, p := range demoProducts {
		img := d.m.Config.PublicURL + "/demo/img/" + strconv.FormatInt(p.nmID, 10) + ".png"
		d.wb.AddCard(sid, wbfake.Card{
			NmID: p.nmID, ImtID: p.nmID / 10, SubjectName: p.subject, VendorCode: p.vendorCode, Brand: p.brand, Title: p.title,
			Photos:     []wbfake.CardPhoto{{Big: img, C246x328: img, C516x688: img, Square: img, Tm: img}},
			Sizes:      []wbfake.CardSize{{ChrtID: p.nmID * 10, TechSize: p.size, WBSize: p.size, Skus: []string{demoBarcode(p)}}},
			Dimensions: demoPackages[p.nmID],
		})
	}
}

// seed creates the demo seller with two stores and a month of returns in
// every status, and greets the seller so the chat is open.
func (d *demo) seed(ctx context.Context) error {
	system := domain.NewContextWithActor(ctx, domain.System)
	now := time.Now()
	for _, name := range []string{"Li Wei Trading — apparel", "Li Wei Trading — electronics"} {
		sid := demoUUID()
		d.stores = append(d.stores, demoStore{name: name, sid: sid, token: d.demoToken(sid)})
		d.addCards(sid)
		d.addPrices(sid) // demo_prices.go
	}
	d.newcomerAccount(now)

	// Returns at WB: 60 over the last 30 days, the most recent ones still
	// on the road or waiting at a pickup point.
	const total = 60
	type seeded struct {
		sid string
		shk int64
	}
	var rows []seeded
	for i := range total {
		st := d.stores[i%2]
		p := demoProducts[d.intn(len(demoProducts))]
		ordered := now.AddDate(0, 0, -29+i*29/total).Add(-time.Duration(d.intn(12)) * time.Hour)
		ready := i >= total-12 && i%2 == 0
		rows = append(rows, seeded{st.sid, d.addWBReturn(st.sid, p, ordered, ready)})
	}
	// Two defective-goods claims with prices: WB's claims feed.
	for i, p := range []demoProduct{demoProducts[2], demoProducts[8]} {
		name := p.title
		d.wb.AddClaim(d.stores[1].sid, wbfake.Claim{
			ClaimType: 1, StatusEx: 10, NmID: p.nmID, UserComment: "Does not turn on", ImtName: &name,
			Price: float64(p.priceRUB), CurrencyCode: "643", Srid: fmt.Sprintf("demo.claim.%d", i),
			Dt: now.Add(-time.Duration(30+i*20) * time.Hour).Format("2006-01-02T15:04:05.000000"),
		})
	}

	d.seller = &domain.Seller{
		Name: "Li Wei Trading", Company: "Yiwu Li Wei Trading Co., Ltd.", Phone: "+8613800000000",
		Language: domain.LangEnglish, TimeZone: "Asia/Shanghai", QuietHours: false,
		ReturnAddress: "Room 1203, Building 5, Futian Market, Yiwu, Zhejiang, China",
		Identities:    []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(demoSellerTG, 10)}},
	}
	if err := storage.NewSellerService(d.m.DB).CreateSeller(system, d.seller); err != nil {
		return err
	}
	// A business licence on file completes the profile ("Return to seller").
	licence := demoImage(88, 600, 800, false)
	if err := storage.NewAttachmentService(d.m.DB).CreateAttachment(system, &domain.Attachment{SellerID: d.seller.ID,
		Kind: domain.AttachmentDocument, FileName: "business-licence.png", ContentType: "image/png",
		Size: int64(len(licence)), Data: licence}); err != nil {
		return err
	}
	// The seller has talked to the bot before, so it may write to them.
	d.tg.OpenChat(demoSellerTG)
	expires := now.Add(wbfake.TokenLifetime)
	for _, st := range d.stores {
		s := &domain.Store{SellerID: d.seller.ID, Name: st.name, Token: st.token, SupplierID: st.sid, TokenExpiresAt: &expires}
		if err := storage.NewStoreService(d.m.DB).CreateStore(system, s); err != nil {
			return err
		}
	}
	return nil
}

// newcomerAccount is the newcomer's own WB account, for the onboarding's
// token step.
func (d *demo) newcomerAccount(now time.Time) {
	nsid := demoUUID()
	d.newcomerToken = d.demoToken(nsid)
	d.addCards(nsid)
	d.addPrices(nsid)
	for i := range 4 {
		d.addWBReturn(nsid, demoProducts[i*3], now.AddDate(0, 0, -i-1), i == 0)
	}
}

// seedReturns imports the returns with a poll round, prices them and moves
// the older ones on.
func (d *demo) seedReturns(ctx context.Context) error {
	system := domain.NewContextWithActor(ctx, domain.System)
	if _, err := d.m.Poller.Round(system); err != nil {
		return err
	}
	// Prices come from WB as for any store: claims, FBS orders, or the
	// seller's current price (demo_prices.go).
	if err := d.seedPricing(ctx); err != nil {
		return err
	}
	returns := storage.NewReturnService(d.m.DB)
	list, _, err := returns.FindReturns(system, domain.ReturnFilter{SellerID: &d.seller.ID})
	if err != nil {
		return err
	}
	if err := d.advanceSeeded(ctx, list); err != nil {
		return err
	}
	if err := d.seedAccounts(ctx); err != nil { // demo_accounts.go
		return err
	}
	d.seeded = true // askSupport opens the staff group's conversation after the morning
	return nil
}

// askSupport has the seller, having read the morning digest, ask support
// a question, so the staff group has a conversation.
func (d *demo) askSupport(ctx context.Context) {
	defer d.wg.Done()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		if slices.ContainsFunc(d.tg.Messages(demoSellerTG), func(m tgfake.Message) bool { return m.From != nil && m.From.IsBot }) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	d.tg.SendText(demoSellerTG, "Hello! Did the down jacket that came back last week arrive in good shape?")
}

// advanceSeeded moves the oldest returns on through the warehouse's steps
// and the seller's decisions, as staff and the seller would have.
func (d *demo) advanceSeeded(ctx context.Context, list []*domain.Return) error {
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	seller := domain.NewContextWithActor(ctx, domain.Actor{Kind: domain.ActorSeller, ID: d.seller.ID, Name: d.seller.Name})
	returns := storage.NewReturnService(d.m.DB)
	attachments := storage.NewAttachmentService(d.m.DB)
	var inTransit []*domain.Return
	for _, r := range list {
		if r.Status == domain.StatusAwaitingReceiptAtWB && r.ClaimID == "" {
			inTransit = append(inTransit, r)
		}
	}
	// Oldest first: list order is not guaranteed.
	for i := range inTransit {
		for j := i + 1; j < len(inTransit); j++ {
			if inTransit[j].RequestDate.Before(inTransit[i].RequestDate) {
				inTransit[i], inTransit[j] = inTransit[j], inTransit[i]
			}
		}
	}
	yes, no := true, false
	received := time.Now().Add(-24 * time.Hour)
	comment := "Outer packaging torn, item itself intact; tags in place."
	defectComment := "Seam split on the left sleeve, 4 cm; stain on the cuff."
	plans := [][]domain.ReturnChange{
		// completed: sold again, sent back, disposed
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}, {Event: domain.EventTransferToSale}},
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideReturnToSeller, Decision: domain.DecisionReturnToSeller}, {Event: domain.EventShipToSeller, Update: domain.ReturnUpdate{TrackingNumber: demoPtr("CDEK-1029384756")}}},
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &yes, InspectionComment: &defectComment}}, {Event: domain.EventDecideDispose, Decision: domain.DecisionDispose}, {Event: domain.EventDispose}},
		// decided, waiting for the warehouse
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}},
		// awaiting the seller's decision, after an inspection with photos
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}, {Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &no, InspectionComment: &comment}}},
		// awaiting the seller's decision
		{{Event: domain.EventPickUp}, {Event: domain.EventReceive, Update: domain.ReturnUpdate{ReceivedAt: &received}}},
		// at the warehouse, being inspected
		{{Event: domain.EventPickUp}, {Event: domain.EventReceiveForInspection, Update: domain.ReturnUpdate{ReceivedAt: &received}}},
		// collected from the pickup point, on the road to the warehouse
		{{Event: domain.EventPickUp}},
	}
	// Each plan takes four returns; the newest ones stay as WB shows them.
	for i, r := range inTransit {
		plan := i / 4
		if plan >= len(plans) {
			break
		}
		for _, ch := range plans[plan] {
			ctx := staff
			if ch.Decision != "" {
				ctx = seller
			}
			if _, err := returns.ApplyEvent(ctx, r.ID, ch); err != nil {
				return err
			}
			if ch.Event == domain.EventInspect {
				for k := range 2 {
					data := demoImage(r.NmID+int64(k)*7919, 480, 360, true)
					id := r.ID
					a := &domain.Attachment{SellerID: d.seller.ID, ReturnID: &id, Kind: domain.AttachmentPhoto,
						FileName: fmt.Sprintf("inspection-%d-%d.png", r.ID, k+1), ContentType: "image/png", Size: int64(len(data)), Data: data}
					if err := attachments.CreateAttachment(staff, a); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// arrivals adds a new return at WB every so often; the next poll finds it.
func (d *demo) arrivals(ctx context.Context, every time.Duration) {
	d.every(ctx, every, func() {
		st := d.stores[d.intn(len(d.stores))]
		p := demoProducts[d.intn(len(demoProducts))]
		shk := d.addWBReturn(st.sid, p, time.Now().AddDate(0, 0, -1), d.intn(2) == 0)
		d.log.Info("demo: a new return arrived at WB", "store", st.name, "shk", shk)
	})
}

// every runs do at each tick until ctx ends: the demo's world moving on
// by itself (returns arriving, buyers ordering). The demo's wait group
// counts it.
func (d *demo) every(ctx context.Context, period time.Duration, do func()) {
	defer d.wg.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			do()
		}
	}
}

func (d *demo) webLink(ctx context.Context) (string, error) {
	return d.m.Engine.Links.LoginLink(domain.NewContextWithActor(ctx, domain.System), d.seller.ID)
}

func demoPtr[T any](v T) *T { return &v }

func demoUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
