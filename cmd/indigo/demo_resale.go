package main

import (
	"context"
	"time"

	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// withDemoFBS makes the demo run the resale loop: its seller warehouses
// link to the fake's Коледино and ship to a sorting centre.
func withDemoFBS(settings map[string]string) {
	settings["WB_FBS_OFFICE_ID"], settings["WB_FBS_CITY"] = "15", "Подольск"
}

// buyers are WB's buyers in the demo: every so often one orders an item
// the resale loop put on sale, and a buyer receives one staff handed
// over, so the loop's every step shows in the staff chat and the seller's.
func (d *demo) buyers(ctx context.Context, every time.Duration) {
	d.every(ctx, every, func() {
		for _, st := range d.stores {
			d.buyerTurn(ctx, st)
		}
	})
}

func (d *demo) buyerTurn(ctx context.Context, st demoStore) {
	for _, o := range d.wb.Orders(st.sid) {
		if o.SupplierStatus == "complete" && o.WBStatus == "waiting" && d.wb.MoveOrder(st.sid, o.ID, "sold") == nil {
			d.log.Info("demo: a buyer received a resold item", "store", st.name, "order", o.ID)
		}
	}
	whs, err := d.m.Resale.WB.Warehouses(ctx, st.token)
	if err != nil || len(whs) == 0 {
		return
	}
	for _, p := range demoProducts {
		chrt := uint64(p.nmID * 10)
		if d.wb.Stock(st.sid, whs[0].ID, chrt) == 0 || d.intn(3) != 0 {
			continue
		}
		id, err := d.wb.PlaceOrder(st.sid, wbfake.BuyerOrder{WarehouseID: whs[0].ID, NmID: p.nmID, ChrtID: chrt,
			Skus: []string{demoBarcode(p)}, Price: 199000})
		if err == nil {
			d.log.Info("demo: a buyer ordered a resold item", "store", st.name, "order", id)
			return
		}
	}
}
