package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
)

// photo.go: photos, and what a chat shows when one cannot go. A photo by
// URL is first left to Telegram to fetch; when Telegram cannot (the host
// refuses it, answers slowly, or is not on the internet at all, as in the
// demo), the service fetches it itself and uploads the bytes. A photo that
// fails that way too, or that Telegram refuses outright, is left out: the
// text goes without it, with the photo's Missing line, so the seller gets
// the card either way.

// Telegram's documented limits for a photo upload: 10 MB, width and height
// at most 10000 together, neither more than 20 times the other.
const (
	maxPhotoBytes = 10 << 20
	maxPhotoSides = 10000
	maxPhotoRatio = 20
)

// photoFetchTimeout bounds fetching one photo by URL. It is a network
// deadline, not a wait the service schedules, so it runs on the wall clock.
const photoFetchTimeout = 15 * time.Second

// sendPhotos sends one photo or albums of up to ten, the text as caption
// when it fits; otherwise (or with buttons under an album, which Telegram
// does not allow) the text follows as its own message. Photos that could
// not go are named by their Missing lines after the text; a first photo
// that could not go leaves its text to a message of its own.
func (b *Bot) sendPhotos(ctx context.Context, chat int64, r conversations.Reply) error {
	kb := b.inlineKeyboard(r.Buttons)
	textAfter := utf16Len(r.Text) > maxCaption || r.ContactButton != "" || (len(r.Photos) > 1 && kb != nil)
	headSent := true // the caption (and keyboard) went with the first photo
	var missing []string
	for start := 0; start < len(r.Photos); start += maxAlbum {
		chunk := r.Photos[start:min(start+maxAlbum, len(r.Photos))]
		caption, k := "", (*keyboard)(nil)
		if start == 0 && !textAfter {
			caption, k = r.Text, kb
		}
		sent, lost, err := b.sendChunk(ctx, chat, chunk, caption, k)
		if err != nil {
			return err
		}
		if start == 0 {
			headSent = sent
		}
		missing = appendNew(missing, lost...)
	}
	var follow conversations.Reply
	if textAfter || !headSent {
		follow = conversations.Reply{Text: r.Text, Buttons: r.Buttons, ContactButton: r.ContactButton}
	}
	if !headSent {
		// Nothing of the reply is in the chat yet: it takes the place of
		// the message it was to replace, as a card without a photo does.
		follow.EditMessageID = r.EditMessageID
	}
	follow.Text = strings.TrimSpace(strings.Join(append([]string{follow.Text}, missing...), "\n\n"))
	return b.sendReply(ctx, chat, follow)
}

// sendChunk sends one photo or album. When Telegram refuses it for good,
// the photos it was to fetch by URL are fetched here and the chunk goes
// again as uploads; what still cannot go is left out and named by its
// Missing lines, and sent reports whether anything went.
func (b *Bot) sendChunk(ctx context.Context, chat int64, chunk []conversations.Photo, caption string, kb *keyboard) (sent bool, missing []string, err error) {
	err = b.sendMedia(ctx, chat, chunk, caption, kb)
	if err == nil || errors.Is(err, ErrBlocked) || !permanent(err) {
		return err == nil, nil, err
	}
	b.log.Warn("telegram: photo refused", "chat", chat, "photos", len(chunk), "err", err)
	if !slices.ContainsFunc(chunk, byURL) {
		return false, lines(chunk), nil // the same bytes would be refused again
	}
	uploads, missing := b.fetchURLs(ctx, chunk)
	if len(uploads) == 0 {
		return false, missing, nil
	}
	err = b.sendMedia(ctx, chat, uploads, caption, kb)
	switch {
	case err == nil:
		return true, missing, nil
	case errors.Is(err, ErrBlocked) || !permanent(err):
		return false, nil, err
	}
	b.log.Warn("telegram: uploaded photo refused", "chat", chat, "photos", len(uploads), "err", err)
	return false, lines(chunk), nil
}

// byURL: a photo Telegram is to fetch itself.
func byURL(p conversations.Photo) bool { return len(p.Data) == 0 && p.URL != "" }

