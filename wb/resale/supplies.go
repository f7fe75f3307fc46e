package resale

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
)

// assemble puts the orders of ordered units into supplies and gives staff
// each pick with its sticker. The order comes from WB: a sticker exists
// only for an order in a supply, and staff print it before they pack.
func (t *turn) assemble(ctx context.Context) error {
	units, err := t.l.Ledger.FindUnits(ctx, domain.UnitFilter{StoreID: ptr(t.storeID()),
		Statuses: []domain.UnitStatus{domain.UnitOrdered, domain.UnitPacked}})
	if err != nil {
		return err
	}
	if err := t.assign(ctx, units); err != nil {
		return err
	}
	if units, err = t.l.Ledger.FindUnits(ctx, domain.UnitFilter{StoreID: ptr(t.storeID()),
		Statuses: []domain.UnitStatus{domain.UnitOrdered, domain.UnitPacked}}); err != nil {
		return err
	}
	bySupply := map[int64][]*domain.Unit{}
	for _, u := range units {
		if u.SupplyID != nil && !u.InSupply {
			bySupply[*u.SupplyID] = append(bySupply[*u.SupplyID], u)
		}
	}
	var errs []error
	for id, us := range bySupply {
		errs = append(errs, t.addToSupply(ctx, id, us))
	}
	return errors.Join(append(errs, t.tellStaff(ctx))...)
}

