package wechat_test

import (
	"strings"
)

// transcript.go's WeChat side: the driver keeps what the chat showed, for
// the golden transcripts (convtest.Transcriber). WeChat keeps only what
// the account sent; what the follower did is noted as they do it, after
// the messages they had then.

type action struct {
	after int // how many messages the follower had seen
	line  string
}

func (d *driver) did(line string) {
	d.actions = append(d.actions, action{after: len(d.h.acct.Sent(d.u.OpenID)), line: "user: " + line})
}

// Transcript is the chat as the follower saw it.
func (d *driver) Transcript() string {
	var b strings.Builder
	next := 0
	for i, m := range d.h.acct.Sent(d.u.OpenID) {
		for ; next < len(d.actions) && d.actions[next].after <= i; next++ {
			b.WriteString(d.actions[next].line + "\n")
		}
		text := m.Text
		if m.Type == "image" {
			text = "[image]"
		}
		b.WriteString("bot: " + strings.ReplaceAll(text, "\n", "\n     ") + "\n")
	}
	for ; next < len(d.actions); next++ {
		b.WriteString(d.actions[next].line + "\n")
	}
	return b.String()
}
