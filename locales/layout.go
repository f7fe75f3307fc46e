package locales

import "strings"

// layout.go: the small pieces every list, card and button is built from
// ("Name: value", "• item", "Label (3)", "a · b"), written once per
// language in the catalogues instead of in code: Chinese sets them with a
// full-width colon and brackets, and a test (TestNoTextInCode) keeps code
// from writing its own.

// Field is one line of a card: "Defect claim?: No", 「缺陷商品？：否」.
func (l *Localizer) Field(name, value string) string {
	return l.T("label.field", map[string]any{"Name": name, "Value": value})
}

// Bullet is one item of a list.
func (l *Localizer) Bullet(text string) string {
	return l.T("label.bullet", map[string]any{"Text": text})
}

// WithCount is a label with a count after it, on a button or in a list.
func (l *Localizer) WithCount(label string, n int) string {
	return l.T("label.with_count", map[string]any{"Label": label, "N": n})
}

// Join sets the non-empty parts side by side with the language's separator.
func (l *Localizer) Join(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, l.T("label.separator"))
}

// Toggle marks a label as on or off, as the settings' buttons show it.
func (l *Localizer) Toggle(label string, on bool) string {
	if on {
		return l.T("label.toggle_on", map[string]any{"Label": label})
	}
	return l.T("label.toggle_off", map[string]any{"Label": label})
}

// None is what a field with no value shows.
func (l *Localizer) None() string { return l.T("label.none") }
