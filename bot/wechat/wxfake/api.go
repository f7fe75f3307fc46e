package wxfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// api.go: the endpoints the service calls. Every answer is HTTP 200 with
// JSON; an error is {"errcode": N, "errmsg": "…"}, as on WeChat.

// handleToken is GET /cgi-bin/token?grant_type=client_credential&appid=&secret=.
// A new token leaves the older ones working for TokenGrace only.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("grant_type") != "client_credential" {
		writeError(w, 40002, errmsg(40002))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[q.Get("appid")]
	if !ok {
		writeError(w, 40013, errmsg(40013))
		return
	}
	if q.Get("secret") != a.AppSecret {
		writeError(w, 40125, errmsg(40125))
		return
	}
	if f, ok := a.takeFault(r.URL.Path); ok {
		f.write(w)
		return
	}
	now := s.now()
	for _, t := range s.tokens {
		if t.acct == a && t.expires.After(now.Add(TokenGrace)) {
			t.expires = now.Add(TokenGrace)
		}
	}
	tok := "AT_" + randomHex(40)
	s.tokens[tok] = &accessToken{acct: a, expires: now.Add(a.ttl)}
	a.fetches++
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(a.ttl / 1e9)})
}

// api checks the access_token of a call and finds its account; then an
// injected failure, if any, answers instead of the endpoint.
func (s *Server) api(h func(a *Account, w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("access_token")
		s.mu.Lock()
		t, ok := s.tokens[tok]
		var f fault
		var failed bool
		switch {
		case tok == "":
			s.mu.Unlock()
			writeError(w, 41001, errmsg(41001))
			return
		case !ok || t.revoked:
			s.mu.Unlock()
			writeError(w, 40001, errmsg(40001))
			return
		case !s.now().Before(t.expires):
			s.mu.Unlock()
			writeError(w, 42001, errmsg(42001))
			return
		}
		f, failed = t.acct.takeFault(r.URL.Path)
		s.mu.Unlock()
		if failed && !f.pass {
			f.write(w)
			return
		}
		h(t.acct, w, r)
	}
}

// customMessage is the body of /cgi-bin/message/custom/send.
type customMessage struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image *struct {
		MediaID string `json:"media_id"`
	} `json:"image"`
}

// handleCustomSend sends a customer-service message within the follower's
// window: 45015 outside it, 45047 once its quota is spent.
func (s *Server) handleCustomSend(a *Account, w http.ResponseWriter, r *http.Request) {
	var m customMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
		writeError(w, 47001, errmsg(47001))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	f, ok := a.followers[m.ToUser]
	switch {
	case !ok:
		writeError(w, 40003, errmsg(40003))
		return
	case !f.following || !now.Before(f.closes):
		writeError(w, 45015, errmsg(45015))
		return
	case f.used >= f.quota:
		writeError(w, 45047, errmsg(45047))
		return
	}
	msg := Message{ToUser: m.ToUser, Type: m.MsgType, At: now}
	switch {
	case m.MsgType == "text" && m.Text != nil:
		if m.Text.Content == "" {
			writeError(w, 44004, errmsg(44004))
			return
		}
		if len(m.Text.Content) > MaxTextSize {
			writeError(w, 45002, errmsg(45002))
			return
		}
		msg.Text = m.Text.Content
	case m.MsgType == "image" && m.Image != nil:
		md, ok := a.media[m.Image.MediaID]
		if !ok || md.kind != "image" || now.Sub(md.uploaded) > MediaLifetime {
			writeError(w, 40007, errmsg(40007))
			return
		}
		msg.MediaID, msg.Image = m.Image.MediaID, md.data
	default:
		writeError(w, 40008, errmsg(40008))
		return
	}
	f.used++
	a.record(msg)
	writeError(w, 0, "ok")
}

// handleMediaUpload stores a temporary media file sent as the multipart
// field "media".
func (s *Server) handleMediaUpload(a *Account, w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("type")
	switch kind {
	case "image", "voice", "video", "thumb":
	default:
		writeError(w, 40004, errmsg(40004))
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, 44002, errmsg(44002))
		return
	}
	file, hdr, err := r.FormFile("media")
	if err != nil {
		writeError(w, 44002, errmsg(44002))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil || len(data) == 0 {
		writeError(w, 44002, errmsg(44002))
		return
	}
	if kind == "image" && len(data) > MaxImageSize {
		writeError(w, 40009, errmsg(40009))
		return
	}
	s.mu.Lock()
	id := a.addMedia(kind, hdr.Filename, data)
	created := a.media[id].uploaded.Unix()
	s.mu.Unlock()
	writeJSON(w, map[string]any{"type": kind, "media_id": id, "created_at": created})
}

