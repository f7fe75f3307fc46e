package conversations

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_card.go: a return as staff see it, with the warehouse's next steps
// as buttons ("sa|<op>:<return>|<version>": a card drawn before a change
// cannot act on it). A reply to a card records on the return: photos and
// videos become inspection attachments, text the inspection comment or the
// tracking number. Every step is ApplyEvent as the staff member, so the
// seller's notification follows through the outbox, plus an audit entry.

// staffOp is one button of a card: the lifecycle event it applies.
type staffOp struct {
	event domain.Event
	label string // locales id of the button
}

var staffOps = map[string]staffOp{
	"pick": {domain.EventPickUp, "staff.button.picked_up"},
	"recv": {domain.EventReceive, "staff.button.received"},
	"rins": {domain.EventReceiveForInspection, "staff.button.received_for_inspection"},
	"ok":   {domain.EventInspect, "staff.button.no_defect"},
	"def":  {domain.EventInspect, "staff.button.defect"},
	"sell": {domain.EventTransferToSale, "staff.button.listed"},
	"ship": {domain.EventShipToSeller, "staff.button.shipped"},
	"disp": {domain.EventDispose, "staff.button.disposed"},
}

// opsFor lists a status's steps; at receipt, the one the seller's
// before-arrival choice calls for comes first.
func opsFor(r *domain.Return) []string {
	switch r.Status {
	case domain.StatusAwaitingReceiptAtWB, domain.StatusAwaitingPickupCode:
		return []string{"pick"}
	case domain.StatusInTransitToWarehouse:
		if domain.ReceiveEvent(r) == domain.EventReceiveForInspection {
			return []string{"rins", "recv"}
		}
		return []string{"recv", "rins"}
	case domain.StatusAwaitingVerification:
		return []string{"ok", "def"}
	case domain.StatusAwaitingTransferToSale:
		return []string{"sell"}
	case domain.StatusAwaitingShipmentToSeller:
		return []string{"ship"}
	case domain.StatusAwaitingDisposal:
		return []string{"disp"}
	}
	return nil
}

// staffCardColumns are the fields staff work from, in the card's order
// (the title line has the return number and product); a field the return
// has no value for is left out.
var staffCardColumns = []domain.Column{
	domain.ColStatus, domain.ColVendorCode, domain.ColBarcode, domain.ColPickupPoint, domain.ColPickupCode,
	domain.ColNeedsVerification, domain.ColPhotoVideo, domain.ColReceivedAt, domain.ColDefectAfterCheck,
	domain.ColInspectionComment, domain.ColDecision, domain.ColTracking, domain.ColAttachments,
}

// renderCard shows a return with every column staff work from.
func (d *StaffDesk) renderCard(ctx context.Context, r *domain.Return) (StaffMessage, error) {
	l := d.l()
	seller, err := d.Services.Sellers.FindSellerByID(ctx, r.SellerID)
	if err != nil {
		return StaffMessage{}, err
	}
	store, err := d.Services.Stores.FindStoreByID(ctx, r.StoreID)
	if err != nil {
		return StaffMessage{}, err
	}
	channel := ""
	if len(seller.Identities) > 0 {
		channel = l.Label("channel", string(seller.Identities[0].Channel))
	}
	lines := []string{
		l.T("staff.card.title", map[string]any{"Return": r.ReturnNumber, "Product": r.ProductName, "Link": returnLink(r)}),
		l.T("staff.card.seller", map[string]any{"Seller": sellerName(seller), "Store": store.Name, "Channel": channel,
			"Link": "/s_" + strconv.FormatInt(seller.ID, 10)}),
	}
	lines = append(lines, fieldLines(l, r, staffCardColumns, seller)...)
	lines = append(lines, d.unitLines(ctx, l, r)...) // staff_resale.go
	switch r.Status {
	case domain.StatusAwaitingVerification:
		lines = append(lines, l.T("staff.card.hint_inspect"))
	case domain.StatusAwaitingShipmentToSeller:
		lines = append(lines, l.T("staff.card.hint_ship"))
	}
	return StaffMessage{Text: strings.Join(lines, "\n"), Buttons: d.shelfButtons(l, cardButtons(l, r))}, nil
}

