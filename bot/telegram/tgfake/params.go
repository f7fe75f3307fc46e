package tgfake

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// params holds one request's parameters however they came: query string,
// urlencoded form, multipart form or JSON body, as the real API accepts all four.
type params struct {
	ctx   context.Context
	vals  map[string]string
	files map[string]*upload
}

// upload is a multipart file part. Parts over MaxDocumentUpload are drained,
// not kept, so that the answer is an API error and not a reset connection.
type upload struct {
	name   string
	ctype  string
	data   []byte
	size   int64
	tooBig bool
}

const maxFieldSize = 1 << 20

func parseParams(r *http.Request) (*params, *apiError) {
	p := &params{vals: map[string]string{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		p.vals[k] = v[0]
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch {
	case r.Method == http.MethodGet || r.Body == nil:
	case ctype == "multipart/form-data":
		err = p.readMultipart(r)
	case ctype == "application/json":
		err = p.readJSON(r.Body)
	default:
		err = p.readForm(r)
	}
	if err != nil {
		return nil, badRequest("can't parse request: " + err.Error())
	}
	return p, nil
}

func (p *params) readForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	for k, v := range r.PostForm {
		p.vals[k] = v[0]
	}
	return nil
}

// readJSON keeps strings as they are and everything else as JSON text, which
// is what a form field carrying the same value would hold.
func (p *params) readJSON(body io.Reader) error {
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(body, 10*maxFieldSize)).Decode(&obj); err != nil {
		return err
	}
	for k, raw := range obj {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			p.vals[k] = s
		} else {
			p.vals[k] = string(raw)
		}
	}
	return nil
}

func (p *params) readMultipart(r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldSize))
			if err != nil {
				return err
			}
			p.vals[part.FormName()] = string(b)
			continue
		}
		up := &upload{name: part.FileName(), ctype: part.Header.Get("Content-Type")}
		up.data, err = io.ReadAll(io.LimitReader(part, MaxDocumentUpload+1))
		if err != nil {
			return err
		}
		up.size = int64(len(up.data))
		if up.size > MaxDocumentUpload {
			n, _ := io.Copy(io.Discard, part)
			up.size += n
			up.data, up.tooBig = nil, true
		}
		p.files[part.FormName()] = up
	}
}

// str is the parameter's value; "null" counts as absent because tgbotapi
// sends entities=null and allowed_updates=null for unset fields.
func (p *params) str(key string) string {
	v := p.vals[key]
	if v == "null" {
		return ""
	}
	return v
}

func (p *params) has(key string) bool { return p.str(key) != "" }

func (p *params) int64(key string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(p.str(key)), 10, 64)
	return v, err == nil
}

func (p *params) int(key string) int {
	v, _ := p.int64(key)
	return int(v)
}

func (p *params) bool(key string) bool {
	v, _ := strconv.ParseBool(p.str(key))
	return v
}

// json decodes a JSON-valued parameter; absent or null leaves v alone.
func (p *params) json(key string, v any) (bool, error) {
	raw := p.str(key)
	if raw == "" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), v)
}
