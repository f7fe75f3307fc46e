package domain

import (
	"context"
	"time"
)

// Unit is one resold item on Indigo's shelf.
type Unit struct {
	ID       int64
	ReturnID int64
	StoreID  int64
	SellerID int64

	// What the item is, copied from its return and WB's card.
	ReturnNumber string
	ProductName  string
	VendorCode   string
	Barcode      string
	NmID         int64
	ChrtID       uint64 // WB's size id the stock is kept by; 0 until read from the card

	ShelfPlace string // where staff put it, e.g. "A-3-2"
	Status     UnitStatus

	Order    *UnitOrder // the buyer's order holding it; nil when none does
	SupplyID *int64     // Indigo's supply it ships in, once added to one
	InSupply bool       // WB has the order in that supply
	Sticker  string     // the sticker's printed text (partA partB), once WB gave it

	// StaffToldAt is when the pick task with the sticker was queued for staff.
	StaffToldAt *time.Time
	// The sale, once WB says the buyer received it.
	SoldPrice    int64 // ×100, in SoldCurrency
	SoldCurrency int   // ISO 4217 numeric
	SoldAt       *time.Time

	Version   int64 // bumped on every change; guards buttons from old messages
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UnitOrder is the buyer's order (WB's assembly task) holding a unit.
type UnitOrder struct {
	ID        int64     // WB's assembly task id
	RID       string    // WB's order row id (srid elsewhere)
	CreatedAt time.Time // when the buyer ordered, by WB
	B2B       bool      // a B2B order: it never shares a supply with others
	CargoType int       // 1 small, 2 oversize, 3 large: one per supply
	Price     int64     // ×100, in Currency: what the buyer pays, WB's discounts aside
	Currency  int       // ISO 4217 numeric, e.g. 643 for roubles
}

// UnitFilter selects units. Nil fields do not filter. A seller acting in
// the context only ever sees their own.
type UnitFilter struct {
	ID       *int64
	ReturnID *int64
	SellerID *int64
	StoreID  *int64
	SupplyID *int64
	Statuses []UnitStatus // nil does not filter
	OrderID  *int64
	NmID     *int64
	ChrtID   *uint64
	// NoChrt selects units whose size is not yet known and was not found
	// missing on the card in the last day.
	NoChrt bool
	// Untold selects ordered units whose pick task staff have not got.
	Untold bool
	Limit  int // 0 means no limit
}

// UnitChange is a unit event with the facts that go with it.
type UnitChange struct {
	Event UnitEvent
	Order *UnitOrder // with UnitEventOrder: the buyer's order
	Note  string     // free text for the history, e.g. WB's status
}

// UnitTransition is one recorded status change of a unit.
type UnitTransition struct {
	UnitID  int64
	Event   UnitEvent
	From    UnitStatus
	To      UnitStatus
	OrderID int64
	Actor   Actor
	Note    string
	At      time.Time
}

// SupplyState is where one of Indigo's FBS supplies is.
type SupplyState string

// Supply states.
const (
	SupplyOpen        SupplyState = "open"         // takes orders
	SupplyHandingOver SupplyState = "handing_over" // staff handed it over: deliver it to WB
	SupplyDelivered   SupplyState = "delivered"    // WB took it; its QR was posted
	SupplyDropped     SupplyState = "dropped"      // emptied by cancellations and deleted
)

// Supply is a batch of orders of one store Indigo ships to WB together.
// It is Indigo's row first and WB's supply second: the row (and its name)
// exists before WB is asked to make it, so a crash between the two finds
// WB's supply by name instead of making a second one.
type Supply struct {
	ID        int64
	StoreID   int64
	SellerID  int64
	Name      string // unique; WB's supply carries it
	WBID      string // WB-GI-…, "" until WB made it
	B2B       bool
	CargoType int
	State     SupplyState
	// ShippingDate is the day WB was told the supply ships (YYYY-MM-DD),
	// "" until the shipping parameters were set.
	ShippingDate string
	QR           string // the supply's barcode text once delivered
	CreatedAt    time.Time
	DeliveredAt  *time.Time
}

// UnitSummary is what a seller's units come to: how many wait on sale,
// are on their way to buyers, were sold, and the money from the sold ones.
type UnitSummary struct {
	OnShelf   int   // shelved and listed
	InOrder   int   // ordered, packed, handed over
	Sold      int   // sold
	SoldPrice int64 // ×100 roubles, the sum of the sold units' prices
}

// ShelfService keeps the shelf units: what staff and sellers do to them
// and what they see. The resale loop's own steps are in its package.
type ShelfService interface {
	// ShelveUnit puts the item of a return awaiting transfer to sale on a
	// shelf place, as a unit that the loop will list. Shelving it again
	// moves it to the new place while it waits.
	ShelveUnit(ctx context.Context, returnID int64, place string) (*Unit, error)
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	// ApplyUnitEvent moves a unit through its lifecycle, records who did
	// it, and queues what the seller and staff must hear.
	ApplyUnitEvent(ctx context.Context, id int64, ch UnitChange) (*Unit, error)
	FindUnitTransitions(ctx context.Context, unitID int64) ([]*UnitTransition, error)
	FindSupplyByID(ctx context.Context, id int64) (*Supply, error)
	// HandOver marks a supply as handed over by staff: the loop delivers
	// it to WB. Every unit in it must be packed.
	HandOver(ctx context.Context, supplyID int64) (*Supply, error)
	SummarizeUnits(ctx context.Context, f UnitFilter) (UnitSummary, error)
	// ConfirmInvite records that the seller invited IndigoWarehouse as a
	// user of the store's WB account (manual §6), which stops the reminders.
	ConfirmInvite(ctx context.Context, storeID int64) error
}

// ResaleStore is one store as the resale loop works it: the store with its
// token, and its FBS warehouse once made or found.
type ResaleStore struct {
	Store         *Store
	WarehouseID   int64 // 0 until made or found
	OfficeID      int64
	WarehouseName string
	// Blocked is why Indigo cannot sell the store's items (a locales id),
	// "" when it can.
	Blocked string
	// StatusesDue says the buyers' statuses are due to be read; Reconcile
	// that the daily comparison of WB's stock with the shelf is.
	StatusesDue  bool
	ReconcileDue bool
	// What the store has to do, as the lease found it, so that a turn
	// with nothing to do costs one WB call and no query: the shelf changed
	// since the stock was planned; units wait for their size; ordered
	// units wait for their supply or their sticker; a supply was handed
	// over; orders hold units.
	StockDirty, Unsized, Assembling, HandingOver, InOrder bool
	// InviteDue: the seller has not said IndigoWarehouse was invited into
	// the store's WB account, and was last reminded a week ago or never.
	InviteDue bool
}

// StockLine is what the WB stock of one size should be: the units on the
// shelf and free, with the shelved ones it counts for the first time.
type StockLine struct {
	ChrtID  uint64
	Amount  int
	Shelved []int64 // units this amount lists once WB has it
}

// ResaleDone is how one store's turn of the loop ended: when its orders
// are next due, and, when the buyers' statuses or the daily reconciliation
// were read this turn, when they are next due.
type ResaleDone struct {
	StoreID     int64
	Next        time.Time
	StatusesAt  *time.Time
	ReconcileAt *time.Time
	// StockDirty keeps the stock due to be planned: the turn failed
	// before it was.
	StockDirty bool
	Err        error
}
