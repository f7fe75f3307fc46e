package domain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
)

// legal is the lifecycle written out a second time, by hand, so that a change
// to the table in lifecycle.go must be made here too on purpose.
var legal = map[domain.Status]map[domain.Event]domain.Status{
	domain.StatusAwaitingReceiptAtWB: {
		domain.EventArriveAtPickupPoint: domain.StatusAwaitingPickupCode,
		domain.EventPickUp:              domain.StatusInTransitToWarehouse,
	},
	domain.StatusAwaitingPickupCode: {
		domain.EventPickUp:              domain.StatusInTransitToWarehouse,
		domain.EventExpireAtPickupPoint: domain.StatusPickupExpired,
	},
	domain.StatusInTransitToWarehouse: {
		domain.EventReceive:              domain.StatusAwaitingSellerDecision,
		domain.EventReceiveForInspection: domain.StatusAwaitingVerification,
	},
	domain.StatusAwaitingVerification: {
		domain.EventInspect: domain.StatusAwaitingSellerDecision,
	},
	domain.StatusAwaitingSellerDecision: {
		domain.EventRequestInspection:    domain.StatusAwaitingVerification,
		domain.EventDecideSell:           domain.StatusAwaitingTransferToSale,
		domain.EventDecideReturnToSeller: domain.StatusAwaitingShipmentToSeller,
		domain.EventDecideDispose:        domain.StatusAwaitingDisposal,
	},
	domain.StatusAwaitingTransferToSale: {
		domain.EventTransferToSale: domain.StatusTransferredToSale, domain.EventReopenDecision: domain.StatusAwaitingSellerDecision,
	},
	domain.StatusAwaitingShipmentToSeller: {
		domain.EventShipToSeller: domain.StatusSentToSeller, domain.EventReopenDecision: domain.StatusAwaitingSellerDecision,
	},
	domain.StatusAwaitingDisposal: {
		domain.EventDispose: domain.StatusDisposed, domain.EventReopenDecision: domain.StatusAwaitingSellerDecision,
	},
}

// TestLifecycle tries every event from every status: the legal ones land
// where the table says, every other one is a conflict that keeps the status.
func TestLifecycle(t *testing.T) {
	checkLifecycle(t, domain.AllStatuses(), domain.AllEvents(), legal, domain.Status.Next, "error.return.illegal_transition")
}

// checkLifecycle tries every event from every status of a lifecycle table
// (the return's, the shelf unit's): the legal ones land where want says,
// every other one is a conflict with msgID that keeps the status.
func checkLifecycle[S, E ~string](t *testing.T, statuses []S, events []E, want map[S]map[E]S,
	next func(S, context.Context, E) (S, error), msgID string) {
	t.Helper()
	ctx := context.Background()
	for _, from := range statuses {
		for _, ev := range events {
			to, ok := want[from][ev]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				got, err := next(from, ctx, ev)
				if ok {
					if err != nil || got != to {
						t.Fatalf("Next = %s, %v; want %s", got, err, to)
					}
					return
				}
				if domain.ErrorCode(err) != domain.CodeConflict || domain.ErrorMsgID(err) != msgID {
					t.Fatalf("Next = %s, %v; want an illegal transition conflict", got, err)
				}
				if got != from {
					t.Fatalf("status moved to %s on an illegal event", got)
				}
			})
		}
	}
}

func TestUnknownEvent(t *testing.T) {
	_, err := domain.StatusAwaitingReceiptAtWB.Next(context.Background(), "teleport")
	if domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("err = %v, want conflict", err)
	}
}

