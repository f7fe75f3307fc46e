package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// staff_post.go: what the desk posts into the staff group, paced with every
// other send to it, in a topic and in answer to a message where asked; and
// staff answers to sellers that reply to the seller's own message.

// Post sends a message at a place in the group: the text first (split at
// 4096 characters, buttons on the last part), then photos as albums of up
// to ten with the caption on the first, then other files one by one. The
// ids come back text first, then one per file in the order given.
func (c *StaffChat) Post(ctx context.Context, at conversations.StaffPlace, m conversations.StaffMessage) ([]string, error) {
	var ids []string
	kb := c.b.inlineKeyboard(m.Buttons)
	parts := splitText(m.Text, maxText)
	for i, part := range parts {
		p := tgbotapi.Params{"text": part}
		if i == len(parts)-1 && kb != nil {
			if err := p.AddInterface("reply_markup", kb); err != nil {
				return ids, err
			}
		}
		got, err := c.send(ctx, "sendMessage", at, p, nil)
		if err != nil {
			return ids, err
		}
		ids = append(ids, got...)
	}
	fileIDs, err := c.postFiles(ctx, at, m.Files, m.Caption)
	return append(ids, fileIDs...), err
}

// maxPhotoUpload is sendPhoto's limit; a larger photo goes as a document,
// since a refused photo would fail the whole post at every retry.
const maxPhotoUpload = 10 << 20

func (c *StaffChat) postFiles(ctx context.Context, at conversations.StaffPlace, files []conversations.File, caption string) ([]string, error) {
	ids := make([]string, len(files))
	var photos, others []int
	for i, f := range files {
		if f.Kind == domain.AttachmentPhoto && f.Size <= maxPhotoUpload {
			photos = append(photos, i)
		} else {
			others = append(others, i)
		}
	}
	captionOnce := func() string {
		s := truncate(caption, maxCaption)
		caption = ""
		return s
	}
	for start := 0; start < len(photos); start += maxAlbum {
		chunk := photos[start:min(start+maxAlbum, len(photos))]
		var got []string
		var err error
		if len(chunk) == 1 {
			got, err = c.send(ctx, "sendPhoto", at, tgbotapi.Params{"caption": captionOnce()}, []tgbotapi.RequestFile{{Name: "photo", Data: upload{ctx, files[chunk[0]]}}})
		} else {
			got, err = c.sendAlbum(ctx, at, files, chunk, captionOnce())
		}
		if err != nil {
			return nil, err
		}
		for i, idx := range chunk {
			if i < len(got) {
				ids[idx] = got[i]
			}
		}
	}
	for _, idx := range others {
		got, err := c.send(ctx, "sendDocument", at, tgbotapi.Params{"caption": captionOnce()}, []tgbotapi.RequestFile{{Name: "document", Data: upload{ctx, files[idx]}}})
		if err != nil {
			return nil, err
		}
		ids[idx] = got[0]
	}
	return ids, nil
}

func (c *StaffChat) sendAlbum(ctx context.Context, at conversations.StaffPlace, files []conversations.File, chunk []int, caption string) ([]string, error) {
	type item struct {
		Type    string `json:"type"`
		Media   string `json:"media"`
		Caption string `json:"caption,omitempty"`
	}
	media := make([]item, len(chunk))
	uploads := make([]tgbotapi.RequestFile, len(chunk))
	for i, idx := range chunk {
		name := "file" + strconv.Itoa(i)
		media[i] = item{Type: "photo", Media: "attach://" + name}
		uploads[i] = tgbotapi.RequestFile{Name: name, Data: upload{ctx, files[idx]}}
	}
	media[0].Caption = caption
	p := tgbotapi.Params{}
	if err := p.AddInterface("media", media); err != nil {
		return nil, err
	}
	return c.send(ctx, "sendMediaGroup", at, p, uploads)
}

// upload is a file opened only when the request body reaches it: the
// library streams a multipart body file after file, so an album of ten
// holds one file at a time, and a retried request opens them again.
// UploadData takes no context, hence the one kept here.
type upload struct {
	ctx context.Context
	f   conversations.File
}

func (u upload) NeedsUpload() bool { return true }
func (u upload) SendData() string  { return "" }

func (u upload) UploadData() (string, io.Reader, error) {
	data, err := u.f.Open(u.ctx)
	if err != nil {
		return "", nil, fmt.Errorf("open %s %q for the staff chat: %w", u.f.Kind, u.f.Name, err)
	}
	name := u.f.Name
	if name == "" {
		name = "file"
	}
	return name, bytes.NewReader(data), nil
}

