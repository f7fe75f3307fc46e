//go:build !race

package conversations_test

// raceEnabled: the race detector's shadow memory is part of RSS.
const raceEnabled = false
