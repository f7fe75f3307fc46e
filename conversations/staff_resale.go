package conversations

import (
	"context"
	"strconv"
	"strings"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_resale.go: the warehouse's side of resale on WB (manual §6). Staff
// put a return decided "Sell on WB" on a shelf place, answering the card's
// question with the place; the resale loop (wb/resale) then lists it on
// WB, and brings each buyer's order into the seller's topic: what to pick
// (shelf place, product, barcode) with the order's sticker as a file and
// a "Packed" button; packed, the supply gets a "Handed over" button, and
// the loop posts its QR code once WB took it. Without a shelf (Deps.Shelf
// nil: no FBS office configured) staff mark the return listed by hand.

// Unit buttons: "su|pack:<unit>|<version>" packs a unit, and
// "su|hand:<supply>|0" hands its supply over.
const (
	btnStaffUnit buttonKind = "su"
	opPack                  = "pack"
	opHandOver              = "hand"
)

// shelving reports whether the shelf step replaces marking a return
// listed by hand.
func (d *StaffDesk) shelving() bool { return d.Services.Shelf != nil }

// shelfButtons names the card's listing step for what it does: staff put
// the item on a shelf, the loop lists it.
func (d *StaffDesk) shelfButtons(l *locales.Localizer, rows [][]Button) [][]Button {
	if !d.shelving() {
		return rows
	}
	for _, row := range rows {
		for i := range row {
			if strings.HasPrefix(row[i].Data, "sa|sell:") {
				row[i].Text = l.T("staff.button.shelve")
			}
		}
	}
	return rows
}

// unitLines are the card's lines about the return's shelf unit, if any.
func (d *StaffDesk) unitLines(ctx context.Context, l *locales.Localizer, r *domain.Return) []string {
	if !d.shelving() || r.Decision != domain.DecisionSellOnWB {
		return nil
	}
	units, err := d.Services.Shelf.FindUnits(ctx, domain.UnitFilter{ReturnID: &r.ID})
	if err != nil || len(units) == 0 {
		return nil
	}
	u := units[0]
	return []string{l.T("staff.card.unit", map[string]any{"Shelf": u.ShelfPlace, "Status": l.Label("unit_status", string(u.Status))})}
}

// shelve records the shelf place a staff member replied with, in answer
// to the staffShelf question.
func (t *Turn) shelve(r *domain.Return, place string) (*domain.Return, error) {
	if !t.staff.desk.shelving() {
		return nil, domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	u, err := t.staff.desk.Services.Shelf.ShelveUnit(t.ctx, r.ID, place)
	if err != nil {
		return nil, err
	}
	if err := t.staffAudit("unit.shelve", r, 0, map[string]any{"unit": u.ID, "shelf": u.ShelfPlace}); err != nil {
		return nil, err
	}
	t.staffSay("staff.shelve.done", map[string]any{"Return": r.ReturnNumber, "Shelf": u.ShelfPlace})
	return t.staff.desk.Services.Returns.FindReturnByID(t.ctx, r.ID)
}

// pressUnit carries out a Packed or Handed over button.
func (t *Turn) pressUnit(b button) error {
	op, idStr, _ := strings.Cut(b.arg, ":")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil || !t.staff.desk.shelving() {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	switch op {
	case opPack:
		return t.pack(id, b.version)
	case opHandOver:
		return t.handOver(id)
	}
	return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
}

// pack marks a unit packed and says how far its supply is; once all of it
// is packed, the answer carries the supply's Handed over button.
func (t *Turn) pack(id, version int64) error {
	shelf := t.staff.desk.Services.Shelf
	u, err := shelf.FindUnitByID(t.ctx, id)
	if err != nil {
		return err
	}
	if u.Version != version || u.Status != domain.UnitOrdered {
		t.staff.toast = t.l.T("staff.resale.stale", map[string]any{"Status": t.l.Label("unit_status", string(u.Status))})
		return nil
	}
	if u, err = shelf.ApplyUnitEvent(t.ctx, id, domain.UnitChange{Event: domain.UnitEventPack}); err != nil {
		return err
	}
	ret := &domain.Return{ID: u.ReturnID, SellerID: u.SellerID}
	if err := t.staffAudit("unit.pack", ret, 0, map[string]any{"unit": u.ID, "order": u.Order.ID}); err != nil {
		return err
	}
	t.staff.toast = t.l.T("staff.action.done", map[string]any{"Action": t.l.T("staff.button.packed"), "Return": u.ReturnNumber})
	if u.SupplyID == nil {
		return nil
	}
	return t.supplyProgress(u)
}

// supplyProgress answers a Packed press with how much of the supply is
// packed, and the Handed over button once all of it is.
func (t *Turn) supplyProgress(u *domain.Unit) error {
	shelf := t.staff.desk.Services.Shelf
	sp, err := shelf.FindSupplyByID(t.ctx, *u.SupplyID)
	if err != nil {
		return err
	}
	units, err := shelf.FindUnits(t.ctx, domain.UnitFilter{SupplyID: &sp.ID})
	if err != nil {
		return errInternal(err)
	}
	packed := 0
	for _, o := range units {
		if o.Status == domain.UnitPacked {
			packed++
		}
	}
	m := StaffMessage{Text: t.l.T("staff.resale.packed", map[string]any{"Return": u.ReturnNumber,
		"Supply": supplyName(sp), "Packed": packed, "Total": len(units)})}
	if packed == len(units) && sp.State == domain.SupplyOpen {
		m.Buttons = [][]Button{{{Text: t.l.T("staff.button.handed_over"),
			Data: btnStaffUnit.data(0, opHandOver, strconv.FormatInt(sp.ID, 10))}}}
	}
	t.post(m)
	return nil
}

// handOver marks a supply handed over; the loop delivers it to WB and
// posts its QR code.
func (t *Turn) handOver(supplyID int64) error {
	sp, err := t.staff.desk.Services.Shelf.HandOver(t.ctx, supplyID)
	if err != nil {
		return err
	}
	if err := t.staffAudit("supply.hand_over", nil, sp.SellerID, map[string]any{"supply": sp.ID, "wb_supply": sp.WBID}); err != nil {
		return err
	}
	t.staff.toast = t.l.T("staff.action.done", map[string]any{"Action": t.l.T("staff.button.handed_over"), "Return": supplyName(sp)})
	t.staffSay("staff.resale.handing_over", map[string]any{"Supply": supplyName(sp)})
	t.later(func(ctx context.Context) {
		if err := t.staff.desk.Chat.Edit(ctx, t.in.ButtonOn, StaffMessage{}); err != nil {
			t.staff.desk.log().Warn("staff: clear buttons", "err", err)
		}
	})
	return nil
}

func supplyName(sp *domain.Supply) string {
	if sp.WBID != "" {
		return sp.WBID
	}
	return sp.Name
}

// resaleView is what a batch of resale relays is about, read before the
// post is rendered: the units by their return, the supplies by id.
type resaleView struct {
	units    map[int64]*domain.Unit
	supplies map[int64]*domain.Supply
	picks    []*domain.Unit // the seller's ordered units, for a pick list
}

// loadResale reads the units and supplies a batch of relays mentions.
func (d *StaffDesk) loadResale(ctx context.Context, th *sellerThread, rs []*domain.SupportRelay) error {
	if !d.shelving() {
		return nil
	}
	th.resale = &resaleView{units: map[int64]*domain.Unit{}, supplies: map[int64]*domain.Supply{}}
	for _, r := range rs {
		if r.Kind != domain.RelayResale {
			continue
		}
		if r.ReturnID != nil && th.resale.units[*r.ReturnID] == nil {
			units, err := d.Services.Shelf.FindUnits(ctx, domain.UnitFilter{ReturnID: r.ReturnID})
			if err != nil {
				return err
			}
			if len(units) > 0 {
				th.resale.units[*r.ReturnID] = units[0]
			}
		}
		task, args := domain.ParseResaleTask(r.Text)
		if task == domain.ResalePickList && th.resale.picks == nil {
			picks, err := d.Services.Shelf.FindUnits(ctx, domain.UnitFilter{SellerID: &th.seller.ID,
				Statuses: []domain.UnitStatus{domain.UnitOrdered}})
			if err != nil {
				return err
			}
			th.resale.picks = picks
		}
		if task == domain.ResaleQR && len(args) > 0 {
			id, _ := strconv.ParseInt(args[0], 10, 64)
			sp, err := d.Services.Shelf.FindSupplyByID(ctx, id)
			if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
				return err
			}
			th.resale.supplies[id] = sp
		}
	}
	return nil
}

// resaleLine renders one resale relay, adding its files and buttons to m.
func (d *StaffDesk) resaleLine(l *locales.Localizer, th *sellerThread, r *domain.SupportRelay, ret *domain.Return, m *StaffMessage) string {
	for _, f := range r.Files {
		m.Files = append(m.Files, d.relayFile(f))
	}
	task, args := domain.ParseResaleTask(r.Text)
	data := map[string]any{}
	var u *domain.Unit
	if ret != nil {
		data["Return"], data["Product"], data["Link"], data["Barcode"] = ret.ReturnNumber, ret.ProductName, returnLink(ret), ret.Barcode
		if th.resale != nil {
			u = th.resale.units[ret.ID]
		}
	}
	if u != nil {
		data["Shelf"], data["Sticker"] = u.ShelfPlace, u.Sticker
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch task {
	case domain.ResalePick:
		if u != nil && u.Status == domain.UnitOrdered {
			m.Buttons = append(m.Buttons, []Button{{Text: l.Join(l.T("staff.button.packed"), u.ReturnNumber),
				Data: btnStaffUnit.data(u.Version, opPack, strconv.FormatInt(u.ID, 10))}})
		}
		return l.T("staff.resale.pick", data)
	case domain.ResaleQR:
		data["Supply"] = arg(0)
		if th.resale != nil && th.resale.supplies[atoi(arg(0))] != nil {
			data["Supply"] = supplyName(th.resale.supplies[atoi(arg(0))])
		}
		return l.T("staff.resale.qr", data)
	case domain.ResaleUnpick:
		return l.T("staff.resale.unpick", data)
	case domain.ResaleRefused:
		return l.T("staff.resale.refused", data)
	case domain.ResaleWithdraw:
		return l.T("staff.resale.withdraw", data)
	case domain.ResaleNoSize:
		return l.T("staff.resale.no_size", data)
	case domain.ResaleDrift:
		return l.T("staff.resale.drift", map[string]any{"Chrt": arg(0), "WB": arg(1), "Shelf": arg(2)})
	case domain.ResaleNoUnit:
		return l.T("staff.resale.no_unit", map[string]any{"Order": arg(0), "Chrt": arg(1)})
	case domain.ResalePass:
		return l.T("staff.resale.pass", map[string]any{"Office": arg(0)})
	case domain.ResaleBlocked:
		return l.T("staff.resale.blocked", map[string]any{"Reason": l.T(arg(0))})
	case domain.ResalePickList:
		return pickList(l, th, arg(0))
	}
	return l.T("staff.resale.unknown", map[string]any{"Task": r.Text})
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// pickList is the day's list of what to pick for the seller: one line per
// ordered unit with its shelf place, product and barcode.
func pickList(l *locales.Localizer, th *sellerThread, day string) string {
	var picks []*domain.Unit
	if th.resale != nil {
		picks = th.resale.picks
	}
	lines := []string{l.T("staff.resale.pick_list", map[string]any{"Day": day, "Count": len(picks)})}
	for _, u := range picks {
		lines = append(lines, l.T("staff.resale.pick_line", map[string]any{"Shelf": u.ShelfPlace, "Product": u.ProductName,
			"Return": u.ReturnNumber, "Barcode": u.Barcode, "Sticker": u.Sticker, "Link": "/r_" + strconv.FormatInt(u.ReturnID, 10)}))
	}
	return strings.Join(lines, "\n")
}