func TestTabOf(t *testing.T) {
	for _, tt := range []struct {
		tab  domain.Tab
		want []domain.Status
	}{
		{domain.TabInTransit, []domain.Status{domain.StatusAwaitingReceiptAtWB, domain.StatusAwaitingPickupCode, domain.StatusInTransitToWarehouse}},
		{domain.TabProcessing, []domain.Status{domain.StatusAwaitingVerification, domain.StatusAwaitingTransferToSale, domain.StatusAwaitingShipmentToSeller, domain.StatusAwaitingDisposal}},
		{domain.TabPendingDecision, []domain.Status{domain.StatusAwaitingSellerDecision}},
		{domain.TabCompleted, []domain.Status{domain.StatusTransferredToSale, domain.StatusSentToSeller, domain.StatusDisposed, domain.StatusPickupExpired}},
	} {
		t.Run(string(tt.tab), func(t *testing.T) {
			got := domain.StatusesOf(tt.tab)
			if len(got) != len(tt.want) {
				t.Fatalf("StatusesOf = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] || domain.TabOf(got[i]) != tt.tab {
					t.Fatalf("StatusesOf = %v, want %v", got, tt.want)
				}
			}
		})
	}
	for _, s := range domain.AllStatuses() {
		if domain.TabOf(s) == "" {
			t.Errorf("status %s has no tab", s)
		}
		if s.IsFinal() != (len(legal[s]) == 0) {
			t.Errorf("%s.IsFinal() = %v, but it has %d outgoing events", s, s.IsFinal(), len(legal[s]))
		}
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	complete := &domain.Seller{ReturnAddress: "Shenzhen", LegalDocuments: 1}
	incomplete := &domain.Seller{}
	pending := &domain.Return{Status: domain.StatusAwaitingSellerDecision}
	decided := &domain.Return{Status: domain.StatusAwaitingDisposal, Decision: domain.DecisionDispose}
	for _, tt := range []struct {
		name    string
		r       *domain.Return
		change  domain.ReturnChange
		owner   *domain.Seller
		want    domain.Status
		wantMsg string
	}{
		{"OK", pending, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}, incomplete, domain.StatusAwaitingTransferToSale, ""},
		{"ReturnToSeller", pending, domain.ReturnChange{Event: domain.EventDecideReturnToSeller, Decision: domain.DecisionReturnToSeller}, complete, domain.StatusAwaitingShipmentToSeller, ""},
		{"ErrProfileIncomplete", pending, domain.ReturnChange{Event: domain.EventDecideReturnToSeller, Decision: domain.DecisionReturnToSeller}, incomplete, "", "error.return.profile_incomplete"},
		{"ErrDecisionMismatch", pending, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionDispose}, complete, "", "error.return.unknown_decision"},
		{"ErrDecisionFinal", decided, domain.ReturnChange{Event: domain.EventDecideSell, Decision: domain.DecisionSellOnWB}, complete, "", "error.return.decision_final"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.Check(ctx, tt.change, tt.owner)
			if tt.wantMsg != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.MsgID != tt.wantMsg {
					t.Fatalf("Check = %v, want %s", err, tt.wantMsg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Check = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestCheckBeforeArrival(t *testing.T) {
	yes := true
	upd := domain.ReturnUpdate{NeedsVerification: &yes}
	if err := (&domain.Return{Status: domain.StatusAwaitingPickupCode}).CheckBeforeArrival(upd); err != nil {
		t.Fatalf("in transit: %v", err)
	}
	err := (&domain.Return{Status: domain.StatusAwaitingSellerDecision}).CheckBeforeArrival(upd)
	if domain.ErrorMsgID(err) != "error.return.already_arrived" {
		t.Fatalf("arrived: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, s := range domain.AllStatuses() {
		if got, err := domain.ParseStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseStatus(%s) = %s, %v", s, got, err)
		}
	}
	if _, err := domain.ParseStatus("lost"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("ParseStatus(lost) = %v", err)
	}
	for tag, want := range map[string]domain.Language{"ru": domain.LangRussian, "zh-hans": domain.LangChinese, "de": domain.LangEnglish, "": domain.LangEnglish} {
		if got := domain.ParseLanguage(tag); got != want {
			t.Errorf("ParseLanguage(%q) = %s, want %s", tag, got, want)
		}
	}
}
