package telegram_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestStaffOperations walks a return through the warehouse from the staff
// group: the seller's pickup code arrives in their topic, staff record the
// pickup, find the return, receive it for inspection, attach a photo and
// a comment by replying to its card and record a defect; the seller gets
// the decision prompt with that photo, decides, the topic shows the task,
// and staff carry it out. Each step notifies the seller through the outbox
// and is audited with the staff member; an illegal step is refused.
func TestStaffOperations(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000010, forum: true})
	seller, u := h.seller(6001, "en")
	l := h.staffL.L
	stores, err := storage.NewStoreService(h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	if err != nil {
		t.Fatal(err)
	}
	ret := pgtest.Return(t, h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber, r.ProductName = domain.StatusAwaitingPickupCode, "R-77", "Silk scarf"
		r.PickupPointAddress, r.NeedsVerification = "Москва, Тверская 1", true
	})
	link := "/r_" + strconv.FormatInt(ret.ID, 10)

	// The seller sends the pickup code: staff see it with the return and the address.
	u.Send("/pickup")
	u.Expect("Москва, Тверская 1")
	u.Send("48210937")
	u.Expect("48210937")
	u.Press(u.L.T("button.confirm"))
	u.Expect(head(u.L.T("flow.pickup.sent", map[string]any{"Count": 1, "Returns": "R-77"})))
	pickup := h.waitGroupText(h.group, "48210937")
	for _, want := range []string{"R-77", link, "Москва, Тверская 1", "👤 Li Wei Trading"} {
		if !strings.Contains(pickup.Text, want) {
			t.Errorf("the pickup post lacks %q:\n%s", want, pickup.Text)
		}
	}
	topic := h.onlyTopic()
	h.press(pickup, l.T("staff.button.picked_up"))
	h.waitGroup(h.group, "the pickup buttons gone", func(m tgfake.Message) bool {
		return m.MessageID == pickup.MessageID && m.ReplyMarkup == nil
	})
	h.wantStatus(ret.ID, domain.StatusInTransitToWarehouse)
	h.deliverAll()
	u.Expect(head(u.L.T("notify.picked_up", map[string]any{"Product": "Silk scarf", "Return": "R-77"})))

	// Staff find the return and receive it for inspection, as the seller asked.
	find := h.tg.SendGroupMessage(h.group, 0, staffID, "/find R-77", 0)
	card := h.waitGroup(h.group, "the card", func(m tgfake.Message) bool {
		return m.ReplyToMessage != nil && m.ReplyToMessage.MessageID == find.MessageID
	})
	if first := card.ReplyMarkup.InlineKeyboard[0][0].Text; first != l.T("staff.button.received_for_inspection") {
		t.Errorf("the card's first step is %q; the seller asked for inspection", first)
	}
	h.press(card, l.T("staff.button.received_for_inspection"))
	h.waitCard(card, l.Label("status", string(domain.StatusAwaitingVerification)))

	// A photo and a comment in reply to the card; then the verdict.
	h.tg.SendGroupPhoto(h.group, 0, staffID, pngImage(t), "", card.MessageID)
	h.waitCard(card, l.T("attachment.photo")+" × 1")
	h.tg.SendGroupMessage(h.group, 0, staffID, "Torn seam on the left sleeve", card.MessageID)
	h.waitCard(card, "Torn seam on the left sleeve")
	h.press(card, l.T("staff.button.defect"))
	h.waitCard(card, l.Label("status", string(domain.StatusAwaitingSellerDecision)))

	// The seller gets the decision prompt with the inspection photo.
	h.deliverAll()
	u.ExpectMsg("the inspection photo", func(m tgfake.Message) bool { return len(m.Photo) > 0 })
	u.Expect("Torn seam on the left sleeve")
	u.Press(u.L.Label("decision", string(domain.DecisionSellOnWB)))
	u.Expect(u.L.Label("decision", string(domain.DecisionSellOnWB)))
	u.Press(u.L.T("button.confirm"))
	u.Expect(head(u.L.T("flow.decision.done", map[string]any{"Decision": u.L.Label("decision", "sell_on_wb"), "Return": "R-77", "Product": "Silk scarf"})))

	// The seller's topic shows the task with the card to carry it out.
	task := h.waitGroupText(h.group, l.T("staff.relay.decided", map[string]any{
		"Decision": l.Label("decision", "sell_on_wb"), "Return": "R-77", "Product": "Silk scarf", "Link": link}))
	if task.MessageThreadID != topic.MessageThreadID {
		t.Errorf("the task is in thread %d, the seller's topic is %d", task.MessageThreadID, topic.MessageThreadID)
	}
	taskCard := h.waitGroup(h.group, "the task's card", func(m tgfake.Message) bool {
		_, ok := buttonData(m, l.T("staff.button.listed"))
		return ok && m.MessageThreadID == topic.MessageThreadID
	})
	h.press(taskCard, l.T("staff.button.listed"))
	h.waitCard(taskCard, l.Label("status", string(domain.StatusTransferredToSale)))
	h.deliverAll()
	u.Expect(head(u.L.T("notify.listed_for_sale", map[string]any{"Product": "Silk scarf", "Return": "R-77"})))

	// A step the lifecycle does not allow is refused with the reason.
	h.tg.SendGroupMessage(h.group, 0, staffID, "/inspect R-77 ok", 0)
	h.waitGroupText(h.group, "⛔ "+l.T("error.return.decision_final"))
	h.wantStatus(ret.ID, domain.StatusTransferredToSale)

	var actions []string
	for _, e := range h.audit(seller.ID) {
		if e.Actor.Kind != domain.ActorStaff || e.Actor.ID != staffID || e.Actor.Name != "Olga Petrova" {
			t.Errorf("audit entry %q by %+v", e.Action, e.Actor)
		}
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"return.pick_up", "return.receive_for_inspection", "return.attach",
		"return.inspection_comment", "return.inspect", "return.transfer_to_sale"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no audit entry %q in %v", want, actions)
		}
	}
	hist, err := storage.NewReturnService(h.db).FindTransitions(pgtest.System(), ret.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range hist {
		wantKind := domain.ActorStaff
		if tr.Event == domain.EventDecideSell {
			wantKind = domain.ActorSeller
		}
		if tr.Actor.Kind != wantKind {
			t.Errorf("%s recorded as %+v", tr.Event, tr.Actor)
		}
	}
	for _, m := range h.tg.Messages(u.ID) {
		if strings.Contains(m.Text+m.Caption, "Olga") {
			t.Errorf("the seller saw a staff name: %q", m.Text+m.Caption)
		}
	}
}

