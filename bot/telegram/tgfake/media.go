package tgfake

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/gif" // photos may be GIF, JPEG or PNG
	"image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// storedFile is a file Telegram holds: uploaded by the bot or sent by a user.
// A photo's file_id stands for all its sizes, so resending it by id gives
// the same PhotoSize list.
type storedFile struct {
	meta  File
	kind  string // "photo" or "document"
	data  []byte
	name  string
	mime  string
	sizes []PhotoSize
}

const thumbSide = 90

func (s *Server) storeFileLocked(kind, name, mimeType string, data []byte) *storedFile {
	n := s.nextSeqLocked()
	ext := path.Ext(name)
	dir := "documents"
	if kind == "photo" {
		dir, ext = "photos", ".jpg"
	}
	// Real ids are opaque base64url; the prefixes mimic photo (AgAC) and
	// document (BQAC) ids so logs look familiar.
	prefix := map[string]string{"photo": "AgACAgI", "document": "BQACAgI"}[kind]
	f := &storedFile{kind: kind, data: data, name: name, mime: mimeType}
	f.meta = File{
		FileID:       prefix + base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s:%d", s.bot.ID, kind, n))),
		FileUniqueID: "AQAD" + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(n, 10))),
		FileSize:     int64(len(data)),
		FilePath:     fmt.Sprintf("%s/file_%d%s", dir, n, ext),
	}
	s.files[f.meta.FileID] = f
	s.paths[f.meta.FilePath] = f
	return f
}

// storePhotoLocked checks a photo as Telegram does and stores it with a
// thumbnail, so that adapters learn to take the last (largest) size.
func (s *Server) storePhotoLocked(data []byte) ([]PhotoSize, *apiError) {
	switch {
	case len(data) == 0:
		return nil, badRequest("file must be non-empty")
	case len(data) > MaxPhotoUpload:
		return nil, badRequest("PHOTO_SAVE_FILE_INVALID")
	}
	// The header first: a picture declaring 50000×50000 pixels is refused
	// before the fake, which runs inside tests and the demo, decodes it.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, badRequest("IMAGE_PROCESS_FAILED")
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 || w+h > 10000 || w > 20*h || h > 20*w {
		return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, badRequest("IMAGE_PROCESS_FAILED")
	}
	var sizes []PhotoSize
	if max(w, h) > thumbSide {
		thumb := scale(img, thumbSide)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, thumb, nil); err == nil {
			sizes = append(sizes, s.photoSizeLocked(buf.Bytes(), thumb.Bounds().Dx(), thumb.Bounds().Dy()))
		}
	}
	sizes = append(sizes, s.photoSizeLocked(data, w, h))
	for _, ps := range sizes {
		s.files[ps.FileID].sizes = sizes
	}
	return sizes, nil
}

// SendRawPhoto sends data as a photo of one size, width×height as given,
// without the checks and re-encoding Telegram applies: bytes a Local Bot
// API server or a modified client could hand the bot, which must not
// trust a photo more than a document.
func (s *Server) SendRawPhoto(userID int64, data []byte, width, height int, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.photoSizeLocked(data, width, height)
	s.files[ps.FileID].sizes = []PhotoSize{ps}
	return s.userMessageLocked(userID, Message{Photo: []PhotoSize{ps}, Caption: caption})
}

func (s *Server) photoSizeLocked(data []byte, w, h int) PhotoSize {
	f := s.storeFileLocked("photo", "", "image/jpeg", data)
	return PhotoSize{FileID: f.meta.FileID, FileUniqueID: f.meta.FileUniqueID, Width: w, Height: h, FileSize: f.meta.FileSize}
}

// scale shrinks img to fit side×side by nearest neighbour: enough for a thumbnail.
func scale(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := side, b.Dy()*side/b.Dx()
	if b.Dy() > b.Dx() {
		w, h = b.Dx()*side/b.Dy(), side
	}
	w, h = max(w, 1), max(h, 1)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			out.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	return out
}

func (s *Server) storeDocumentLocked(name, ctype string, data []byte) (*Document, *apiError) {
	if len(data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	if name == "" {
		name = "document"
	}
	mt := mime.TypeByExtension(path.Ext(name))
	if mt == "" && ctype != "" && ctype != "application/octet-stream" {
		mt = ctype
	}
	if mt == "" {
		mt = http.DetectContentType(data)
	}
	mt, _, _ = strings.Cut(mt, ";")
	f := s.storeFileLocked("document", name, mt, data)
	return &Document{FileID: f.meta.FileID, FileUniqueID: f.meta.FileUniqueID, FileName: name, MimeType: mt, FileSize: f.meta.FileSize}, nil
}

// inputFile resolves a photo/document parameter: an uploaded part, a file_id
// the fake knows, or attach://<part> inside sendMediaGroup.
func (s *Server) inputFileLocked(p *params, value, field, kind string) (*Message, *apiError) {
	up := p.files[field]
	if name, ok := strings.CutPrefix(value, "attach://"); ok {
		if up = p.files[name]; up == nil {
			return nil, badRequest("can't parse InputMedia: media not found")
		}
	}
	m := &Message{}
	switch {
	case up != nil && up.tooBig:
		return nil, &apiError{code: 413, desc: "Request Entity Too Large"}
	case up != nil && kind == "photo":
		sizes, err := s.storePhotoLocked(up.data)
		m.Photo = sizes
		return m, err
	case up != nil:
		doc, err := s.storeDocumentLocked(up.name, up.ctype, up.data)
		m.Document = doc
		return m, err
	case value == "":
		return nil, badRequest("there is no " + kind + " in the request")
	case strings.HasPrefix(value, "http://") || strings.HasPrefix(value, "https://"):
		// The fake has no internet to fetch from.
		return nil, badRequest("failed to get HTTP URL content")
	}
	f, ok := s.files[value]
	switch {
	case !ok:
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	case f.kind != kind:
		return nil, badRequest("type of file mismatch")
	case kind == "photo":
		m.Photo = f.sizes
	default:
		m.Document = &Document{FileID: f.meta.FileID, FileUniqueID: f.meta.FileUniqueID, FileName: f.name, MimeType: f.mime, FileSize: f.meta.FileSize}
	}
	return m, nil
}

// serveFile answers GET /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		writeError(w, errNotFound)
		return
	}
	s.mu.Lock()
	f, ok := s.paths[filePath]
	s.mu.Unlock()
	if !ok || len(f.data) > MaxDownload {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Write(f.data)
}
