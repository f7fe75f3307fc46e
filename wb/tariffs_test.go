package wb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestParseRUNumber(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1 039", 1039, true},
		{"1\u00a0039,5", 1039.5, true},
		{"9,1", 9.1, true},
		{"46", 46, true},
		{"0,07", 0.07, true},
		{"-", 0, false},
		{"", 0, false},
		{"n/a", 0, false},
	} {
		got, ok := wb.ParseRUNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseRUNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if k, ok := wb.Kopecks("9,1"); !ok || k != 910 {
		t.Errorf("Kopecks(9,1) = %d, %v", k, ok)
	}
}

// TestTariffs reads WB's three tariffs from the fake through the real
// client: commissions as numbers, box and return rows as Russian strings.
func TestTariffs(t *testing.T) {
	e := newEnv(t)
	_, token := e.seller(t, "ИП Тарифов")
	ctx := context.Background()
	e.fake.SetBoxTariffs([]wbfake.BoxTariff{{WarehouseName: "Свой склад РФ", BoxDeliveryMarketplaceBase: "1 039",
		BoxDeliveryMarketplaceLiter: "9,1", BoxDeliveryMarketplaceCoefExpr: "125"}})

	com, err := e.client.Commissions(ctx, token, "ru")
	if err != nil {
		t.Fatal(err)
	}
	var jackets *wb.CommissionRate
	for i := range com {
		if com[i].SubjectName == "Куртки" {
			jackets = &com[i]
		}
	}
	if jackets == nil || jackets.KgvpMarketplace != 24.5 {
		t.Fatalf("commission of Куртки = %+v", jackets)
	}

	box, err := e.client.BoxTariffs(ctx, token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(box.WarehouseList) != 1 {
		t.Fatalf("box rows = %+v", box.WarehouseList)
	}
	base, ok1 := wb.Kopecks(box.WarehouseList[0].BoxDeliveryMarketplaceBase)
	liter, ok2 := wb.Kopecks(box.WarehouseList[0].BoxDeliveryMarketplaceLiter)
	if !ok1 || !ok2 || base != 1039_00 || liter != 9_10 {
		t.Fatalf("FBS logistics = %d, %d", base, liter)
	}

	ret, err := e.client.ReturnTariffs(ctx, token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(ret.WarehouseList) == 0 || ret.Currency != "RUB" {
		t.Fatalf("return tariffs = %+v", ret)
	}
	if k, ok := wb.Kopecks(ret.WarehouseList[0].DeliveryDumpSupReturnExpr); !ok || k <= 0 {
		t.Fatalf("uncollected return charge = %d, %v", k, ok)
	}
}

// TestPrices: the seller's prices, every page, and a token without the
// prices category is refused for that category only.
func TestPrices(t *testing.T) {
	e := newEnv(t)
	sid := newSID()
	token := e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, Scopes: wbfake.ScopesIndigo | wbfake.ScopePrices})
	for i := range 1203 {
		e.fake.SetPrice(sid, int64(100000+i), "V", 1000, 10)
	}
	ctx := context.Background()
	all, err := e.client.AllPrices(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1203 {
		t.Fatalf("read %d prices, want 1203", len(all))
	}
	if k, ok := all[0].SellerPriceKopecks(); !ok || k != 900_00 {
		t.Fatalf("seller price = %d, %v; want 900.00 after the 10%% discount", k, ok)
	}
	one, err := e.client.ListPrices(ctx, token, 10, 0, 100007)
	if err != nil || len(one) != 1 || one[0].NmID != 100007 {
		t.Fatalf("filterNmID = %+v, %v", one, err)
	}
	noScope := e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid})
	if _, err := e.client.AllPrices(ctx, noScope); !errors.Is(err, wb.ErrMissingScope) {
		t.Fatalf("without the prices category: %v", err)
	}
}
