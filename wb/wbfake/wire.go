package wbfake

import "time"

// The structs below are written from wb-api.md and the FBS seed, not shared
// with package wb: a fake that borrowed the client's structs could not catch
// a wrong JSON tag.

// Seller is a WB seller account as GET /api/v1/seller-info shows it.
type Seller struct {
	SID       string `json:"sid"`
	Name      string `json:"name"`
	TradeMark string `json:"tradeMark"`
}

// Claim is a buyer return claim (returns-api).
type Claim struct {
	ID           string   `json:"id"`
	ClaimType    int      `json:"claim_type"`
	Status       int      `json:"status"`
	StatusEx     int      `json:"status_ex"`
	NmID         int64    `json:"nm_id"`
	UserComment  string   `json:"user_comment"`
	WBComment    *string  `json:"wb_comment"`
	Dt           string   `json:"dt"`
	ImtName      *string  `json:"imt_name"`
	OrderDt      string   `json:"order_dt"`
	DtUpdate     string   `json:"dt_update"`
	Photos       []string `json:"photos"`
	VideoPaths   []string `json:"video_paths"`
	Actions      []string `json:"actions"`
	Price        float64  `json:"price"`
	CurrencyCode string   `json:"currency_code"`
	Srid         string   `json:"srid"`
	OriginIDInfo *string  `json:"origin_id_info"`
	DeliveryDt   string   `json:"delivery_dt"`

	// Archive puts the claim on the is_archive=true side.
	Archive bool `json:"-"`
}

// ReturnRow is one row of the goods-return report.
type ReturnRow struct {
	Barcode          string  `json:"barcode"`
	Brand            string  `json:"brand"`
	CompletedDt      *string `json:"completedDt"`
	DstOfficeAddress string  `json:"dstOfficeAddress"`
	DstOfficeID      int64   `json:"dstOfficeId"`
	ExpiredDt        *string `json:"expiredDt"`
	IsStatusActive   int     `json:"isStatusActive"`
	NmID             int64   `json:"nmId"`
	OrderDt          string  `json:"orderDt"`
	OrderID          int64   `json:"orderId"`
	ReadyToReturnDt  *string `json:"readyToReturnDt"`
	Reason           string  `json:"reason"`
	ReturnType       string  `json:"returnType"`
	ShkID            int64   `json:"shkId"`
	Srid             string  `json:"srid"`
	Status           string  `json:"status"`
	StickerID        string  `json:"stickerId"`
	SubjectName      string  `json:"subjectName"`
	TechSize         string  `json:"techSize"`
}

// Goods-return statuses in the order a return moves (wb-api.md §6, §9.5).
const (
	ReturnIssued    = "Оформлен"
	ReturnInTransit = "В пути в пвз"
	ReturnReady     = "Готов к выдаче"
	ReturnCollected = "Выдано"
	ReturnCancelled = "Отмена по задержке"
)

// Order is an FBS assembly task.
type Order struct {
	ID                    int64          `json:"id"`
	RID                   string         `json:"rid"`
	OrderUID              string         `json:"orderUid"`
	CreatedAt             time.Time      `json:"createdAt"`
	WarehouseID           int64          `json:"warehouseId"`
	OfficeID              int64          `json:"officeId"`
	Offices               []string       `json:"offices"`
	NmID                  int64          `json:"nmId"`
	ChrtID                uint64         `json:"chrtId"`
	Article               string         `json:"article"`
	Skus                  []string       `json:"skus"`
	ColorCode             string         `json:"colorCode"`
	Price                 int64          `json:"price"`
	ConvertedPrice        int64          `json:"convertedPrice"`
	FinalPrice            int64          `json:"finalPrice"`
	ConvertedFinalPrice   int64          `json:"convertedFinalPrice"`
	SalePrice             *int64         `json:"salePrice"`
	CurrencyCode          int            `json:"currencyCode"`
	ConvertedCurrencyCode int            `json:"convertedCurrencyCode"`
	CargoType             int            `json:"cargoType"`
	CrossBorderType       int            `json:"crossBorderType"`
	DeliveryType          string         `json:"deliveryType"`
	Comment               string         `json:"comment"`
	ScanPrice             *float64       `json:"scanPrice"`
	Address               *OrderAddress  `json:"address"`
	RequiredMeta          []string       `json:"requiredMeta"`
	IsZeroOrder           bool           `json:"isZeroOrder"`
	SupplyID              string         `json:"supplyId,omitempty"`
	Options               map[string]any `json:"options"`

	IsPickupPointShipmentAllowed bool `json:"isPickupPointShipmentAllowed"`

	SupplierStatus string `json:"-"` // new, confirm, complete, cancel
	WBStatus       string `json:"-"` // waiting, sorted, sold, ready_for_pickup, …
	reship         bool   // scanned supply, order not: WB wants it shipped again
}

