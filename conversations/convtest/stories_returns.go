package convtest

import (
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// stories_returns.go: the stories of returns: a card, a decision, a
// pickup code, a picture that is not one.

// openReturn walks from /returns to a return's card through its tab; the
// card says card, or at least the product's name.
func openReturn(tab, product string, total int, card ...Text) []Step {
	if len(card) == 0 {
		card = []Text{Field("column.product_name", Lit(product))}
	}
	return []Step{
		{Do: Send("/returns"), Want: []Text{T("flow.returns.glance").Head()}},
		{Do: Press(L("tab", tab)), Want: []Text{T("flow.returns.page", "Tab", L("tab", tab), "Page", 1, "Pages", 1, "Total", total)}},
		{Do: Press(Lit(product)), Want: card},
	}
}

// yesNo is the value of a yes/no field of a card.
func yesNo(v bool) Text {
	if v {
		return T("label.yes")
	}
	return T("label.no")
}

// beforeArrival: on the card of a return in transit the seller asks for
// verification and for photos; the return stays in transit.
var beforeArrival = Story{
	Name: "BeforeArrival",
	Seed: Seed{Returns: []SeedReturn{{Number: "R-401", Product: "Silk scarf", Status: domain.StatusInTransitToWarehouse}}},
	Steps: append(openReturn(string(domain.TabInTransit), "Silk scarf", 1), []Step{
		{Do: Press(T("button.needs_verification")), Want: []Text{
			Field("column.needs_verification", yesNo(true)), Field("column.photo_video_required", yesNo(false)), T("flow.returns.saved")}},
		{Do: Press(T("button.photo_video_required")), Want: []Text{
			Field("column.needs_verification", yesNo(true)), Field("column.photo_video_required", yesNo(true)), T("flow.returns.saved")}},
	}...),
	Check: func(tb testing.TB, w *World) {
		r := w.ReturnNow(tb, 0)
		if !r.NeedsVerification || !r.PhotoVideoRequired || r.Status != domain.StatusInTransitToWarehouse {
			tb.Errorf("return = verification %v, photo/video %v, %s", r.NeedsVerification, r.PhotoVideoRequired, r.Status)
		}
	},
}

const returnAddress = "Shanghai, Century Avenue 100, floor 8, 200120, Li Wei, +86 138 0000 0000"

var (
	sell     = L("decision", string(domain.DecisionSellOnWB))
	toSeller = L("decision", string(domain.DecisionReturnToSeller))
	dispose  = L("decision", string(domain.DecisionDispose))
)

// decisionWithProfile: Return to seller waits for a complete profile,
// which the seller fills in the chat; the decision is then confirmed
// once, final, and the card says who made it.
var decisionWithProfile = Story{
	Name:   "DecisionWithProfile",
	Golden: true, // a return's card and a decision
	Seed:   Seed{Returns: []SeedReturn{{Number: "R-501", Product: "Silk scarf", Status: domain.StatusAwaitingSellerDecision}}},
	Steps: join(
		openReturn(string(domain.TabPendingDecision), "Silk scarf", 1),
		[]Step{
			{Do: Press(toSeller), Want: []Text{T("error.return.profile_incomplete").Offers(T("button.complete_profile"))}},
			{Do: Press(T("button.complete_profile")), Want: []Text{T("flow.profile.address", "Current", "")}},
			{Do: Send(returnAddress), Want: []Text{T("flow.profile.documents", "Count", 0)}},
			{Do: Document("licence.pdf"), Want: []Text{T("flow.profile.documents", "Count", 1)}},
			{Do: Press(T("button.done")), Want: []Text{T("flow.profile.complete")}, Check: func(tb testing.TB, w *World) {
				if s := w.SellerNow(tb); s.ReturnAddress != returnAddress || s.LegalDocuments != 1 {
					tb.Errorf("profile = %q with %d documents", s.ReturnAddress, s.LegalDocuments)
				}
				undecided(tb, w)
			}},
		},
		openReturn(string(domain.TabPendingDecision), "Silk scarf", 1),
		decide(toSeller, "flow.decision.explain.return_to_seller", "R-501"),
		// The card now says who decided what, and offers no decision.
		openReturn(string(domain.TabProcessing), "Silk scarf", 1,
			Field("column.status", L("status", string(domain.StatusAwaitingShipmentToSeller))).Offers(T("button.back")),
			toSeller, Lit(SellerName)),
	),
	Check: func(tb testing.TB, w *World) {
		r := w.ReturnNow(tb, 0)
		if r.Status != domain.StatusAwaitingShipmentToSeller || r.Decision != domain.DecisionReturnToSeller {
			tb.Errorf("return = %s / %q", r.Status, r.Decision)
		}
		lastBySeller(tb, w, domain.EventDecideReturnToSeller)
	},
}

// decide picks a decision on the card shown, of the Silk scarf return
// number, and confirms it.
func decide(decision Text, explain, number string) []Step {
	return []Step{
		{Do: Press(decision), Want: []Text{T("flow.decision.confirm", "Decision", decision, "Explain", T(explain))}},
		{Do: Press(T("button.confirm")), Want: []Text{T("flow.decision.done", "Decision", decision, "Return", number, "Product", "Silk scarf")}},
	}
}

// undecided checks the first return still waits for the seller's decision.
func undecided(tb testing.TB, w *World) {
	tb.Helper()
	if r := w.ReturnNow(tb, 0); r.Status != domain.StatusAwaitingSellerDecision {
		tb.Errorf("the return moved to %s before a decision was confirmed", r.Status)
	}
}

// lastBySeller checks the first return's last change was ev, by the seller.
func lastBySeller(tb testing.TB, w *World, ev domain.Event) {
	tb.Helper()
	hist, err := storage.NewReturnService(w.DB).FindTransitions(pgtest.System(), w.Returns[0].ID)
	if err != nil || len(hist) == 0 {
		tb.Fatalf("history = %v, %v", hist, err)
	}
	if last := hist[len(hist)-1]; last.Event != ev || last.Actor.Kind != domain.ActorSeller || last.Actor.ID != w.Seller.ID {
		tb.Errorf("last transition = %s by %+v, want %s by the seller", last.Event, last.Actor, ev)
	}
}

const (
	inspected   = "A seam is torn on the sleeve"
	reinspected = "Re-checked: a stain on the sleeve too"
)

// decisionPush: "awaiting decision" comes as the inspection photos and a
// card with the inspection and each decision explained, whose choices
// decide; a card the warehouse outdated first is drawn again as the
// return is now. A decision not confirmed changes nothing; another one,
// confirmed, is final.
var decisionPush = Story{
	Name: "DecisionPush",
	Seed: Seed{Returns: []SeedReturn{{Number: "R-601", Product: "Silk scarf", Status: domain.StatusAwaitingSellerDecision,
		Comment: inspected, Photos: 2}}},
	Steps: join(
		[]Step{
			// Both channels write only to those who wrote first.
			{Do: Send("/help"), Want: []Text{T("flow.help")}},
			{Do: Push(domain.NotifyAwaitingDecision, 0), Photos: true, Want: []Text{
				T("notify.awaiting_decision", "Product", "Silk scarf", "Return", "R-601").Offers(sell, toSeller, dispose, T("button.back")),
				Field("column.inspection_comment", Lit(inspected)), Pair(dispose, T("flow.decision.explain.dispose"))}},
			{Do: Reinspect(0, reinspected)},
			{Do: Press(dispose), Want: []Text{T("error.input.stale_button"), Field("column.inspection_comment", Lit(reinspected))},
				Check: func(tb testing.TB, w *World) {
					if flow, _ := w.Session(tb); flow == "decision" {
						tb.Error("an outdated decision button opened the confirm step")
					}
				}},
			{Do: Press(dispose), Want: []Text{T("flow.decision.confirm", "Decision", dispose, "Explain", T("flow.decision.explain.dispose"))}},
			{Do: Press(T("button.cancel")), Want: []Text{T("flow.decision.kept_open")}, Check: undecided},
		},
		openReturn(string(domain.TabPendingDecision), "Silk scarf", 1),
		decide(sell, "flow.decision.explain.sell_on_wb", "R-601")),
	Check: func(tb testing.TB, w *World) {
		if r := w.ReturnNow(tb, 0); r.Status != domain.StatusAwaitingTransferToSale || r.Decision != domain.DecisionSellOnWB {
			tb.Errorf("return = %s / %q", r.Status, r.Decision)
		}
		lastBySeller(tb, w, domain.EventDecideSell)
		left, err := storage.NewNotificationService(w.DB).FindNotifications(pgtest.System(),
			domain.NotificationFilter{SellerID: &w.Seller.ID, Unsent: true})
		if err != nil || len(left) != 0 {
			tb.Errorf("unsent notifications = %d, %v", len(left), err)
		}
	},
}

const pickupPoint = "Moscow, Tverskaya 1"

// twoAtThePoint are two returns waiting for one pickup code.
var twoAtThePoint = []SeedReturn{
	{Number: "R-701", Product: "Silk scarf", Status: domain.StatusAwaitingPickupCode, PickupPoint: pickupPoint},
	{Number: "R-702", Product: "Wool hat", Status: domain.StatusAwaitingPickupCode, PickupPoint: pickupPoint},
}

// codeSaved confirms a code and checks both returns carry it.
func codeSaved(code string) Step {
	return Step{Do: Press(T("button.confirm")), Want: []Text{T("flow.pickup.sent", "Count", 2).Head(), Lit("R-701"), Lit("R-702")},
		Check: func(tb testing.TB, w *World) {
			for i := range w.Returns {
				if r := w.ReturnNow(tb, i); r.PickupCode != code {
					tb.Errorf("return %s has code %q, want %q", r.ReturnNumber, r.PickupCode, code)
				}
			}
		}}
}

// pickupTyped: one typed code, with the spaces WB shows, for both returns.
var pickupTyped = Story{
	Name:   "PickupTyped",
	Golden: true,
	Seed:   Seed{Returns: twoAtThePoint},
	Steps: []Step{
		{Do: Send("/pickup"), Want: []Text{T("flow.pickup.ask", "Count", 2, "Address", pickupPoint)}},
		{Do: Send("4821 0937"), Want: []Text{T("flow.pickup.confirm", "Code", "48210937", "Address", pickupPoint).
			Offers(T("button.confirm"), T("button.retry"))}},
		codeSaved("48210937"),
	},
}

// pickupScreenshot: a QR screenshot without a word, while returns wait for
// a code, is that code even mid-flow: the flow is set aside, saying so.
var pickupScreenshot = Story{
	Name: "PickupScreenshot",
	Seed: Seed{Returns: twoAtThePoint},
	Steps: []Step{
		{Do: Send("/profile"), Want: []Text{T("flow.profile.address", "Current", "")}},
		{Do: QR("WB-PICKUP-77123"), Want: []Text{T("flow.closed", "Flow", T("flow.profile.title")),
			T("flow.pickup.ask", "Count", 2, "Address", pickupPoint), T("flow.pickup.confirm", "Code", "WB-PICKUP-77123", "Address", pickupPoint)}},
		codeSaved("WB-PICKUP-77123"),
	},
}

// idlePhoto: a picture outside any flow, with no return waiting for a
// code, is for support (off here).
var idlePhoto = Story{
	Name:  "IdlePhoto",
	Steps: []Step{{Do: Photo(""), Want: []Text{T("flow.support.off")}}},
}

// captionedPhoto: a picture with words is a message for support, even
// while returns wait for a pickup code.
var captionedPhoto = Story{
	Name:  "CaptionedPhoto",
	Needs: Captions,
	Seed:  Seed{Returns: twoAtThePoint},
	Steps: []Step{{Do: Photo("The box arrived torn"), Want: []Text{T("flow.support.off")}, Check: func(tb testing.TB, w *World) {
		if flow, state := w.Session(tb); flow != "" {
			tb.Errorf("the captioned picture started %s/%s", flow, state)
		}
	}}},
}
