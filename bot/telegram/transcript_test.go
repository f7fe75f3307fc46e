package telegram_test

import (
	"slices"
	"strings"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

// transcript.go's Telegram side: the driver keeps what the chat showed,
// for the golden transcripts (convtest.Transcriber).

// pressed notes a press under the newest message offering label: a press
// leaves no message of its own, and the message it was on may have come
// after others the same turn sent.
func (d *driver) pressed(label string) {
	msgs := d.h.tg.Sent(d.u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if slices.ContainsFunc(labels(msgs[i]), func(l string) bool { return strings.Contains(l, label) }) {
			if d.presses == nil {
				d.presses = map[int][]string{}
			}
			d.presses[msgs[i].MessageID] = append(d.presses[msgs[i].MessageID], label)
			return
		}
	}
}

// Transcript is the chat as the person saw it, each message as it reads
// now (an edited message in its last version), with the presses made on it.
func (d *driver) Transcript() string {
	var b strings.Builder
	for _, m := range d.h.tg.Messages(d.u.ID) {
		b.WriteString(transcriptLine(m) + "\n")
		for _, label := range d.presses[m.MessageID] {
			b.WriteString("user: ▷ " + label + "\n")
		}
	}
	return b.String()
}

func transcriptLine(m tgfake.Message) string {
	who := "user"
	if m.From != nil && m.From.IsBot {
		who = "bot"
	}
	text := m.Text + m.Caption
	switch {
	case len(m.Photo) > 0:
		text = strings.TrimSpace("[photo] " + text)
	case m.Document != nil:
		text = strings.TrimSpace("[file " + m.Document.FileName + "] " + text)
	}
	line := who + ": " + strings.ReplaceAll(text, "\n", "\n     ")
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			var labels []string
			for _, b := range row {
				labels = append(labels, "["+b.Text+"]")
			}
			line += "\n     " + strings.Join(labels, " ")
		}
	}
	return line
}
