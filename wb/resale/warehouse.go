package resale

import (
	"context"
	"errors"
	"fmt"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// Why a store cannot sell on WB, as the seller is told (locales ids).
const (
	blockNoMarketplace = "error.resale.no_marketplace" // the token lacks the Marketplace category
	blockOfficeTaken   = "error.resale.office_taken"   // another warehouse of the seller uses Indigo's office
	blockRefused       = "error.resale.wb_refused"     // WB refused to make the warehouse
)

// WarehouseName is the seller warehouse Indigo makes in a store's WB
// account, named so the seller recognises it in WB's cabinet.
func WarehouseName(s *domain.Store) string {
	name := "IndigoWarehouse · " + s.Name
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// warehouse finds the store's FBS warehouse at Indigo's office, or makes
// it. The list comes first: a turn that crashed after WB made the
// warehouse left it there, and WB would refuse a second one at the office.
func (t *turn) warehouse(ctx context.Context) error {
	if t.rs.WarehouseID != 0 {
		return nil
	}
	name := WarehouseName(t.rs.Store)
	id, err := t.findWarehouse(ctx, name)
	if err == nil && id == 0 {
		id, err = t.l.WB.CreateWarehouse(ctx, t.token(), name, t.l.Config.OfficeID)
		switch wb.Status(err) {
		case 409:
			// Made meanwhile, or the office is another warehouse's: the
			// list says which. A 409 neither explains is tried again.
			id, err = t.findWarehouse(ctx, name)
			if err == nil && id == 0 {
				return fmt.Errorf("store %d warehouse: WB refused it with 409 and lists none", t.storeID())
			}
		case 400, 403, 404:
			// WB will not make it (a name it refuses, access denied, an
			// office it no longer offers): the seller must hear why.
			if !errors.Is(err, wb.ErrMissingScope) {
				return t.block(ctx, blockRefused)
			}
		}
	}
	switch {
	case errors.Is(err, wb.ErrMissingScope):
		return t.block(ctx, blockNoMarketplace)
	case errors.Is(err, errOfficeTaken):
		return t.block(ctx, blockOfficeTaken)
	case err != nil:
		return fmt.Errorf("store %d warehouse: %w", t.storeID(), err)
	}
	if err := t.l.Ledger.SaveWarehouse(ctx, t.storeID(), id, t.l.Config.OfficeID, name); err != nil {
		return err
	}
	t.rs.WarehouseID, t.rs.OfficeID, t.rs.WarehouseName, t.rs.Blocked = id, t.l.Config.OfficeID, name, ""
	t.rs.StockDirty = true
	return nil
}

// errOfficeTaken: Indigo's office is linked to a warehouse of the seller's
// own, whose stock Indigo must not touch.
var errOfficeTaken = errors.New("office linked to another warehouse")

// findWarehouse returns the id of Indigo's warehouse at its office, 0
// when there is none.
func (t *turn) findWarehouse(ctx context.Context, name string) (int64, error) {
	list, err := t.l.WB.Warehouses(ctx, t.token())
	if err != nil {
		return 0, err
	}
	for _, wh := range list {
		if wh.OfficeID != t.l.Config.OfficeID || wh.IsDeleting {
			continue
		}
		if wh.Name == name {
			return wh.ID, nil
		}
		return 0, errOfficeTaken
	}
	return 0, nil
}

func (t *turn) block(ctx context.Context, reason string) error {
	if err := t.l.Ledger.BlockResale(ctx, t.storeID(), reason); err != nil {
		return err
	}
	t.rs.Blocked = reason
	return nil
}

// sizes reads from WB's card which size (chrtId) each new unit is: the
// stock is kept by size, and a return knows only its card and barcode.
func (t *turn) sizes(ctx context.Context) error {
	units, err := t.l.Ledger.FindUnits(ctx, domain.UnitFilter{StoreID: ptr(t.storeID()), NoChrt: true,
		Statuses: []domain.UnitStatus{domain.UnitShelved}})
	if err != nil || len(units) == 0 {
		return err
	}
	type item struct {
		nmID    int64
		barcode string
	}
	byItem := map[item][]int64{}
	var order []item
	for _, u := range units {
		k := item{u.NmID, u.Barcode}
		if byItem[k] == nil {
			order = append(order, k)
		}
		byItem[k] = append(byItem[k], u.ID)
	}
	cards := map[int64]*wb.Card{}
	for _, k := range order {
		card, ok := cards[k.nmID]
		if !ok {
			c, found, err := t.l.WB.CardByNmID(ctx, t.token(), k.nmID)
			if err != nil {
				return fmt.Errorf("store %d card %d: %w", t.storeID(), k.nmID, err)
			}
			if found {
				card = &c
			}
			cards[k.nmID] = card
		}
		size, found := wb.CardSize{}, false
		if card != nil {
			size, found = card.SizeFor(k.barcode)
		}
		if !found || size.ChrtID == 0 {
			if err := t.l.Ledger.NoSize(ctx, byItem[k]); err != nil {
				return err
			}
			continue
		}
		if err := t.l.Ledger.SetUnitChrt(ctx, byItem[k], size.ChrtID); err != nil {
			return err
		}
		t.sized += len(byItem[k])
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
