package conversations_test

import (
	"slices"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// TestDynamicMessageIDs covers the ids built at run time, which the
// locales scan of literals cannot see.
func TestDynamicMessageIDs(t *testing.T) {
	ids := locales.IDs()
	var want []string
	for _, k := range domain.AllNotificationKinds() {
		want = append(want, "notify."+string(k), "digest."+string(k))
	}
	for _, d := range domain.AllDecisions() {
		want = append(want, "flow.decision.explain."+string(d))
	}
	for _, name := range append([]string{}, commandNames()...) {
		want = append(want, "command."+name)
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Errorf("locales lack %q", id)
		}
	}
}
