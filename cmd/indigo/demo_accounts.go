package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// demo_accounts.go: the demo seller's account (issue 19). The services
// the warehouse billed this month come from the seeded returns' steps;
// last month is lived through on a clock of its own: a dozen returns
// received, inspected and decided, their storage days, a payment with
// its receipt, and the statement the 1st issued.

// demoAccountTariff is what the demo's staff charge for each service.
var demoAccountTariff = []domain.Tariff{
	{Kind: domain.TariffReceipt, Value: 60_00},
	{Kind: domain.TariffInspection, Value: 150_00},
	{Kind: domain.TariffPhotos, Value: 90_00},
	{Kind: domain.TariffStorageDay, Value: 12_00},
	{Kind: domain.TariffFreeDays, Value: 3},
	{Kind: domain.TariffResaleOrder, Value: 100_00},
	{Kind: domain.TariffResalePercent, Value: 300},
}

var demoPaymentDetails = map[domain.PaymentMethod]string{
	domain.PayBankTransferRUB: "ООО «Индиго Склад», ИНН 7701234567, р/с 40702810900000012345 в АО «Банк», БИК 044525000. Назначение: оплата услуг по договору, ваш номер продавца.",
	domain.PayAlipayCNY:       "Alipay: pay@indigo-warehouse.example (Indigo Warehouse Ltd.). Note: your seller number.",
	domain.PayWeChatPayCNY:    "WeChat Pay: Indigo Warehouse, ID indigo-wh-pay. Note: your seller number.",
}

// seedAccounts sets the accounts' tariff and payment details as staff
// would, then lives last month through.
func (d *demo) seedAccounts(ctx context.Context) error {
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	last := domain.MonthOf(time.Now()).AddDate(0, -1, 0)
	for _, line := range demoAccountTariff {
		line.EffectiveFrom = last.AddDate(0, 0, -1)
		if err := storage.NewTariffService(d.m.DB).SetTariff(staff, &line); err != nil {
			return fmt.Errorf("demo accounts tariff: %w", err)
		}
	}
	for _, m := range domain.AllPaymentMethods() {
		if err := d.m.accounts().PublishPaymentDetails(staff, m, demoPaymentDetails[m]); err != nil {
			return err
		}
	}
	seller := domain.NewContextWithActor(ctx, domain.Actor{Kind: domain.ActorSeller, ID: d.seller.ID, Name: d.seller.Name})
	if err := d.m.accounts().ChoosePaymentMethod(seller, d.seller.ID, domain.PayBankTransferRUB); err != nil {
		return err
	}
	// A limit without the hold: below it the seller is only reminded.
	limit := int64(-10_000_00)
	if _, err := d.m.accounts().SetLimit(staff, d.seller.ID, &limit, false); err != nil {
		return err
	}
	return d.lastMonth(ctx, last)
}