// addMedia stores a file and returns its media id; s.mu held.
func (a *Account) addMedia(kind, name string, data []byte) string {
	id := "MEDIA_" + randomHex(16)
	a.media[id] = &media{kind: kind, name: name, data: data, uploaded: a.s.now()}
	return id
}

// handleMediaGet downloads a temporary media file; an unknown or expired
// id is a JSON error with HTTP 200, as on WeChat.
func (s *Server) handleMediaGet(a *Account, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	md, ok := a.media[r.URL.Query().Get("media_id")]
	expired := ok && s.now().Sub(md.uploaded) > MediaLifetime
	s.mu.Unlock()
	if !ok || expired {
		writeError(w, 40007, errmsg(40007))
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(md.data))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", md.name))
	w.Header().Set("Content-Length", strconv.Itoa(len(md.data)))
	_, _ = w.Write(md.data)
}

// handleMenuCreate sets the default menu: 1–3 buttons of at most 16
// bytes, each with at most 5 sub-buttons of at most 60 bytes.
func (s *Server) handleMenuCreate(a *Account, w http.ResponseWriter, r *http.Request) {
	var body struct {
		Button []MenuButton `json:"button"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, 47001, errmsg(47001))
		return
	}
	if code := checkMenu(body.Button); code != 0 {
		writeError(w, code, errmsg(code))
		return
	}
	s.mu.Lock()
	a.menu = body.Button
	a.menuCreates++
	s.mu.Unlock()
	writeError(w, 0, "ok")
}

// handleMenuConditional adds a menu for followers matching a rule.
func (s *Server) handleMenuConditional(a *Account, w http.ResponseWriter, r *http.Request) {
	var body struct {
		Button    []MenuButton      `json:"button"`
		MatchRule map[string]string `json:"matchrule"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || len(body.MatchRule) == 0 {
		writeError(w, 47001, errmsg(47001))
		return
	}
	// WeChat no longer matches on what it counts as private data: a rule
	// with any of these is refused (since 2021; only tags and the phone's
	// system remain).
	for _, private := range []string{"sex", "country", "province", "city", "language"} {
		if body.MatchRule[private] != "" {
			writeError(w, 65320, errmsg(65320))
			return
		}
	}
	if code := checkMenu(body.Button); code != 0 {
		writeError(w, code, errmsg(code))
		return
	}
	s.mu.Lock()
	a.conditional = append(a.conditional, ConditionalMenu{Rule: body.MatchRule, Buttons: body.Button})
	s.seq++
	id := s.seq
	s.mu.Unlock()
	writeJSON(w, map[string]any{"menuid": id})
}

// handleMenuDelete removes the default menu and every conditional one.
func (s *Server) handleMenuDelete(a *Account, w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	a.menu, a.conditional = nil, nil
	s.mu.Unlock()
	writeError(w, 0, "ok")
}

func checkMenu(buttons []MenuButton) int {
	if len(buttons) == 0 || len(buttons) > 3 {
		return 40016
	}
	for _, b := range buttons {
		if b.Name == "" || len(b.Name) > 16 {
			return 40018
		}
		if len(b.SubButtons) > 5 {
			return 40023
		}
		if len(b.SubButtons) == 0 {
			if code := checkLeaf(b); code != 0 {
				return code
			}
		}
		for _, sb := range b.SubButtons {
			if sb.Name == "" || len(sb.Name) > 60 {
				return 40025
			}
			if code := checkLeaf(sb); code != 0 {
				return code
			}
		}
	}
	return 0
}

func checkLeaf(b MenuButton) int {
	switch {
	case b.Type == "click" && (b.Key == "" || len(b.Key) > 128):
		return 40019
	case b.Type == "view" && b.URL == "":
		return 40017
	case b.Type != "click" && b.Type != "view":
		return 40017
	}
	return 0
}
