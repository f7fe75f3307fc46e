package tgfake

import (
	"encoding/json"
	"strconv"
)

func init() {
	register("sendPhoto", (*Server).sendPhoto, false)
	register("sendDocument", (*Server).sendDocument, false)
	register("sendMediaGroup", (*Server).sendMediaGroup, false)
	register("getFile", (*Server).getFile, false)
}

func (s *Server) sendPhoto(p *params) (any, *apiError) { return s.sendFile(p, "photo") }

func (s *Server) sendDocument(p *params) (any, *apiError) { return s.sendFile(p, "document") }

func (s *Server) sendFile(p *params, kind string) (any, *apiError) {
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, err
	}
	text, ents, err := caption(p)
	if err != nil {
		return nil, err
	}
	pl, err := s.placeLocked(c, p)
	if err != nil {
		return nil, err
	}
	media, err := s.inputFileLocked(p, p.str(kind), kind, kind)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(c); err != nil {
		return nil, err
	}
	m := s.botMessage(pl)
	m.Photo, m.Document, m.Caption, m.CaptionEntities = media.Photo, media.Document, text, ents
	return s.appendLocked(c, m), nil
}

type inputMedia struct {
	Type            string          `json:"type"`
	Media           string          `json:"media"`
	Caption         string          `json:"caption"`
	ParseMode       string          `json:"parse_mode"`
	CaptionEntities []MessageEntity `json:"caption_entities"`
}

func (s *Server) sendMediaGroup(p *params) (any, *apiError) {
	c, err := s.targetLocked(p)
	if err != nil {
		return nil, err
	}
	var items []inputMedia
	if ok, jerr := p.json("media", &items); jerr != nil {
		return nil, badRequest("can't parse media JSON object")
	} else if !ok {
		return nil, badRequest("parameter \"media\" is required")
	}
	if err := checkAlbum(items); err != nil {
		return nil, err
	}
	pl, err := s.placeLocked(c, p)
	if err != nil {
		return nil, err
	}
	if pl.inline != nil || pl.keyboard != nil {
		return nil, badRequest("reply markup is not supported for media groups")
	}
	contents := make([]*Message, len(items))
	for i, it := range items {
		if contents[i], err = s.albumItemLocked(p, it); err != nil {
			return nil, err
		}
	}
	// An album counts as one send: Telegram's per-message accounting of
	// albums is not documented.
	if err := s.admitLocked(c); err != nil {
		return nil, err
	}
	group := strconv.FormatInt(1_000_000_000_000+s.nextSeqLocked(), 10)
	out := make([]Message, len(items))
	for i, content := range contents {
		m := s.botMessage(pl)
		m.MediaGroupID, m.Photo, m.Document = group, content.Photo, content.Document
		m.Caption, m.CaptionEntities = content.Caption, content.CaptionEntities
		out[i] = s.appendLocked(c, m)
	}
	return out, nil
}

func (s *Server) albumItemLocked(p *params, it inputMedia) (*Message, *apiError) {
	cp := &params{vals: map[string]string{"caption": it.Caption, "parse_mode": it.ParseMode}}
	if it.CaptionEntities != nil {
		b, _ := json.Marshal(it.CaptionEntities)
		cp.vals["caption_entities"] = string(b)
	}
	text, ents, err := caption(cp)
	if err != nil {
		return nil, err
	}
	m, err := s.inputFileLocked(p, it.Media, "", it.Type)
	if err != nil {
		return nil, err
	}
	m.Caption, m.CaptionEntities = text, ents
	return m, nil
}

// checkAlbum applies sendMediaGroup's shape rules: 2–10 items, photos (or
// videos) together, documents only with documents.
func checkAlbum(items []inputMedia) *apiError {
	if len(items) < 2 || len(items) > 10 {
		return badRequest("wrong number of media specified: must be between 2 and 10")
	}
	docs := 0
	for _, it := range items {
		switch it.Type {
		case "photo":
		case "document":
			docs++
		default:
			// The fake stores photos and documents only; Indigo sends nothing else.
			return badRequest("can't parse InputMedia: unsupported media type \"" + it.Type + "\"")
		}
	}
	if docs != 0 && docs != len(items) {
		return badRequest("document can't be mixed with other media types")
	}
	return nil
}

func (s *Server) getFile(p *params) (any, *apiError) {
	f, ok := s.files[p.str("file_id")]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if f.meta.FileSize > MaxDownload {
		return nil, badRequest("file is too big")
	}
	return f.meta, nil
}