// assign gives every unassigned ordered unit a place in the open supply of
// its kind of order: WB never mixes B2B with other orders, nor cargo types.
func (t *turn) assign(ctx context.Context, units []*domain.Unit) error {
	type kind struct {
		b2b   bool
		cargo int
	}
	byKind := map[kind][]int64{}
	for _, u := range units {
		if u.SupplyID == nil && u.Order != nil {
			k := kind{u.Order.B2B, u.Order.CargoType}
			byKind[k] = append(byKind[k], u.ID)
		}
	}
	for k, ids := range byKind {
		sp, err := t.l.Ledger.OpenSupply(ctx, t.storeID(), k.b2b, k.cargo)
		if err != nil {
			return err
		}
		if _, err := t.l.Ledger.AssignUnits(ctx, sp.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// addToSupply makes sure WB has the supply, with its shipping parameters,
// then adds the units' orders to it (adding an order twice is harmless).
func (t *turn) addToSupply(ctx context.Context, supplyID int64, units []*domain.Unit) error {
	sp, err := t.l.Ledger.FindSupplyByID(ctx, supplyID)
	if err != nil {
		return err
	}
	if err := t.ensureSupply(ctx, sp); err != nil {
		return err
	}
	ids, orders := make([]int64, len(units)), make([]int64, len(units))
	for i, u := range units {
		ids[i], orders[i] = u.ID, u.Order.ID
	}
	if err := t.l.WB.AddOrdersToSupply(ctx, t.token(), sp.WBID, orders); err != nil {
		// A cancelled order is refused: the statuses take its unit back.
		return fmt.Errorf("store %d add %d orders to %s: %w", t.storeID(), len(orders), sp.WBID, err)
	}
	return t.l.Ledger.MarkInSupply(ctx, supplyID, ids)
}

// ensureSupply gives Indigo's supply its WB supply and shipping
// parameters. WB's supply is looked up by name first: a turn that crashed
// after WB made it must not make a second.
func (t *turn) ensureSupply(ctx context.Context, sp *domain.Supply) error {
	if sp.WBID == "" {
		list, err := t.l.WB.AllSupplies(ctx, t.token())
		if err != nil {
			return fmt.Errorf("store %d supplies: %w", t.storeID(), err)
		}
		if i := slices.IndexFunc(list, func(s wb.Supply) bool { return s.Name == sp.Name && !s.Done }); i >= 0 {
			sp.WBID = list[i].ID
		} else if sp.WBID, err = t.l.WB.CreateSupply(ctx, t.token(), sp.Name); err != nil {
			return fmt.Errorf("store %d create supply: %w", t.storeID(), err)
		}
		if err := t.l.Ledger.SetSupplyWBID(ctx, sp.ID, sp.WBID); err != nil {
			return err
		}
	}
	if day := moscowDay(t.l.Now()); sp.ShippingDate != day {
		return t.setShipping(ctx, sp, day)
	}
	return nil
}

// setShipping tells WB where, when and how the supply ships: required
// before deliver since 01.10.2026.
func (t *turn) setShipping(ctx context.Context, sp *domain.Supply, day string) error {
	point, err := t.l.shippingPoint(ctx, t.token(), max(sp.CargoType, 1))
	if err != nil {
		return err
	}
	err = t.l.WB.SetSupplyShipping(ctx, t.token(), []wb.SupplyShipping{{SupplyID: sp.WBID, ShippingDt: day,
		ShippingPointID: point.ID, ShippingType: wb.ShipSelf}})
	if wb.Code(err) == "SupplyAlreadyScanned" {
		return nil // WB has it: the date no longer matters
	}
	if err != nil {
		return fmt.Errorf("store %d shipping of %s: %w", t.storeID(), sp.WBID, err)
	}
	sp.ShippingDate = day
	return t.l.Ledger.SetSupplyShipping(ctx, sp.ID, day)
}

// shippingPoint is where Indigo brings supplies of a cargo type: the one
// configured, or the city's first sorting centre. WB's list changes
// rarely, so it is read once per loop and cargo type.
func (l *Loop) shippingPoint(ctx context.Context, token string, cargo int) (wb.ShippingPoint, error) {
	l.pointsMu.Lock()
	p, ok := l.points[cargo]
	l.pointsMu.Unlock()
	if ok {
		return p, nil
	}
	list, err := l.WB.ShippingPoints(ctx, token, l.Config.City, cargo)
	if err != nil {
		return p, fmt.Errorf("shipping points of %s: %w", l.Config.City, err)
	}
	i := slices.IndexFunc(list, func(p wb.ShippingPoint) bool {
		return p.ID == l.Config.ShippingPointID || (l.Config.ShippingPointID == 0 && p.OfficeType == wb.PointSortingCentre)
	})
	if i < 0 {
		return p, fmt.Errorf("no shipping point %d in %s for cargo type %d", l.Config.ShippingPointID, l.Config.City, cargo)
	}
	l.pointsMu.Lock()
	defer l.pointsMu.Unlock()
	if l.points == nil {
		l.points = map[int]wb.ShippingPoint{}
	}
	l.points[cargo] = list[i]
	return list[i], nil
}

// tellStaff fetches the stickers of ordered units in WB's supplies that
// staff were not told about, and queues each pick with its sticker.
func (t *turn) tellStaff(ctx context.Context) error {
	units, err := t.l.Ledger.FindUnits(ctx, domain.UnitFilter{StoreID: ptr(t.storeID()), Untold: true})
	if err != nil {
		return err
	}
	byOrder := map[int64]*domain.Unit{}
	var ids []int64
	for _, u := range units {
		if u.InSupply {
			byOrder[u.Order.ID] = u
			ids = append(ids, u.Order.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stickers, err := t.l.WB.OrderStickers(ctx, t.token(), ids, t.l.stickerType())
	if wb.Status(err) == 409 && len(ids) > 1 {
		// One order WB has no sticker for (cancelled meanwhile) refuses
		// them all: ask one by one, so the others reach staff.
		stickers, err = t.stickersOneByOne(ctx, ids)
	}
	for _, s := range stickers {
		u := byOrder[s.OrderID]
		if u == nil {
			continue
		}
		if terr := t.l.Ledger.TellStaff(ctx, u.ID, s.PartA+" "+s.PartB, t.l.file("sticker", s.OrderID, s.File), t.l.Now()); terr != nil {
			return terr
		}
		t.told++
	}
	if err != nil {
		return fmt.Errorf("store %d stickers: %w", t.storeID(), err)
	}
	return nil
}

func (t *turn) stickersOneByOne(ctx context.Context, ids []int64) ([]wb.Sticker, error) {
	var all []wb.Sticker
	var errs []error
	for _, id := range ids {
		s, err := t.l.WB.OrderStickers(ctx, t.token(), []int64{id}, t.l.stickerType())
		all = append(all, s...)
		errs = append(errs, err)
	}
	return all, errors.Join(errs...)
}

// file is a sticker or QR code as a file for the staff chat; WB sends it
// base64. A file that does not decode is left out: the label text still
// says what it is.
func (l *Loop) file(kind string, id any, b64 string) *domain.RelayFile {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(data) == 0 {
		return nil
	}
	ext, ctype := l.stickerType(), map[string]string{"svg": "image/svg+xml", "png": "image/png"}[l.stickerType()]
	if ctype == "" {
		ctype = "text/plain" // ZPL, for label printers
	}
	return &domain.RelayFile{Kind: domain.AttachmentDocument, Name: fmt.Sprintf("%s-%v.%s", kind, id, ext),
		ContentType: ctype, Data: data}
}

// handOver delivers the supplies staff handed over, and gives staff each
// supply's QR code to go with it.
func (t *turn) handOver(ctx context.Context) error {
	supplies, err := t.l.Ledger.FindSupplies(ctx, t.storeID(), domain.SupplyHandingOver)
	if err != nil {
		return err
	}
	var errs []error
	for _, sp := range supplies {
		errs = append(errs, t.deliver(ctx, sp))
	}
	return errors.Join(errs...)
}

func (t *turn) deliver(ctx context.Context, sp *domain.Supply) error {
	if sp.WBID == "" {
		return fmt.Errorf("store %d supply %d handed over before WB had it", t.storeID(), sp.ID)
	}
	if err := t.ensureSupply(ctx, sp); err != nil {
		return err
	}
	point, err := t.l.shippingPoint(ctx, t.token(), max(sp.CargoType, 1))
	if err != nil {
		return err
	}
	if err := t.prepareDropOff(ctx, sp, point); err != nil {
		return err
	}
	err = t.l.WB.DeliverSupply(ctx, t.token(), sp.WBID)
	switch wb.Code(err) {
	case "":
	case "SupplyHasZeroOrders":
		// Every order in it was cancelled: there is nothing to hand over.
		if err := t.l.WB.DeleteSupply(ctx, t.token(), sp.WBID); err != nil && wb.Status(err) != 404 {
			return fmt.Errorf("store %d delete empty %s: %w", t.storeID(), sp.WBID, err)
		}
		return t.l.Ledger.DropSupply(ctx, sp.ID)
	case "StatusMismatch":
		// Delivered by a turn that crashed before recording it, or closed
		// by WB's scan: WB's supply says which.
		if s, serr := t.l.WB.Supply(ctx, t.token(), sp.WBID); serr != nil || !s.Done {
			return fmt.Errorf("store %d deliver %s: %w", t.storeID(), sp.WBID, err)
		}
		err = nil
	}
	if err != nil {
		return fmt.Errorf("store %d deliver %s: %w", t.storeID(), sp.WBID, err)
	}
	qr, err := t.l.WB.SupplyBarcode(ctx, t.token(), sp.WBID, t.l.stickerType())
	if err != nil {
		return fmt.Errorf("store %d QR of %s: %w", t.storeID(), sp.WBID, err)
	}
	if err := t.l.Ledger.SupplyDelivered(ctx, sp.ID, qr.Barcode, t.l.file("supply", sp.WBID, qr.File), t.l.Now()); err != nil {
		return err
	}
	t.delivered++
	return nil
}

// prepareDropOff adds a cargo place when the supply goes to a pickup
// point, where WB requires them, and orders a pass when it goes to a WB
// warehouse that needs one.
func (t *turn) prepareDropOff(ctx context.Context, sp *domain.Supply, point wb.ShippingPoint) error {
	switch point.OfficeType {
	case wb.PointPickup:
		boxes, err := t.l.WB.CargoPlaces(ctx, t.token(), sp.WBID)
		if err == nil && len(boxes) == 0 {
			_, err = t.l.WB.AddCargoPlaces(ctx, t.token(), sp.WBID, 1)
		}
		if err != nil {
			return fmt.Errorf("store %d cargo places of %s: %w", t.storeID(), sp.WBID, err)
		}
	case wb.PointWarehouse:
		return t.ensurePass(ctx, point.ID)
	}
	return nil
}

// ensurePass orders a pass to a WB warehouse that needs one, unless a
// pass there lasts the day; without a configured driver staff are asked.
func (t *turn) ensurePass(ctx context.Context, officeID int64) error {
	offices, err := t.l.WB.PassOffices(ctx, t.token())
	if err != nil {
		return fmt.Errorf("store %d pass offices: %w", t.storeID(), err)
	}
	if !slices.ContainsFunc(offices, func(o wb.PassOffice) bool { return o.ID == officeID }) {
		return nil
	}
	passes, err := t.l.WB.Passes(ctx, t.token())
	if err != nil {
		return fmt.Errorf("store %d passes: %w", t.storeID(), err)
	}
	soon := t.l.Now().Add(4 * time.Hour)
	for _, p := range passes {
		if end, ok := passEnd(p.DateEnd); p.OfficeID == officeID && ok && end.After(soon) {
			return nil
		}
	}
	if t.l.Config.Driver == nil {
		return t.l.Ledger.PassNeeded(ctx, t.storeID(), officeID)
	}
	p := *t.l.Config.Driver
	p.OfficeID = officeID
	if _, err := t.l.WB.CreatePass(ctx, t.token(), p); err != nil {
		return fmt.Errorf("store %d pass to %s: %w", t.storeID(), strconv.FormatInt(officeID, 10), err)
	}
	return nil
}
