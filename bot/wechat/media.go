package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// media.go: pictures both ways. A follower's image arrives as a media id,
// fetched through the media API only when a step opens it (within WeChat's
// 3 days); an inspection photo goes up as temporary media and out as an
// image message.

// maxImageBytes is WeChat's limit for a temporary image.
const maxImageBytes = 2 << 20

// mediaFile is a follower's image, fetched when a step opens it.
func (b *Bot) mediaFile(mediaID string) conversations.File {
	return conversations.File{
		Kind: domain.AttachmentPhoto, Name: mediaID + ".jpg", ContentType: "image/jpeg",
		Open: func(ctx context.Context) ([]byte, error) { return b.download(ctx, mediaID) },
	}
}

// download fetches temporary media. silenceper has no download, only the
// URL (with the live token in it), so the request is ours, sent to the
// same host silenceper calls. WeChat answers errors as JSON with HTTP 200.
// A file announced or found larger than domain.MaxAttachmentSize is
// refused without reading more of it.
func (b *Bot) download(ctx context.Context, mediaID string) ([]byte, error) {
	var data []byte
	oversize := false
	err := b.call(ctx, "download media", func(oa *officialaccount.OfficialAccount) error {
		tok, err := oa.GetAccessToken()
		if err != nil {
			return err
		}
		u := apiBase() + "/cgi-bin/media/get?access_token=" + url.QueryEscape(tok) + "&media_id=" + url.QueryEscape(mediaID)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := b.client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		if oversize = resp.ContentLength > domain.MaxAttachmentSize; oversize {
			return nil
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, domain.MaxAttachmentSize+1))
		if err != nil {
			return err
		}
		ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ctype == "application/json" || ctype == "text/plain" || bytes.HasPrefix(bytes.TrimSpace(data), []byte(`{"errcode"`)) {
			var ce util.CommonError
			if err := json.Unmarshal(data, &ce); err != nil || ce.ErrCode == 0 {
				return errors.New("unexpected answer instead of the file")
			}
			return util.NewCommonError("media get", ce.ErrCode, ce.ErrMsg)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if oversize || int64(len(data)) > domain.MaxAttachmentSize {
		return nil, domain.Errorf(domain.CodeInvalid, "error.input.too_large", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})
	}
	return data, nil
}

// sendPhoto uploads a photo as temporary media and sends it.
func (b *Bot) sendPhoto(ctx context.Context, openID string, p conversations.Photo) error {
	data, name, err := fitImage(ctx, p.Data, p.Name)
	if err != nil {
		return &APIError{Call: "prepare image", Err: err}
	}
	var mediaID string
	if err := b.call(ctx, "upload image", func(oa *officialaccount.OfficialAccount) error {
		m, err := oa.GetMaterial().MediaUploadFromReader(material.MediaTypeImage, name, bytes.NewReader(data))
		mediaID = m.MediaID
		return err
	}); err != nil {
		return err
	}
	return b.call(ctx, "send image", func(oa *officialaccount.OfficialAccount) error {
		return oa.GetCustomerMessageManager().Send(message.NewCustomerImgMessage(openID, mediaID))
	})
}

// fitImage returns a JPEG or PNG within WeChat's 2 MB, re-encoding and
// halving larger pictures (decoded within conversations' bounds), and a
// file name with the right extension.
func fitImage(ctx context.Context, data []byte, name string) ([]byte, string, error) {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if base == "" || base == "." || base == "/" {
		base = "photo"
	}
	ctype := http.DetectContentType(data)
	if len(data) <= maxImageBytes {
		switch ctype {
		case "image/jpeg":
			return data, base + ".jpg", nil
		case "image/png":
			return data, base + ".png", nil
		}
	}
	var out []byte
	err := conversations.DecodeImage(ctx, data, func(img image.Image) error {
		for {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
				return fmt.Errorf("encode jpeg: %w", err)
			}
			if buf.Len() <= maxImageBytes || img.Bounds().Dx() < 64 {
				out = buf.Bytes()
				return nil
			}
			img = halve(img)
		}
	})
	if err != nil {
		return nil, "", fmt.Errorf("fit %s into %d bytes: %w", ctype, maxImageBytes, err)
	}
	return out, base + ".jpg", nil
}

// halve scales an image to half its size, averaging each 2×2 block.
func halve(src image.Image) image.Image {
	r := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx()/2, r.Dy()/2))
	for y := range dst.Bounds().Dy() {
		for x := range dst.Bounds().Dx() {
			var sr, sg, sb, sa uint32
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				cr, cg, cb, ca := src.At(r.Min.X+2*x+d[0], r.Min.Y+2*y+d[1]).RGBA()
				sr, sg, sb, sa = sr+cr, sg+cg, sb+cb, sa+ca
			}
			dst.Set(x, y, color.RGBA64{R: uint16(sr / 4), G: uint16(sg / 4), B: uint16(sb / 4), A: uint16(sa / 4)})
		}
	}
	return dst
}