// OrderAddress is a buyer's address.
type OrderAddress struct {
	FullAddress string  `json:"fullAddress"`
	Longitude   float64 `json:"longitude"`
	Latitude    float64 `json:"latitude"`
}

// Supply is an FBS supply.
type Supply struct {
	ID                  string     `json:"id"`
	Done                bool       `json:"done"`
	CreatedAt           time.Time  `json:"createdAt"`
	ClosedAt            *time.Time `json:"closedAt"`
	ScanDt              *time.Time `json:"scanDt"`
	Name                string     `json:"name"`
	CargoType           int        `json:"cargoType"`
	DestinationOfficeID *int64     `json:"destinationOfficeId"`
	IsB2B               *bool      `json:"isB2b"`
	CrossBorderType     *int       `json:"crossBorderType"`
	ShippingDt          string     `json:"shippingDt"`
	ShippingPointID     int64      `json:"shippingPointId"`
	ShippingType        string     `json:"shippingType"`
	WaybillUUID         *string    `json:"waybillUuid"`
	SpotAvailable       bool       `json:"spotAvailable"`

	IsPickupPointShipmentAllowed bool  `json:"isPickupPointShipmentAllowed"`
	RecommendedWhID              int64 `json:"recommendedWhId"`
}

// ShippingPoint is where a seller brings supplies: a sorting centre (sc),
// a WB warehouse (sw) or a pickup point (pp).
type ShippingPoint struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Address     string  `json:"address"`
	City        string  `json:"city"`
	OfficeType  string  `json:"officeType"`
	CargoTypes  []int   `json:"cargoTypes"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	Fulfillment bool    `json:"fulfillment"`
}

// Office is a WB office.
type Office struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Address         string  `json:"address"`
	City            string  `json:"city"`
	Longitude       float64 `json:"longitude"`
	Latitude        float64 `json:"latitude"`
	CargoType       int     `json:"cargoType"`
	DeliveryType    int     `json:"deliveryType"`
	FederalDistrict *string `json:"federalDistrict"`
	Selected        bool    `json:"selected"`
}

// Warehouse is a seller warehouse.
type Warehouse struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	OfficeID     int64  `json:"officeId"`
	CargoType    int    `json:"cargoType"`
	DeliveryType int    `json:"deliveryType"`
	IsDeleting   bool   `json:"isDeleting"`
	IsProcessing bool   `json:"isProcessing"`
}

// Pass is a warehouse entry pass.
type Pass struct {
	ID            int64  `json:"id"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	CarModel      string `json:"carModel"`
	CarNumber     string `json:"carNumber"`
	OfficeID      int64  `json:"officeId"`
	OfficeName    string `json:"officeName"`
	OfficeAddress string `json:"officeAddress"`
	DateEnd       string `json:"dateEnd"`
}

// PassOffice is a WB warehouse that needs a pass.
type PassOffice struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Card is a product card (content-api).
type Card struct {
	NmID        int64       `json:"nmID"`
	ImtID       int64       `json:"imtID"`
	NmUUID      string      `json:"nmUUID"`
	SubjectID   int64       `json:"subjectID"`
	SubjectName string      `json:"subjectName"`
	VendorCode  string      `json:"vendorCode"`
	Brand       string      `json:"brand"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	NeedKiz     bool        `json:"needKiz"`
	Photos      []CardPhoto `json:"photos"`
	Video       string      `json:"video"`
	Sizes       []CardSize  `json:"sizes"`
	CreatedAt   string      `json:"createdAt"`
	UpdatedAt   string      `json:"updatedAt"`
}

// CardPhoto is one photo in WB's sizes.
type CardPhoto struct {
	Big      string `json:"big"`
	C246x328 string `json:"c246x328"`
	C516x688 string `json:"c516x688"`
	Square   string `json:"square"`
	Tm       string `json:"tm"`
}

// CardSize is one size of a card.
type CardSize struct {
	ChrtID   int64    `json:"chrtID"`
	TechSize string   `json:"techSize"`
	WBSize   string   `json:"wbSize"`
	Skus     []string `json:"skus"`
}

// Stock is the amount of one size at a seller warehouse.
type Stock struct {
	ChrtID uint64 `json:"chrtId"`
	Amount int    `json:"amount"`
}
