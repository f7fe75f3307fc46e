package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/indigo-warehouse/indigo/domain"
)

// replies.go: a chat's answers are at least once. For a channel that
// confirms what it sent (Input.Ack), the replies of a turn are kept in the
// chat's session row, written in the turn's own transaction, until Sent
// says they went; the same input delivered again gets what is still unsent
// instead of nothing. So a failed send, or a crash between the commit and
// the send, costs a resend of the unsent part, never the answer. A photo
// is kept as the attachment it came from, never as bytes in the row, and
// read again when it goes.

const (
	pendingKey       = "_pending"        // JSON of the replies not yet sent
	pendingUpdateKey = "_pending_update" // the update they answer
)

// keepPending records the turn's replies as unsent; a newer input's
// replies replace an older one's, whose channel has moved on.
func keepPending(s *domain.ChatSession, in Input, replies []Reply) error {
	delete(s.Data, pendingKey)
	delete(s.Data, pendingUpdateKey)
	if !in.Ack || in.UpdateID == 0 || len(replies) == 0 {
		return nil
	}
	kept, err := withoutPhotoBytes(replies)
	if err != nil {
		return fmt.Errorf("keep replies to update %d: %w", in.UpdateID, err)
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return fmt.Errorf("keep replies to update %d: %w", in.UpdateID, err)
	}
	s.Data[pendingKey] = string(raw)
	s.Data[pendingUpdateKey] = strconv.FormatInt(in.UpdateID, 10)
	return nil
}

// pendingFor returns what is still unsent of the replies to update id.
func pendingFor(s *domain.ChatSession, id int64) ([]Reply, error) {
	if s.Data[pendingUpdateKey] != strconv.FormatInt(id, 10) {
		return nil, nil
	}
	var replies []Reply
	if err := json.Unmarshal([]byte(s.Data[pendingKey]), &replies); err != nil {
		return nil, fmt.Errorf("read replies kept for update %d: %w", id, err)
	}
	return replies, nil
}

// withoutPhotoBytes copies replies with each photo's bytes left to its
// attachment. A photo of bytes from nowhere else cannot be kept: it would
// put megabytes into a row every turn of the chat reads and writes.
func withoutPhotoBytes(replies []Reply) ([]Reply, error) {
	out := slices.Clone(replies)
	for i, r := range out {
		if len(r.Photos) == 0 {
			continue
		}
		out[i].Photos = slices.Clone(r.Photos)
		for j, p := range out[i].Photos {
			if len(p.Data) > 0 && p.AttachmentID == 0 {
				return nil, fmt.Errorf("photo %q (%d bytes) is no stored attachment", p.Name, len(p.Data))
			}
			out[i].Photos[j].Data = nil
		}
	}
	return out, nil
}

// loadPhotos reads the bytes of kept replies' photos from their
// attachments. One deleted meanwhile (its return was) is left out.
func (e *Engine) loadPhotos(ctx context.Context, replies []Reply) error {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	for i := range replies {
		photos := replies[i].Photos[:0]
		for _, p := range replies[i].Photos {
			if p.AttachmentID != 0 && p.Data == nil {
				a, err := e.Attachments.FindAttachmentData(ctx, p.AttachmentID)
				switch {
				case domain.ErrorCode(err) == domain.CodeNotFound:
					continue
				case err != nil:
					return fmt.Errorf("read kept photo %d: %w", p.AttachmentID, err)
				}
				p.Data = a.Data
			}
			photos = append(photos, p)
		}
		replies[i].Photos = photos
	}
	return nil
}

// Sent records that the first n of the replies still unsent for in went
// out. Marking fewer than went only means a resend of those.
func (e *Engine) Sent(ctx context.Context, in Input, n int) error {
	err := e.Sessions.WithSession(ctx, in.Channel, in.ChatID, func(ctx context.Context, s *domain.ChatSession) error {
		replies, err := pendingFor(s, in.UpdateID)
		if err != nil || len(replies) == 0 {
			return err
		}
		return keepPending(s, in, replies[min(n, len(replies)):])
	})
	if err != nil {
		return fmt.Errorf("mark %d replies to %s update %d sent: %w", n, in.Channel, in.UpdateID, err)
	}
	return nil
}