// TestStaffCommandElsewhere: staff commands from a seller's chat or from a
// group that is not the staff chat are refused and change nothing.
func TestStaffCommandElsewhere(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000011, forum: true})
	seller, u := h.seller(6002, "ru")
	stores, err := storage.NewStoreService(h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	if err != nil {
		t.Fatal(err)
	}
	ret := pgtest.Return(t, h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber = domain.StatusAwaitingVerification, "R-88"
	})

	u.Send("/inspect R-88 defect")
	u.Expect(u.L.T("staff.refused.elsewhere"))
	const other = int64(-1009999)
	h.tg.AddGroup(other, "Someone else's group", false)
	h.tg.AddUser(tgfake.User{ID: 9002, FirstName: "Mallory", LanguageCode: "en"})
	h.tg.SendGroupMessage(other, 0, 9002, "/find R-88", 0)
	h.waitGroupText(other, h.staffL.L.T("staff.refused.elsewhere"))

	h.wantStatus(ret.ID, domain.StatusAwaitingVerification)
	if list := h.audit(seller.ID); len(list) != 0 {
		t.Errorf("audit = %+v", list)
	}
	if sent := h.tg.Sent(h.group); len(sent) != 0 {
		t.Errorf("the staff group got %s", dump(sent))
	}
}

func (h *staffHarness) wantStatus(id int64, want domain.Status) {
	h.t.Helper()
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		h.t.Fatal(err)
	}
	r, err := storage.NewReturnService(h.db).FindReturnByID(pgtest.System(), id)
	if err != nil || r.Status != want {
		h.t.Fatalf("return %d: %+v, %v; want %s", id, r, err, want)
	}
}

// waitCard waits for a card to be redrawn with want in it.
func (h *staffHarness) waitCard(card tgfake.Message, want string) tgfake.Message {
	h.t.Helper()
	return h.waitGroup(card.Chat.ID, "the card showing "+strconv.Quote(want), func(m tgfake.Message) bool {
		return m.MessageID == card.MessageID && strings.Contains(m.Text, want)
	})
}

func buttonData(m tgfake.Message, label string) (string, bool) {
	if m.ReplyMarkup == nil {
		return "", false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && b.Text == label {
				return *b.CallbackData, true
			}
		}
	}
	return "", false
}