// cardButtons are the status's steps, then a refresh.
func cardButtons(l *locales.Localizer, r *domain.Return) [][]Button {
	id := strconv.FormatInt(r.ID, 10)
	var row []Button
	for _, op := range opsFor(r) {
		row = append(row, Button{Text: l.T(staffOps[op].label), Data: btnStaffStep.data(r.Version, op, id)})
	}
	rows := [][]Button{{{Text: l.T("staff.button.refresh"), Data: btnStaffCard.data(0, id)}}}
	if len(row) > 0 {
		rows = append([][]Button{row}, rows...)
	}
	return rows
}

// postCardAt posts a card and remembers it, so that replies and presses
// on it act on its return. It returns the card's message id.
func (d *StaffDesk) postCardAt(ctx context.Context, at StaffPlace, r *domain.Return) (string, error) {
	m, err := d.renderCard(ctx, r)
	if err != nil {
		return "", err
	}
	ids, err := d.Chat.Post(ctx, at, m)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if err := d.rememberCard(ctx, id, r); err != nil {
			return "", err
		}
	}
	return ids[0], nil
}

func (d *StaffDesk) rememberCard(ctx context.Context, messageID string, r *domain.Return) error {
	id, err := strconv.ParseInt(messageID, 10, 64)
	if err != nil {
		return fmt.Errorf("staff card id %q: %w", messageID, err)
	}
	return d.Support.SaveStaffPost(ctx, &domain.StaffPost{ChatID: d.Chat.ID(), MessageID: id,
		Kind: domain.StaffPostCard, SellerID: r.SellerID, ReturnID: &r.ID})
}

// postCard answers the input with a card, after the turn commits: the
// card shows what was committed.
func (t *Turn) postCard(r *domain.Return) error {
	at := StaffPlace{Thread: t.staff.in.Thread, ReplyTo: t.in.MessageID}
	t.later(func(ctx context.Context) {
		if _, err := t.staff.desk.postCardAt(ctx, at, r); err != nil {
			t.staff.desk.log().Warn("staff: post card", "return", r.ID, "err", err)
		}
	})
	return nil
}

// showCard redraws a message as the return's card, after the turn commits.
func (t *Turn) showCard(messageID string, r *domain.Return) error {
	t.later(func(ctx context.Context) {
		m, err := t.staff.desk.renderCard(ctx, r)
		if err == nil {
			err = t.staff.desk.Chat.Edit(ctx, messageID, m)
		}
		if err == nil {
			err = t.staff.desk.rememberCard(ctx, messageID, r)
		}
		if err != nil {
			t.staff.desk.log().Warn("staff: redraw card", "return", r.ID, "err", err)
		}
	})
	return nil
}

// The staff chat's buttons, in the same codec as the sellers'.
const (
	btnStaffStep   buttonKind = "sa" // a warehouse step: "sa|<op>:<return>|<version>"
	btnStaffCard   buttonKind = "sc" // open or redraw a return's card
	btnStaffSeller buttonKind = "ss" // a seller's returns
)

// staffButtons are the buttons of the staff chat's posts.
func staffButtons() []ButtonSpec {
	return []ButtonSpec{
		{Kind: btnStaffStep, Press: (*Turn).pressStep},
		{Kind: btnStaffUnit, Press: (*Turn).pressUnit}, // staff_resale.go
		{Kind: btnStaffCard, Press: func(t *Turn, b button) error {
			r, err := t.findReturn("r_" + b.field(0))
			if err != nil {
				return err
			}
			return t.showCard(t.in.ButtonOn, r)
		}},
		{Kind: btnStaffSeller, Press: func(t *Turn, b button) error {
			id, _ := strconv.ParseInt(b.field(0), 10, 64)
			return t.sellerReturns(id, t.in.ButtonOn)
		}},
	}
}

