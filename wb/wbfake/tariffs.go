package wbfake

import (
	"net/http"
	"slices"
	"time"
)

// WB's tariffs (common-api): commissions per subject, and box and return
// tariffs per warehouse with amounts as Russian number strings ("1 039",
// "9,1"), the same for every seller.

// CommissionRate is one subject's commissions, in percent.
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

// BoxTariff is one warehouse's box tariff row.
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

// ReturnTariff is one warehouse's return tariff row.
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

// rates is what the tariff methods serve.
type rates struct {
	commissions []CommissionRate
	box         []BoxTariff
	ret         []ReturnTariff
}

// defaultRates are WB-like tariffs: since 15.08.2026 WB shows the RF only
// through the aggregate rows (wb-resale.md §4).
func defaultRates() rates {
	c := func(id int64, name string, fbs float64) CommissionRate {
		return CommissionRate{KgvpBooking: fbs, KgvpMarketplace: fbs, KgvpPickup: fbs, KgvpSupplier: fbs - 3,
			KgvpSupplierExpress: fbs - 5, PaidStorageKgvp: fbs - 3.5, ParentID: id / 100, ParentName: "Товары", SubjectID: id, SubjectName: name}
	}
	return rates{
		commissions: []CommissionRate{
			c(168, "Куртки", 24.5), c(169, "Шарфы", 25), c(3061, "Наушники", 19.5), c(5067, "Фитнес-браслеты", 17),
			c(105, "Ботинки", 23), c(104, "Кроссовки", 23), c(1290, "Наволочки", 21.5), c(2397, "Сковороды", 20),
			c(3120, "Настольные лампы", 20), c(1724, "Худи", 24.5), c(514, "Чехлы для телефонов", 28), c(5410, "Коврики для йоги", 22),
		},
		box: []BoxTariff{
			{BoxDeliveryBase: "-", BoxDeliveryCoefExpr: "-", BoxDeliveryLiter: "-", BoxDeliveryMarketplaceBase: "46",
				BoxDeliveryMarketplaceCoefExpr: "100", BoxDeliveryMarketplaceLiter: "9,1", BoxStorageBase: "-",
				BoxStorageCoefExpr: "-", BoxStorageLiter: "-", GeoName: "", WarehouseName: "Свой склад РФ"},
			{BoxDeliveryBase: "-", BoxDeliveryCoefExpr: "-", BoxDeliveryLiter: "-", BoxDeliveryMarketplaceBase: "1 039",
				BoxDeliveryMarketplaceCoefExpr: "100", BoxDeliveryMarketplaceLiter: "64,5", BoxStorageBase: "-",
				BoxStorageCoefExpr: "-", BoxStorageLiter: "-", GeoName: "", WarehouseName: "Свой склад СГТ РФ"},
		},
		ret: []ReturnTariff{
			{DeliveryDumpKgtOfficeBase: "1 039", DeliveryDumpKgtOfficeLiter: "9,1", DeliveryDumpKgtReturnExpr: "1 039",
				DeliveryDumpSrgOfficeExpr: "350", DeliveryDumpSrgReturnExpr: "350", DeliveryDumpSupCourierBase: "120",
				DeliveryDumpSupCourierLiter: "9,1", DeliveryDumpSupOfficeBase: "50", DeliveryDumpSupOfficeLiter: "9,1",
				DeliveryDumpSupReturnExpr: "50", WarehouseName: "Свой склад РФ"},
			{DeliveryDumpKgtOfficeBase: "1 039", DeliveryDumpKgtOfficeLiter: "9,1", DeliveryDumpKgtReturnExpr: "1 039",
				DeliveryDumpSrgOfficeExpr: "350", DeliveryDumpSrgReturnExpr: "350", DeliveryDumpSupCourierBase: "120",
				DeliveryDumpSupCourierLiter: "9,1", DeliveryDumpSupOfficeBase: "50", DeliveryDumpSupOfficeLiter: "9,1",
				DeliveryDumpSupReturnExpr: "50", WarehouseName: "Склад WB РФ"},
		},
	}
}

// SetCommissions replaces the commission report.
func (s *Server) SetCommissions(rows []CommissionRate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates.commissions = slices.Clone(rows)
}

// SetBoxTariffs replaces the box tariff rows.
func (s *Server) SetBoxTariffs(rows []BoxTariff) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates.box = slices.Clone(rows)
}

// SetReturnTariffs replaces the return tariff rows.
func (s *Server) SetReturnTariffs(rows []ReturnTariff) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates.ret = slices.Clone(rows)
}

func (s *Server) getCommission(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("locale") {
	case "", "ru", "en", "zh":
	default:
		writeProblem(w, http.StatusBadRequest, "Bad Request", "locale must be one of ru, en, zh", "tariffs")
		return
	}
	s.mu.Lock()
	report := slices.Clone(s.rates.commissions)
	s.mu.Unlock()
	if report == nil {
		report = []CommissionRate{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": report})
}

// tariffDate reads the required date=YYYY-MM-DD, answering 400 as WB's
// tariffs do.
func tariffDate(w http.ResponseWriter, r *http.Request) bool {
	v := r.URL.Query().Get("date")
	if v == "" {
		writeProblem(w, http.StatusBadRequest, "Bad Request", `parameter "date" in query has an error: value is required but missing`, "tariffs")
		return false
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		writeProblem(w, http.StatusBadRequest, "Bad Request", "can't parse date", "tariffs")
		return false
	}
	return true
}

func (s *Server) getBoxTariffs(w http.ResponseWriter, r *http.Request) {
	if !tariffDate(w, r) {
		return
	}
	s.mu.Lock()
	rows, now := slices.Clone(s.rates.box), s.now()
	s.mu.Unlock()
	if rows == nil {
		rows = []BoxTariff{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{"data": map[string]any{
		"dtNextBox": "", "dtTillMax": now.In(moscow).AddDate(0, 0, 14).Format(time.DateOnly), "warehouseList": rows}}})
}

func (s *Server) getReturnTariffs(w http.ResponseWriter, r *http.Request) {
	if !tariffDate(w, r) {
		return
	}
	s.mu.Lock()
	rows := slices.Clone(s.rates.ret)
	s.mu.Unlock()
	if rows == nil {
		rows = []ReturnTariff{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{"data": map[string]any{
		"currency": "RUB", "dtNextDeliveryDumpKgt": "", "dtNextDeliveryDumpSrg": "", "dtNextDeliveryDumpSup": "",
		"warehouseList": rows}}})
}