// lastMonth bills last month on a database handle whose clock is set to
// each moment in turn, as if the service had run through it: each day the
// steps due that day, then the day's storage charge.
func (d *demo) lastMonth(ctx context.Context, month time.Time) error {
	var at time.Time
	past := *d.m.DB // the same pool; only the clock differs
	past.Now = func() time.Time { return at }
	stores, err := storage.NewStoreService(d.m.DB).FindStores(domain.NewContextWithActor(ctx, domain.System), domain.StoreFilter{SellerID: &d.seller.ID})
	if err != nil || len(stores) == 0 {
		return fmt.Errorf("demo accounts: the seller's stores: %v", err)
	}
	var steps []demoStep
	for i := range 12 {
		at = month.AddDate(0, 0, 1+i*2).Add(10 * time.Hour)
		more, err := d.pastReturn(ctx, &past, stores[i%len(stores)], i, at)
		if err != nil {
			return fmt.Errorf("demo accounts: last month's return %d: %w", i, err)
		}
		steps = append(steps, more...)
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	accounts := storage.NewAccountService(&past, d.m.Config.CNYPerRUB)
	returns := storage.NewReturnService(&past)
	for day := month; day.Before(month.AddDate(0, 1, 0)); day = day.AddDate(0, 0, 1) {
		for len(steps) > 0 && steps[0].at.Before(day.AddDate(0, 0, 1)) {
			at = steps[0].at
			if _, err := returns.ApplyEvent(steps[0].actor, steps[0].id, steps[0].ch); err != nil {
				return fmt.Errorf("demo accounts: %s: %w", steps[0].ch.Event, err)
			}
			steps = steps[1:]
		}
		// A step due after the month is left: that item still waits at
		// the warehouse, and today's storage job charges it.
		at = day.Add(23 * time.Hour)
		if _, err := accounts.ChargeStorage(ctx, at); err != nil {
			return err
		}
	}
	at = month.AddDate(0, 0, 20).Add(15 * time.Hour)
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	receipt := demoImage(4242, 480, 640, false)
	if _, err := accounts.RecordPayment(staff, domain.Payment{SellerID: d.seller.ID, Amount: 2500_00,
		Method: domain.PayBankTransferRUB, Note: "п/п № 318", ProofName: "payment-318.png", ProofContentType: "image/png",
		Proof: receipt, Key: "demo-318"}); err != nil {
		return err
	}
	at = month.AddDate(0, 1, 0).Add(6 * time.Hour) // the 1st, as the statements job runs
	_, err = accounts.IssueStatements(ctx, at)
	return err
}

// demoStep is one step of a past return, due at its time.
type demoStep struct {
	at    time.Time
	id    int64
	actor context.Context
	ch    domain.ReturnChange
}

// pastReturn is one of last month's returns, on its way to the warehouse,
// and its steps from receipt on: some inspected with photos, all decided
// by the seller and carried out by staff, two days apart or more.
func (d *demo) pastReturn(ctx context.Context, db *storage.DB, st *domain.Store, i int, received time.Time) ([]demoStep, error) {
	p := demoProducts[i%len(demoProducts)]
	r := &domain.Return{StoreID: st.ID, RequestDate: received.AddDate(0, 0, -6), ProductName: p.title, VendorCode: p.vendorCode,
		NmID: p.nmID, Barcode: demoBarcode(p), Subject: p.subject, ReturnNumber: fmt.Sprintf("%d", 71_400_000+i*37),
		PriceRUB: p.priceRUB * 100, PriceSource: domain.PriceSourceOrder, Status: domain.StatusInTransitToWarehouse,
		NeedsVerification: i%3 == 0, PhotoVideoRequired: i%3 == 0}
	if err := storage.NewReturnService(db).CreateReturn(domain.NewContextWithActor(ctx, domain.System), r); err != nil {
		return nil, err
	}
	staff := domain.NewContextWithActor(ctx, domain.StaffActor(demoStaffTG, "Olga"))
	seller := domain.NewContextWithActor(ctx, domain.Actor{Kind: domain.ActorSeller, ID: d.seller.ID, Name: d.seller.Name})
	no := false
	changes := []domain.ReturnChange{{Event: domain.ReceiveEvent(r), Update: domain.ReturnUpdate{ReceivedAt: &received}}}
	if r.NeedsVerification {
		changes = append(changes, domain.ReturnChange{Event: domain.EventInspect, Update: domain.ReturnUpdate{DefectAfterCheck: &no}})
	}
	decision := domain.AllDecisions()[i%3]
	changes = append(changes, domain.ReturnChange{Event: domain.DecisionEvent(decision), Decision: decision},
		domain.ReturnChange{Event: map[domain.Decision]domain.Event{domain.DecisionSellOnWB: domain.EventTransferToSale,
			domain.DecisionReturnToSeller: domain.EventShipToSeller, domain.DecisionDispose: domain.EventDispose}[decision]})
	var steps []demoStep
	for k, ch := range changes {
		actor := staff
		if ch.Decision != "" {
			actor = seller
		}
		// The later items wait longer for the seller: storage beyond the free days.
		steps = append(steps, demoStep{at: received.AddDate(0, 0, k*(1+i%4)), id: r.ID, actor: actor, ch: ch})
	}
	return steps, nil
}