// send makes one paced request into the group and returns the ids of the
// messages it created. A group upgraded meanwhile is followed once.
func (c *StaffChat) send(ctx context.Context, method string, at conversations.StaffPlace, params tgbotapi.Params, files []tgbotapi.RequestFile) ([]string, error) {
	for attempt := 0; ; attempt++ {
		chat := c.ID()
		p := tgbotapi.Params{"chat_id": strconv.FormatInt(chat, 10)}
		for k, v := range params {
			if v != "" {
				p[k] = v
			}
		}
		inThread(p, at.Thread)
		if at.ReplyTo != "" {
			p["reply_to_message_id"] = at.ReplyTo
			p["allow_sending_without_reply"] = "true"
		}
		var resp *tgbotapi.APIResponse
		err := c.b.send(ctx, chat, method+" to the staff chat", func(api *tgbotapi.BotAPI) (err error) {
			if files == nil {
				resp, err = api.MakeRequest(method, p)
			} else {
				resp, err = api.UploadFiles(method, p, files)
			}
			return err
		})
		if to := migratedTo(err); to != 0 && attempt == 0 {
			if err := c.moved(ctx, chat, to); err != nil {
				return nil, err
			}
			continue
		}
		switch {
		case threadGone(err):
			return nil, fmt.Errorf("%s: %w", method, errors.Join(conversations.ErrTopicGone, err))
		case err != nil:
			return nil, err
		}
		return messageIDs(resp.Result)
	}
}

// messageIDs reads the message (or the album's messages) a send created.
func messageIDs(result json.RawMessage) ([]string, error) {
	var one struct {
		MessageID int `json:"message_id"`
	}
	if strings.HasPrefix(strings.TrimSpace(string(result)), "[") {
		var many []struct {
			MessageID int `json:"message_id"`
		}
		if err := json.Unmarshal(result, &many); err != nil {
			return nil, fmt.Errorf("decode sent messages: %w", err)
		}
		ids := make([]string, len(many))
		for i, m := range many {
			ids[i] = strconv.Itoa(m.MessageID)
		}
		return ids, nil
	}
	if err := json.Unmarshal(result, &one); err != nil {
		return nil, fmt.Errorf("decode sent message: %w", err)
	}
	return []string{strconv.Itoa(one.MessageID)}, nil
}

// Edit redraws a posted message; with no text, only its buttons. Edits
// are not paced: Telegram does not count them against the chat.
func (c *StaffChat) Edit(ctx context.Context, messageID string, m conversations.StaffMessage) error {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(c.ID(), 10), "message_id": messageID}
	if kb := c.b.inlineKeyboard(m.Buttons); kb != nil {
		if err := p.AddInterface("reply_markup", kb); err != nil {
			return err
		}
	}
	method := "editMessageReplyMarkup"
	if m.Text != "" {
		method, p["text"] = "editMessageText", truncate(m.Text, maxText)
	}
	err := c.b.call(ctx, method+" in the staff chat", func(api *tgbotapi.BotAPI) error {
		_, err := api.MakeRequest(method, p)
		return err
	})
	if isAPIError(err, "message is not modified") {
		return nil
	}
	return err
}

// SendReply sends replies to a seller's chat, the first one answering
// message replyTo (staff replying to something the seller wrote). It
// implements conversations.ReplySender.
func (b *Bot) SendReply(ctx context.Context, chatID, replyTo string, replies []conversations.Reply) error {
	rid, err := strconv.Atoi(replyTo)
	chat, cerr := strconv.ParseInt(chatID, 10, 64)
	if err != nil || cerr != nil || rid == 0 || len(replies) == 0 || len(replies[0].Photos) > maxAlbum {
		return b.Send(ctx, chatID, replies)
	}
	if err := b.sendAnswer(ctx, chat, rid, replies[0]); err != nil {
		return fmt.Errorf("send to telegram chat %d: %w", chat, err)
	}
	return b.Send(ctx, chatID, replies[1:])
}

func (b *Bot) sendAnswer(ctx context.Context, chat int64, replyTo int, r conversations.Reply) error {
	base := tgbotapi.BaseChat{ChatID: chat, ReplyToMessageID: replyTo, AllowSendingWithoutReply: true}
	var c tgbotapi.Chattable
	textAfter := ""
	switch {
	case len(r.Photos) == 1:
		msg := tgbotapi.NewPhoto(chat, photoFile(r.Photos[0]))
		msg.BaseChat = base
		if msg.Caption = r.Text; utf16Len(r.Text) > maxCaption {
			msg.Caption, textAfter = "", r.Text
		}
		c = msg
	case len(r.Photos) > 1:
		media := make([]any, len(r.Photos))
		for i, p := range r.Photos {
			media[i] = tgbotapi.NewInputMediaPhoto(photoFile(p))
		}
		cfg := tgbotapi.NewMediaGroup(chat, media)
		cfg.ReplyToMessageID = replyTo
		if err := b.send(ctx, chat, "send album", func(api *tgbotapi.BotAPI) error {
			_, err := api.SendMediaGroup(cfg)
			return err
		}); err != nil {
			return err
		}
		return b.sendReply(ctx, chat, conversations.Reply{Text: r.Text})
	default:
		parts := splitText(r.Text, maxText)
		if len(parts) == 0 {
			return nil
		}
		msg := tgbotapi.NewMessage(chat, parts[0])
		msg.BaseChat = base
		c, textAfter = msg, strings.Join(parts[1:], "\n")
	}
	if err := b.send(ctx, chat, "send answer", func(api *tgbotapi.BotAPI) error {
		_, err := api.Send(c)
		return err
	}); err != nil {
		return err
	}
	return b.sendReply(ctx, chat, conversations.Reply{Text: textAfter})
}
