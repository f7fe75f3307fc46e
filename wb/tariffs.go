package wb

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WB's tariffs (common-api, any token; wb-resale.md §4): commissions per
// subject, box tariffs (FBS logistics) and return tariffs. The box and
// return rows carry amounts as strings in Russian number format ("1 039",
// "9,1"); ParseRUNumber reads them.

// CommissionRate is one subject's row of GET /api/v1/tariffs/commission.
// The rates are percentages; KgvpMarketplace is FBS's.
type CommissionRate struct {
	KgvpBooking         float64 `json:"kgvpBooking"`
	KgvpMarketplace     float64 `json:"kgvpMarketplace"`
	KgvpPickup          float64 `json:"kgvpPickup"`
	KgvpSupplier        float64 `json:"kgvpSupplier"`
	KgvpSupplierExpress float64 `json:"kgvpSupplierExpress"`
	PaidStorageKgvp     float64 `json:"paidStorageKgvp"`
	ParentID            int64   `json:"parentID"`
	ParentName          string  `json:"parentName"`
	SubjectID           int64   `json:"subjectID"`
	SubjectName         string  `json:"subjectName"`
}

// Commissions reads WB's commission for every subject, named in locale
// (ru, en or zh; "" leaves WB's default, Russian).
func (c *Client) Commissions(ctx context.Context, token, locale string) ([]CommissionRate, error) {
	var out struct {
		Report []CommissionRate `json:"report"`
	}
	cl := call{token: token, method: http.MethodGet, cat: CategoryCommon, group: groupCommission,
		path: "/api/v1/tariffs/commission", out: &out, idempotent: true}
	if locale != "" {
		cl.query = url.Values{"locale": {locale}}
	}
	return out.Report, c.do(ctx, cl)
}

// BoxTariff is one warehouse's row of GET /api/v1/tariffs/box. The
// Marketplace fields are FBS logistics: first litre, each further litre,
// and the warehouse coefficient in percent (already applied).
type BoxTariff struct {
	BoxDeliveryBase                string `json:"boxDeliveryBase"`
	BoxDeliveryCoefExpr            string `json:"boxDeliveryCoefExpr"`
	BoxDeliveryLiter               string `json:"boxDeliveryLiter"`
	BoxDeliveryMarketplaceBase     string `json:"boxDeliveryMarketplaceBase"`
	BoxDeliveryMarketplaceCoefExpr string `json:"boxDeliveryMarketplaceCoefExpr"`
	BoxDeliveryMarketplaceLiter    string `json:"boxDeliveryMarketplaceLiter"`
	BoxStorageBase                 string `json:"boxStorageBase"`
	BoxStorageCoefExpr             string `json:"boxStorageCoefExpr"`
	BoxStorageLiter                string `json:"boxStorageLiter"`
	GeoName                        string `json:"geoName"`
	WarehouseName                  string `json:"warehouseName"`
}

// BoxTariffs is the box tariffs' data.
type BoxTariffs struct {
	DtNextBox     string      `json:"dtNextBox"`
	DtTillMax     string      `json:"dtTillMax"`
	WarehouseList []BoxTariff `json:"warehouseList"`
}

// BoxTariffs reads the box tariffs in force on date (a Moscow date).
func (c *Client) BoxTariffs(ctx context.Context, token string, date time.Time) (BoxTariffs, error) {
	return tariffData[BoxTariffs](ctx, c, token, "/api/v1/tariffs/box", date)
}

// ReturnTariff is one warehouse's row of GET /api/v1/tariffs/return.
// DeliveryDumpSupReturnExpr is the reverse logistics WB charges per unit
// for a return nobody collected from the pickup point within seven days.
type ReturnTariff struct {
	DeliveryDumpKgtOfficeBase   string `json:"deliveryDumpKgtOfficeBase"`
	DeliveryDumpKgtOfficeLiter  string `json:"deliveryDumpKgtOfficeLiter"`
	DeliveryDumpKgtReturnExpr   string `json:"deliveryDumpKgtReturnExpr"`
	DeliveryDumpSrgOfficeExpr   string `json:"deliveryDumpSrgOfficeExpr"`
	DeliveryDumpSrgReturnExpr   string `json:"deliveryDumpSrgReturnExpr"`
	DeliveryDumpSupCourierBase  string `json:"deliveryDumpSupCourierBase"`
	DeliveryDumpSupCourierLiter string `json:"deliveryDumpSupCourierLiter"`
	DeliveryDumpSupOfficeBase   string `json:"deliveryDumpSupOfficeBase"`
	DeliveryDumpSupOfficeLiter  string `json:"deliveryDumpSupOfficeLiter"`
	DeliveryDumpSupReturnExpr   string `json:"deliveryDumpSupReturnExpr"`
	WarehouseName               string `json:"warehouseName"`
}

// ReturnTariffs is the return tariffs' data.
type ReturnTariffs struct {
	Currency              string         `json:"currency"`
	DtNextDeliveryDumpKgt string         `json:"dtNextDeliveryDumpKgt"`
	DtNextDeliveryDumpSrg string         `json:"dtNextDeliveryDumpSrg"`
	DtNextDeliveryDumpSup string         `json:"dtNextDeliveryDumpSup"`
	WarehouseList         []ReturnTariff `json:"warehouseList"`
}

// ReturnTariffs reads the return tariffs in force on date.
func (c *Client) ReturnTariffs(ctx context.Context, token string, date time.Time) (ReturnTariffs, error) {
	return tariffData[ReturnTariffs](ctx, c, token, "/api/v1/tariffs/return", date)
}

// tariffData reads a tariffs answer in force on date, whose rows come as
// {"response": {"data": …}}.
func tariffData[T any](ctx context.Context, c *Client, token, path string, date time.Time) (T, error) {
	var out struct {
		Response struct {
			Data T `json:"data"`
		} `json:"response"`
	}
	err := c.do(ctx, call{token: token, method: http.MethodGet, cat: CategoryCommon, group: groupTariffs,
		path: path, query: url.Values{"date": {date.In(Moscow).Format(time.DateOnly)}}, out: &out, idempotent: true})
	return out.Response.Data, err
}

// ParseRUNumber reads a number as WB's tariffs write it: digits grouped
// by spaces (ordinary, no-break or narrow), a decimal comma ("1 039",
// "9,1"). An empty value or WB's "-" is no number.
func ParseRUNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			return -1
		case ',':
			return '.'
		}
		return r
	}, s)
	if s == "" || s == "-" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Kopecks reads an amount in roubles written as ParseRUNumber reads it.
func Kopecks(s string) (int64, bool) {
	f, ok := ParseRUNumber(s)
	if !ok || f < 0 || f > 1e12 {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}
