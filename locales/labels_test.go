// This file is the external test package so that it may import domain:
// locales itself takes enum values as plain strings, and only a test can
// hold it to domain's lists. Adding a status, tab, decision or any other
// enum value without its labels fails here.
package locales_test

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

func TestLabels(t *testing.T) {
	b := locales.MustNew()
	for _, tt := range []struct {
		kind   string
		values []string
	}{
		{"status", names(domain.AllStatuses())},
		{"event", names(domain.AllEvents())},
		{"tab", names(domain.AllTabs())},
		{"decision", names(domain.AllDecisions())},
		{"unit_status", names(domain.AllUnitStatuses())},
		{"language", names(domain.AllLanguages())},
		{"channel", names(domain.AllChannels())},
		{"part", domain.AllParts()},
		{"part_state", names(domain.AllPartStates())},
		{"notify_setting", names(domain.AllNotificationKinds())},
		{"tariff_kind", names(domain.AllTariffKinds())},
		{"ledger_kind", names(domain.AllLedgerKinds())},
		{"payment_method", names(domain.AllPaymentMethods())},
		{"month", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}},
		{"attachment", names([]domain.AttachmentKind{domain.AttachmentPhoto, domain.AttachmentVideo,
			domain.AttachmentDocument, domain.AttachmentPickup})},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			if len(tt.values) == 0 {
				t.Fatal("domain lists no values")
			}
			for _, lang := range locales.Languages() {
				seen := make(map[string]string)
				for _, v := range tt.values {
					got := b.For(lang).Label(tt.kind, v)
					if got == "" || got == tt.kind+"."+v {
						t.Errorf("%s: no label for %s %q", lang, tt.kind, v)
						continue
					}
					// Two values with one label would be indistinguishable in a list or a filter.
					if other, dup := seen[got]; dup {
						t.Errorf("%s: %s %q and %q share the label %q", lang, tt.kind, other, v, got)
					}
					seen[got] = v
				}
			}
		})
	}
}

// TestSwitchLabelsFit: a /notifications switch is a button, which a phone
// shows in one line of about 30 characters; its tick comes first.
func TestSwitchLabelsFit(t *testing.T) {
	b := locales.MustNew()
	for _, lang := range locales.Languages() {
		for _, k := range domain.AllNotificationKinds() {
			if label := b.For(lang).Label("notify_setting", string(k)); utf8.RuneCountInString(label) > 28 {
				t.Errorf("%s: the switch for %s is %d characters: %q", lang, k, utf8.RuneCountInString(label), label)
			}
		}
	}
}

func TestLanguagesMatchDomain(t *testing.T) {
	if got, want := locales.Languages(), names(domain.AllLanguages()); !slices.Equal(got, want) {
		t.Errorf("locales.Languages() = %v, domain.AllLanguages() = %v", got, want)
	}
}

func names[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