// fetchURLs returns the chunk with every photo by URL fetched into bytes;
// those that cannot be fetched are left out and named by their Missing
// lines.
func (b *Bot) fetchURLs(ctx context.Context, chunk []conversations.Photo) (uploads []conversations.Photo, missing []string) {
	for _, p := range chunk {
		if !byURL(p) {
			uploads = append(uploads, p)
			continue
		}
		data, err := b.fetchPhoto(ctx, p.URL)
		if err != nil {
			b.log.Warn("telegram: fetch a photo Telegram could not", "url", p.URL, "err", err)
			missing = appendNew(missing, p.Missing)
			continue
		}
		p.Data = data
		uploads = append(uploads, p)
	}
	return uploads, missing
}

// fetchPhoto fetches a picture by URL for upload, bounded before it is
// read: a body past Telegram's 10 MB is refused from its length or cut
// off at it, and a picture whose header declares what Telegram or Indigo
// would refuse is not sent. It runs after the turn committed, so no
// transaction waits on the remote host.
func (b *Bot) fetchPhoto(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetch photo: not a web address: %q", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, photoFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch photo: %w", err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch photo: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetch photo: status %s", resp.Status)
	case resp.ContentLength > maxPhotoBytes:
		return nil, fmt.Errorf("fetch photo: %d bytes announced, over %d", resp.ContentLength, maxPhotoBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch photo: read: %w", err)
	}
	if len(data) > maxPhotoBytes {
		return nil, fmt.Errorf("fetch photo: over %d bytes", maxPhotoBytes)
	}
	return data, checkPhoto(data)
}

// checkPhoto refuses from its header a picture Indigo would not decode or
// Telegram would not take as a photo.
func checkPhoto(data []byte) error {
	info, err := conversations.CheckImage(data)
	if err != nil {
		return fmt.Errorf("fetch photo: %w", err)
	}
	w, h := info.Width, info.Height
	if w+h > maxPhotoSides || w > maxPhotoRatio*h || h > maxPhotoRatio*w {
		return fmt.Errorf("fetch photo: %d×%d is outside Telegram's photo dimensions", w, h)
	}
	return nil
}

func (b *Bot) sendMedia(ctx context.Context, chat int64, photos []conversations.Photo, caption string, kb *keyboard) error {
	if len(photos) == 1 {
		return b.sendPhoto(ctx, chat, photos[0], caption, kb)
	}
	return b.sendAlbum(ctx, chat, photos, caption)
}

func (b *Bot) sendPhoto(ctx context.Context, chat int64, p conversations.Photo, caption string, kb *keyboard) error {
	msg := tgbotapi.NewPhoto(chat, photoFile(p))
	msg.Caption = caption
	if kb != nil {
		msg.ReplyMarkup = kb
	}
	return b.send(ctx, chat, "send photo", func(api *tgbotapi.BotAPI) error {
		_, err := api.Send(msg)
		return err
	})
}

func (b *Bot) sendAlbum(ctx context.Context, chat int64, photos []conversations.Photo, caption string) error {
	media := make([]any, len(photos))
	for i, p := range photos {
		m := tgbotapi.NewInputMediaPhoto(photoFile(p))
		if i == 0 {
			m.Caption = caption // an album shows its first item's caption
		}
		media[i] = m
	}
	return b.send(ctx, chat, "send album", func(api *tgbotapi.BotAPI) error {
		_, err := api.SendMediaGroup(tgbotapi.NewMediaGroup(chat, media))
		return err
	})
}

func photoFile(p conversations.Photo) tgbotapi.RequestFileData {
	if byURL(p) {
		return tgbotapi.FileURL(p.URL)
	}
	name := p.Name
	if name == "" {
		name = "photo.jpg"
	}
	return tgbotapi.FileBytes{Name: name, Bytes: p.Data}
}

// lines are the Missing lines of photos, each once.
func lines(photos []conversations.Photo) []string {
	var out []string
	for _, p := range photos {
		out = appendNew(out, p.Missing)
	}
	return out
}

// appendNew appends the non-empty lines not in list yet: one photo line
// for an album of missing photos, not ten.
func appendNew(list []string, add ...string) []string {
	for _, s := range add {
		if s != "" && !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}
