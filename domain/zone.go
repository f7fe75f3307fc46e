package domain

import "time"

// zone.go: one date for one moment. A return's dates are shown in the
// seller's time zone wherever they appear (the seller's card, the staff
// card, the web view and its history), so a receipt late in the evening
// is the same day on every screen.

// InZone is f with dates shown in loc.
func InZone(f Formatter, loc *time.Location) Formatter { return zoned{f, loc} }

// ZoneOf is the seller's time zone, UTC when it is unset or unknown.
func ZoneOf(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

type zoned struct {
	Formatter
	loc *time.Location
}

func (z zoned) FormatDate(t time.Time) string { return z.Formatter.FormatDate(t.In(z.loc)) }
