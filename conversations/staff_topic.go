package conversations

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// staff_topic.go: a seller's place in the staff chat (one forum topic,
// named so staff recognise them) and what a merged post says there.

// thread finds or opens the seller's topic; a chat without topics has none.
func (d *StaffDesk) thread(ctx context.Context, sellerID int64) (*sellerThread, error) {
	seller, err := d.Services.Sellers.FindSellerByID(ctx, sellerID)
	if err != nil {
		return nil, err
	}
	stores, err := d.Services.Stores.FindStores(ctx, domain.StoreFilter{SellerID: &sellerID})
	if err != nil {
		return nil, err
	}
	th := &sellerThread{seller: seller, stores: stores}
	if th.forum, err = d.Chat.Forum(ctx); err != nil || !th.forum {
		return th, err
	}
	saved, err := d.Support.FindSupportThread(ctx, d.Chat.ID(), sellerID)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
		return th, d.openTopic(ctx, th)
	case err != nil:
		return nil, err
	}
	th.place.Thread = saved.ThreadID
	if name := d.topicName(th); name != saved.Name {
		// The seller added or renamed a store: keep the topic recognisable.
		if err := d.Chat.RenameTopic(ctx, saved.ThreadID, name); err != nil {
			d.log().Warn("staff: rename topic", "seller", sellerID, "err", err)
			return th, nil
		}
		saved.Name = name
		if err := d.Support.SaveSupportThread(ctx, saved); err != nil {
			return nil, err
		}
	}
	return th, nil
}

func (d *StaffDesk) openTopic(ctx context.Context, th *sellerThread) error {
	name := d.topicName(th)
	id, err := d.Chat.OpenTopic(ctx, name)
	if err != nil {
		return err
	}
	th.place.Thread, th.fresh = id, true
	return d.Support.SaveSupportThread(ctx, &domain.SupportThread{
		ChatID: d.Chat.ID(), SellerID: th.seller.ID, ThreadID: id, Name: name})
}

// topicName names a seller's topic so staff recognise it: the seller, the
// stores and the channel, within Telegram's 128 characters.
func (d *StaffDesk) topicName(th *sellerThread) string {
	parts := []string{sellerName(th.seller)}
	if names := storeNames(th.stores); names != "" {
		parts = append(parts, names)
	}
	if len(th.seller.Identities) > 0 {
		parts = append(parts, d.l().Label("channel", string(th.seller.Identities[0].Channel)))
	}
	// The seller's language stays in sight above every relay and reply.
	parts = append(parts, d.l().Label("language", string(th.seller.Language)))
	name, n := d.l().Join(parts...), 0
	for i, r := range name {
		if n += utf16.RuneLen(r); n > maxTopicName {
			return name[:i]
		}
	}
	return name
}