func (t *Turn) staffPress() error {
	b, ok := parseButton(t.in.Button)
	if !ok {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	if spec, ok := t.e.staffButtons[buttonKind(b.action)]; ok {
		return spec.Press(t, b)
	}
	return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
}

// pressStep carries out a card's button. A refused step says why and
// redraws the card as the return is now.
func (t *Turn) pressStep(b button) error {
	op, idStr, _ := strings.Cut(b.arg, ":")
	spec, ok := staffOps[op]
	if !ok {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	r, err := t.findReturn("r_" + idStr)
	if err != nil {
		return err
	}
	if r.Version != b.version {
		t.staff.toast = t.l.T("staff.card.stale")
		return t.redrawPressed(r)
	}
	if op == "sell" && t.staff.desk.shelving() {
		return t.staffAsk(staffShelf, r) // staff_resale.go: the loop lists it
	}
	var next *domain.Return
	switch op {
	case "ship":
		if r.TrackingNumber == "" {
			return t.staffAsk(staffTracking, r)
		}
		next, err = t.ship(r, r.TrackingNumber)
	case "pick":
		next, err = t.pickUp(r)
	default:
		next, err = t.apply(r, stepChange(op, spec, t.staff.desk.now()))
	}
	if err != nil {
		if err := t.apologize(err); err != nil {
			return err
		}
		return t.redrawPressed(r)
	}
	t.staff.toast = t.l.T("staff.action.done", map[string]any{"Action": t.l.T(spec.label), "Return": next.ReturnNumber})
	return t.redrawPressed(next)
}

func stepChange(op string, spec staffOp, now time.Time) domain.ReturnChange {
	ch := domain.ReturnChange{Event: spec.event}
	switch op {
	case "recv", "rins":
		at := now.UTC()
		ch.Update.ReceivedAt = &at
	case "ok", "def":
		defect := op == "def"
		ch.Update.DefectAfterCheck = &defect
	}
	return ch
}

// redrawPressed shows the pressed message as it should be now: a card is
// redrawn; a relayed post loses its buttons, which were for one step.
func (t *Turn) redrawPressed(r *domain.Return) error {
	id, _ := strconv.ParseInt(t.in.ButtonOn, 10, 64)
	post, err := t.staff.desk.Support.FindStaffPost(t.ctx, t.staff.chat, id)
	switch {
	case err == nil && post.Kind == domain.StaffPostCard:
		return t.showCard(t.in.ButtonOn, r)
	case err == nil:
	case domain.ErrorCode(err) != domain.CodeNotFound:
		return errInternal(err)
	case onlyOnCards(t.in.Button):
		// A card is recorded once posted, with no transaction open: a
		// quick press can come first. Its buttons say it is a card.
		return t.showCard(t.in.ButtonOn, r)
	}
	t.later(func(ctx context.Context) {
		if err := t.staff.desk.Chat.Edit(ctx, t.in.ButtonOn, StaffMessage{}); err != nil {
			t.staff.desk.log().Warn("staff: clear buttons", "err", err)
		}
	})
	return nil
}

// onlyOnCards reports whether a pressed staff step button is one that only
// cards carry: every step but "pick", which a pickup-code relay has too.
func onlyOnCards(data string) bool {
	b, ok := parseButton(data)
	return ok && buttonKind(b.action) == btnStaffStep && b.field(0) != "pick"
}

// apply moves a return as the staff member and audits it.
func (t *Turn) apply(r *domain.Return, ch domain.ReturnChange) (*domain.Return, error) {
	next, err := t.staff.desk.Services.Returns.ApplyEvent(t.ctx, r.ID, ch)
	if err != nil {
		return nil, err
	}
	details := map[string]any{"event": string(ch.Event), "from": string(r.Status), "to": string(next.Status),
		"return_number": r.ReturnNumber}
	if ch.Note != "" {
		details["note"] = ch.Note
	}
	return next, t.staffAudit("return."+string(ch.Event), next, 0, details)
}

// pickUp records the pickup of a return and of every other return of the
// seller waiting at the same point for the same code: one code collects
// them all.
func (t *Turn) pickUp(r *domain.Return) (*domain.Return, error) {
	group := []*domain.Return{r}
	if r.PickupCode != "" {
		st := domain.StatusAwaitingPickupCode
		same, _, err := t.staff.desk.Services.Returns.FindReturns(t.ctx, domain.ReturnFilter{SellerID: &r.SellerID, Status: &st})
		if err != nil {
			return nil, errInternal(err)
		}
		for _, o := range same {
			if o.ID != r.ID && o.PickupCode == r.PickupCode && o.PickupPointAddress == r.PickupPointAddress {
				group = append(group, o)
			}
		}
	}
	var first *domain.Return
	for _, o := range group {
		next, err := t.apply(o, domain.ReturnChange{Event: domain.EventPickUp, Note: "pickup code: " + o.PickupCode})
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = next
		}
	}
	return first, nil
}

func (t *Turn) ship(r *domain.Return, tracking string) (*domain.Return, error) {
	tracking = strings.TrimSpace(tracking)
	return t.apply(r, domain.ReturnChange{Event: domain.EventShipToSeller,
		Update: domain.ReturnUpdate{TrackingNumber: &tracking}, Note: "tracking: " + tracking})
}

// cardReply records what a staff member sent in answer to a card.
func (t *Turn) cardReply(post *domain.StaffPost) error {
	r, err := t.staff.desk.Services.Returns.FindReturnByID(t.ctx, *post.ReturnID)
	if err != nil {
		return err
	}
	if len(t.in.Files) > 0 {
		return t.attach(r)
	}
	text := strings.TrimSpace(t.in.Text)
	switch {
	case text == "":
		return nil
	case r.Status == domain.StatusAwaitingVerification:
		if r, err = t.staff.desk.Services.Returns.UpdateReturn(t.ctx, r.ID, domain.ReturnUpdate{InspectionComment: &text}); err != nil {
			return err
		}
		if err := t.staffAudit("return.inspection_comment", r, 0, map[string]any{"comment": text}); err != nil {
			return err
		}
	default:
		t.staffSay("staff.card.reply_unused", map[string]any{"Status": t.l.Label("status", string(r.Status))})
		return nil
	}
	return t.showCard(t.staff.in.ReplyTo, r)
}

// attach keeps photos and videos sent in answer to a card as the return's
// inspection attachments; the seller sees the photos with the decision
// prompt.
func (t *Turn) attach(r *domain.Return) error {
	kinds := map[domain.AttachmentKind]int{}
	for _, f := range t.in.Files {
		if f.Kind != domain.AttachmentPhoto && f.Kind != domain.AttachmentVideo {
			t.staffSay("staff.card.photos_only", nil)
			continue
		}
		if f.Size > domain.MaxAttachmentSize {
			return tooLargeFile()
		}
		data, err := openPhoto(t.ctx, f)
		if err != nil {
			return err
		}
		a := &domain.Attachment{SellerID: r.SellerID, ReturnID: &r.ID, Kind: f.Kind, FileName: f.Name,
			ContentType: f.ContentType, Data: data}
		if err := t.staff.desk.Services.Attachments.CreateAttachment(t.ctx, a); err != nil {
			return err
		}
		kinds[f.Kind]++
	}
	if len(kinds) == 0 {
		return nil
	}
	if err := t.staffAudit("return.attach", r, 0, map[string]any{"photos": kinds[domain.AttachmentPhoto], "videos": kinds[domain.AttachmentVideo]}); err != nil {
		return err
	}
	r, err := t.staff.desk.Services.Returns.FindReturnByID(t.ctx, r.ID)
	if err != nil {
		return err
	}
	return t.showCard(t.staff.in.ReplyTo, r)
}
