package domain_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
)

// unitLegal is the shelf unit lifecycle written out a second time, by
// hand, so that a change to the table in unit.go must be made here too.
var unitLegal = map[domain.UnitStatus]map[domain.UnitEvent]domain.UnitStatus{
	domain.UnitShelved: {domain.UnitEventList: domain.UnitListed},
	domain.UnitListed:  {domain.UnitEventOrder: domain.UnitOrdered, domain.UnitEventWithdraw: domain.UnitWithdrawn},
	domain.UnitOrdered: {domain.UnitEventPack: domain.UnitPacked, domain.UnitEventCancel: domain.UnitListed},
	domain.UnitPacked:  {domain.UnitEventHandOver: domain.UnitHandedOver, domain.UnitEventCancel: domain.UnitListed},
	domain.UnitHandedOver: {
		domain.UnitEventSell:   domain.UnitSold,
		domain.UnitEventRefuse: domain.UnitRefused,
	},
}

// TestUnitLifecycle tries every event from every status: the legal ones
// land where the table says, every other one is a conflict that keeps the
// status, and the final statuses take no event at all.
func TestUnitLifecycle(t *testing.T) {
	checkLifecycle(t, domain.AllUnitStatuses(), domain.AllUnitEvents(), unitLegal, domain.UnitStatus.Next, "error.unit.illegal_transition")
	for _, from := range domain.AllUnitStatuses() {
		if from.IsFinal() && len(unitLegal[from]) > 0 {
			t.Errorf("final status %s has events", from)
		}
	}
}

// TestUnitStockRule: what the WB stock may count (on the shelf, free) and
// whose WB order is followed never overlap, and final units are neither.
func TestUnitStockRule(t *testing.T) {
	for _, s := range domain.AllUnitStatuses() {
		if s.OnShelf() && s.InOrder() {
			t.Errorf("%s is both on the shelf and in an order", s)
		}
		if s.IsFinal() && (s.OnShelf() || s.InOrder()) {
			t.Errorf("final %s still counts", s)
		}
	}
	if _, err := domain.ParseUnitStatus("lost"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("ParseUnitStatus(lost) = %v", err)
	}
}