func storeNames(stores []*domain.Store) string {
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// renderRelays merges a seller's queued relays into one post: a header
// when staff would not know whose it is, a note when the chat's limit held
// it back, one line per relay, the files, and buttons for pickup codes.
func (d *StaffDesk) renderRelays(th *sellerThread, rs []*domain.SupportRelay, returns map[int64]*domain.Return) StaffMessage {
	l := d.l()
	var lines []string
	if th.fresh || !th.forum {
		lines = append(lines, d.sellerHeader(l, th))
	}
	if waited := d.now().Sub(rs[0].CreatedAt); waited >= d.delayNote() {
		lines = append(lines, l.T("staff.relay.delayed", map[string]any{"Seconds": int(waited.Seconds())}))
	}
	var m StaffMessage
	pickups := map[string]bool{}
	for _, r := range rs {
		ret := returns[ptrValue(r.ReturnID)]
		switch r.Kind {
		case domain.RelayMessage:
			line := messageLine(l, r)
			if ret != nil {
				line = l.Join(line, ret.ReturnNumber+" "+returnLink(ret))
			}
			lines = append(lines, line)
			for _, f := range r.Files {
				m.Files = append(m.Files, d.relayFile(f))
			}
		case domain.RelayPickupCode:
			if ret == nil || pickups[r.Text+"\n"+ret.PickupPointAddress] {
				continue
			}
			pickups[r.Text+"\n"+ret.PickupPointAddress] = true
			line, button := pickupLine(l, r.Text, ret, rs, returns)
			lines = append(lines, line)
			if button != nil {
				m.Buttons = append(m.Buttons, []Button{*button})
			}
		case domain.RelayTask:
			if ret != nil {
				lines = append(lines, taskLine(l, r.Text, ret))
			}
		case domain.RelayAlert:
			lines = append(lines, l.T("staff.relay.unreachable"))
		case domain.RelayAccountTaken:
			lines = append(lines, l.T("staff.relay.account_taken", map[string]any{"SID": r.Text}))
		case domain.RelayResale:
			lines = append(lines, d.resaleLine(l, th, r, ret, &m)) // staff_resale.go
		case domain.RelayNoticeSent, domain.RelayNoticeRefused:
			lines = append(lines, noticeLine(l, r)) // staff_notice.go
		}
	}
	m.Text = strings.Join(lines, "\n")
	if len(m.Files) > 0 {
		m.Caption = sellerName(th.seller)
	}
	return m
}

func (d *StaffDesk) delayNote() time.Duration {
	if d.DelayNote <= 0 {
		return 10 * time.Second
	}
	return d.DelayNote
}

func ptrValue(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// sellerHeader introduces a seller: who, where they write from, their
// stores, and the command that lists their returns.
func (d *StaffDesk) sellerHeader(l *locales.Localizer, th *sellerThread) string {
	channel := ""
	if len(th.seller.Identities) > 0 {
		channel = l.Label("channel", string(th.seller.Identities[0].Channel))
	}
	stores := storeNames(th.stores)
	if stores == "" {
		stores = d.l().None()
	}
	return l.T("staff.relay.header", map[string]any{
		"Seller": sellerName(th.seller), "Channel": channel, "Language": l.Label("language", string(th.seller.Language)),
		"Stores": stores, "Link": "/s_" + strconv.FormatInt(th.seller.ID, 10),
	})
}

func messageLine(l *locales.Localizer, r *domain.SupportRelay) string {
	var kinds []string
	for _, f := range r.Files {
		kinds = append(kinds, l.Label("attachment", string(f.Kind)))
	}
	text := r.Text
	if len(kinds) > 0 {
		text = strings.TrimSpace(text + " " + l.T("staff.relay.attached", map[string]any{"Files": kinds}))
	}
	return l.T("staff.relay.message", map[string]any{"Text": text})
}

func returnLink(r *domain.Return) string { return "/r_" + strconv.FormatInt(r.ID, 10) }

// pickupLine lists the returns a pickup code collects at one point, with a
// button that records the pickup of all of them.
func pickupLine(l *locales.Localizer, code string, ret *domain.Return, rs []*domain.SupportRelay, returns map[int64]*domain.Return) (string, *Button) {
	var items []string
	for _, r := range rs {
		o := returns[ptrValue(r.ReturnID)]
		if r.Kind == domain.RelayPickupCode && o != nil && r.Text == code && o.PickupPointAddress == ret.PickupPointAddress {
			items = append(items, o.ReturnNumber+" "+returnLink(o))
		}
	}
	line := l.T("staff.relay.pickup_code", map[string]any{"Code": code, "Address": ret.PickupPointAddress, "Returns": items})
	if !canPickUp(ret.Status) {
		return line, nil
	}
	return line, &Button{Text: l.Join(l.T("staff.button.picked_up"), code),
		Data: btnStaffStep.data(ret.Version, "pick", strconv.FormatInt(ret.ID, 10))}
}

func canPickUp(s domain.Status) bool {
	return s == domain.StatusAwaitingPickupCode || s == domain.StatusAwaitingReceiptAtWB
}

func taskLine(l *locales.Localizer, event string, r *domain.Return) string {
	data := map[string]any{"Return": r.ReturnNumber, "Product": r.ProductName, "Link": returnLink(r),
		"Decision": l.Label("decision", string(r.Decision))}
	event, auto := strings.CutSuffix(event, ":auto") // made for the seller (migration 00021)
	switch {
	case domain.Event(event) == domain.EventRequestInspection:
		return l.T("staff.relay.inspection_requested", data)
	case domain.Event(event) == domain.EventReopenDecision:
		return l.T("staff.relay.decision_undone", data)
	case auto:
		return l.T("staff.relay.decided_auto", data)
	}
	return l.T("staff.relay.decided", data)
}
