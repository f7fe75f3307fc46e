package conversations

import (
	"context"

	"github.com/indigo-warehouse/indigo/domain"
)

// EnterForTest puts a chat at a declared state with the data its step
// reads, as the chat would be after answering the steps before it.
func (e *Engine) EnterForTest(ctx context.Context, ch domain.Channel, chatID, flow, state string, data map[string]string) error {
	return e.Sessions.WithSession(ctx, ch, chatID, func(ctx context.Context, s *domain.ChatSession) error {
		s.Flow, s.State = flow, state
		for k, v := range data {
			s.Data[k] = v
		}
		return nil
	})
}

// NoticeLineForTest is how staff read a notice relay (staff_notice.go).
var NoticeLineForTest = noticeLine
