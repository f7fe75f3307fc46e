package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// input turns an update into what the engine reads, and names the chat to
// answer in. ok is false for updates the engine has no use for.
func (b *Bot) input(u tgbotapi.Update) (in conversations.Input, chatID int64, ok bool) {
	in = conversations.Input{UpdateID: int64(u.UpdateID), Channel: domain.ChannelTelegram, Ack: true,
		StartLink: "https://t.me/" + b.Username() + "?start="}
	var from *tgbotapi.User
	var chat *tgbotapi.Chat
	switch {
	case u.Message != nil && u.Message.Chat != nil && u.Message.From != nil:
		m := u.Message
		from, chat = m.From, m.Chat
		in.MessageID = strconv.Itoa(m.MessageID)
		in.Text = m.Text
		if in.Text == "" {
			in.Text = m.Caption
		}
		// A forwarded contact card is someone else's number, not a share.
		if c := m.Contact; c != nil && c.UserID == m.From.ID {
			in.Contact = c.PhoneNumber
		}
		in.Files = b.files(m)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil &&
		u.CallbackQuery.From != nil && u.CallbackQuery.Data != "":
		// The presser may differ from the chat (a group): the engine decides
		// whose button it is, so both ids go through.
		q := u.CallbackQuery
		from, chat = q.From, q.Message.Chat
		in.Button, in.ButtonOn = q.Data, strconv.Itoa(q.Message.MessageID)
	default:
		return in, 0, false
	}
	chatID = chat.ID
	in.ChatID = strconv.FormatInt(chatID, 10)
	in.Group = !chat.IsPrivate()
	in.UserID = strconv.FormatInt(from.ID, 10)
	in.UserName = strings.TrimSpace(from.FirstName + " " + from.LastName)
	if in.UserName == "" {
		in.UserName = from.UserName
	}
	in.LanguageCode = from.LanguageCode
	return in, chatID, true
}

// files lists a message's attachments; their bytes are fetched only if a
// step opens them.
func (b *Bot) files(m *tgbotapi.Message) []conversations.File {
	var out []conversations.File
	if len(m.Photo) > 0 {
		p := largest(m.Photo)
		out = append(out, b.file(domain.AttachmentPhoto, p.FileID, p.FileUniqueID+".jpg", "image/jpeg", p.FileSize))
	}
	if d := m.Document; d != nil {
		// A screenshot sent "as file" keeps full resolution, which is what a
		// QR code needs: treat image documents as photos.
		kind := domain.AttachmentDocument
		if strings.HasPrefix(d.MimeType, "image/") {
			kind = domain.AttachmentPhoto
		}
		out = append(out, b.file(kind, d.FileID, d.FileName, d.MimeType, d.FileSize))
	}
	if v := m.Video; v != nil {
		out = append(out, b.file(domain.AttachmentVideo, v.FileID, v.FileName, v.MimeType, v.FileSize))
	}
	return out
}

// largest picks the biggest size; Telegram lists them smallest first, but
// says nothing that guarantees it.
func largest(sizes []tgbotapi.PhotoSize) tgbotapi.PhotoSize {
	best := sizes[len(sizes)-1]
	for _, s := range sizes {
		if s.Width*s.Height > best.Width*best.Height {
			best = s
		}
	}
	return best
}

func (b *Bot) file(kind domain.AttachmentKind, fileID, name, ctype string, size int) conversations.File {
	return conversations.File{
		Kind: kind, Name: name, ContentType: ctype, Size: int64(size),
		Open: func(ctx context.Context) ([]byte, error) { return b.download(ctx, fileID) },
	}
}

func tooLarge() error {
	return domain.Errorf(domain.CodeInvalid, "error.input.too_large", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})
}

// download fetches a file by id, refusing more than domain.MaxAttachmentSize
// whatever Telegram claimed its size was.
func (b *Bot) download(ctx context.Context, fileID string) ([]byte, error) {
	var f tgbotapi.File
	err := b.call(ctx, "get file", func(api *tgbotapi.BotAPI) (err error) {
		f, err = api.GetFile(tgbotapi.FileConfig{FileID: fileID})
		return err
	})
	if err != nil {
		return nil, err
	}
	if int64(f.FileSize) > domain.MaxAttachmentSize {
		return nil, tooLarge()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.fileURL(f.FilePath), nil)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", scrub(b.cfg.Token, err))
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", scrub(b.cfg.Token, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download file: status %s", resp.Status)
	}
	if resp.ContentLength > domain.MaxAttachmentSize {
		return nil, tooLarge() // announced: not a byte of it is read
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, domain.MaxAttachmentSize+1))
	if err != nil {
		return nil, fmt.Errorf("download file: %w", scrub(b.cfg.Token, err))
	}
	if int64(len(data)) > domain.MaxAttachmentSize {
		return nil, tooLarge()
	}
	return data, nil
}
