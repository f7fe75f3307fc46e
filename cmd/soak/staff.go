package main

import (
	"context"
	"strconv"
	"time"
)

// answerEvery is how fast one staff member answers one seller: as fast
// as Telegram lets the bot write to the seller (about once a second).
// Faster, the answers would only queue in Telegram's one webhook
// connection behind that seller's pace, holding up every other update.
const answerEvery = 1200 * time.Millisecond

// answerRelays plays the staff: once a relay shows up in the staff group,
// a staff member answers it in the seller's topic, once, and the seller
// must get that answer once. It runs until ctx ends.
func (e *env) answerRelays(ctx context.Context) error {
	answered := map[string]bool{}
	last := map[int64]time.Time{} // seller's user id → the last answer to them
	for {
		for _, m := range e.tg.Sent(staffGroupID) {
			for _, relay := range relayRE.FindAllString(m.Text+"\n"+m.Caption, -1) {
				if answered[relay] || m.MessageThreadID == 0 {
					continue // a post outside the seller's topic has no one to answer
				}
				e.mu.Lock()
				userID, ok := e.relayFrom[relay]
				e.mu.Unlock()
				if !ok || time.Since(last[userID]) < answerEvery {
					continue
				}
				answered[relay], last[userID] = true, time.Now()
				answer := answerMarker(relayNumber(relay))
				e.expect(kindAnswer, answer)
				e.mu.Lock()
				e.answerTo[answer] = userID
				e.mu.Unlock()
				e.tg.SendGroupMessage(staffGroupID, m.MessageThreadID, staffUserID, answer+" it is on its way", 0)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// relayNumber is i of relayMarker(i).
func relayNumber(marker string) int {
	n, _ := strconv.Atoi(marker[len(marker)-5:])
	return n
}
