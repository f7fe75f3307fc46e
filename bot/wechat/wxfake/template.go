package wxfake

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// template.go: template messages (POST /cgi-bin/message/template/send).
// The account's templates are registered with their keys; a send to a
// template the account lacks gets 40037, to a follower who turned the
// account's messages off 43101, past the day's quota 45009, and a value
// that breaks its key's rule 47003. An accepted send answers its msgid and
// is followed by the TEMPLATESENDJOBFINISH receipt, posted to the
// callback URL as WeChat posts it: signed, and encrypted in safe mode.
//
// Two choices are the fake's own, WeChat documenting neither: a data key
// the template lacks is 47003 (so a configuration naming a wrong key
// fails in tests), and a client_msg_id sent again answers the first
// msgid and sends nothing.

// Template is a template message the account sent.
type Template struct {
	MsgID       int64
	ToUser      string
	TemplateID  string
	URL         string
	ClientMsgID string
	Data        map[string]string
	At          time.Time
}

// Receipt is a TEMPLATESENDJOBFINISH callback the fake posted, with how
// the service answered it.
type Receipt struct {
	MsgID  int64
	Status string // success, failed:user block, failed: system failed
	Result Result
}

// templateBook is an account's templates; guarded by s.mu.
type templateBook struct {
	keys        map[string][]string // template id → its keys
	declined    map[string]bool     // followers who refuse the account's templates
	undelivered map[string]bool     // followers whose receipts say "failed:user block"
	byClient    map[string]int64    // client_msg_id → msgid
	quota       int                 // sends a day; 0: unlimited
	day         string
	today       int
	sent        []Template
	receipts    []Receipt
}

// AddTemplate registers a template with its keys (thing1, time2,
// keyword1…): what the account chose in the MP backend.
func (a *Account) AddTemplate(id string, keys ...string) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.templates.keys == nil {
		a.templates.keys = map[string][]string{}
	}
	a.templates.keys[id] = keys
}

// DeclineTemplates makes the follower refuse the account's templates:
// every send to them gets 43101.
func (a *Account) DeclineTemplates(openID string) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.templates.declined = setTrue(a.templates.declined, openID)
}

// FailTemplateDelivery makes sends to the follower accepted, with a
// msgid, and their receipts say "failed:user block".
func (a *Account) FailTemplateDelivery(openID string) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.templates.undelivered = setTrue(a.templates.undelivered, openID)
}

// SetTemplateQuota caps the sends of one day; 0 lifts the cap.
func (a *Account) SetTemplateQuota(n int) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.templates.quota = n
}

// Templates lists the template messages sent to the follower, or to
// anyone when openID is "", oldest first.
func (a *Account) Templates(openID string) []Template {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	var out []Template
	for _, t := range a.templates.sent {
		if openID == "" || t.ToUser == openID {
			out = append(out, t)
		}
	}
	return out
}

// Receipts lists the TEMPLATESENDJOBFINISH callbacks posted so far.
func (a *Account) Receipts() []Receipt {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return append([]Receipt(nil), a.templates.receipts...)
}

func setTrue(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

// templateSend is the body of /cgi-bin/message/template/send.
type templateSend struct {
	ToUser      string `json:"touser"`
	TemplateID  string `json:"template_id"`
	URL         string `json:"url"`
	ClientMsgID string `json:"client_msg_id"`
	Data        map[string]struct {
		Value string `json:"value"`
		Color string `json:"color"` // ignored since May 2023
	} `json:"data"`
}

// handleTemplateSend sends a template message, then posts its receipt.
func (s *Server) handleTemplateSend(a *Account, w http.ResponseWriter, r *http.Request) {
	var m templateSend
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
		writeError(w, 47001, errmsg(47001))
		return
	}
	s.mu.Lock()
	t, code := a.acceptTemplate(m)
	status := "success"
	if a.templates.undelivered[m.ToUser] {
		status = "failed:user block"
	}
	s.mu.Unlock()
	if code != 0 {
		writeError(w, code, errmsg(code))
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": t.MsgID})
	if t.At.IsZero() {
		return // a send repeated with its client_msg_id: one message, one receipt
	}
	go a.postReceipt(t, status)
}

// acceptTemplate checks and records a send, or says which errcode WeChat
// answers; s.mu held. A client_msg_id sent before answers its msgid again
// and sends nothing, with a zero At.
func (a *Account) acceptTemplate(m templateSend) (Template, int) {
	tb := &a.templates
	if id, ok := tb.byClient[m.ClientMsgID]; ok && m.ClientMsgID != "" {
		return Template{MsgID: id}, 0
	}
	if code := a.refuseTemplate(m); code != 0 {
		return Template{}, code
	}
	t := Template{ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, ClientMsgID: m.ClientMsgID, Data: map[string]string{}, At: a.s.now()}
	for k, v := range m.Data {
		t.Data[k] = v.Value
	}
	a.s.seq++
	t.MsgID = 3_000_000_000 + a.s.seq
	tb.today++
	tb.sent = append(tb.sent, t)
	if m.ClientMsgID != "" {
		if tb.byClient == nil {
			tb.byClient = map[string]int64{}
		}
		tb.byClient[m.ClientMsgID] = t.MsgID
	}
	close(a.s.changed)
	a.s.changed = make(chan struct{})
	return t, 0
}

// refuseTemplate is the errcode WeChat answers a send with, 0 for none;
// s.mu held.
func (a *Account) refuseTemplate(m templateSend) int {
	tb := &a.templates
	f, following := a.followers[m.ToUser]
	keys, known := tb.keys[m.TemplateID]
	switch {
	case !following:
		return 40003
	case !f.following:
		return 43004
	case !known:
		return 40037
	case tb.declined[m.ToUser]:
		return 43101
	case m.URL != "" && !strings.HasPrefix(m.URL, "http://") && !strings.HasPrefix(m.URL, "https://"):
		return 47003
	}
	if day := a.s.now().Format("2006-01-02"); day != tb.day {
		tb.day, tb.today = day, 0
	}
	if tb.quota > 0 && tb.today >= tb.quota {
		return 45009
	}
	for k, v := range m.Data {
		if !contains(keys, k) || !fitsKey(k, v.Value) {
			return 47003
		}
	}
	return 0
}

// postReceipt posts the TEMPLATESENDJOBFINISH event a moment after the
// send, as WeChat does once it tried to deliver.
func (a *Account) postReceipt(t Template, status string) {
	a.s.mu.Lock()
	target := a.callbackURL
	a.s.mu.Unlock()
	if target == "" {
		return
	}
	c := a.newCallback(t.ToUser, field{"MsgType", "event", true}, field{"Event", "TEMPLATESENDJOBFINISH", true},
		field{"MsgID", strconv.FormatInt(t.MsgID, 10), false}, field{"Status", status, true})
	c.event = true
	res := a.Post(c)
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.templates.receipts = append(a.templates.receipts, Receipt{MsgID: t.MsgID, Status: status, Result: res})
	close(a.s.changed)
	a.s.changed = make(chan struct{})
}

// WaitForTemplate waits until the follower has had n templates.
func (a *Account) WaitForTemplate(ctx context.Context, openID string, n int) ([]Template, error) {
	for {
		a.s.mu.Lock()
		changed := a.s.changed
		a.s.mu.Unlock()
		if ts := a.Templates(openID); len(ts) >= n {
			return ts, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The rules of template values, by the type their key begins with
// (WeChat's table for typed keys; classic keywordN: 20 characters on one
// line since May 2023).
var (
	typedKey     = regexp.MustCompile(`^([a-z_]+?)\d*$`)
	numberRule   = regexp.MustCompile(`^\d+(\.\d+)?$`)
	letterRule   = regexp.MustCompile(`^[A-Za-z]+$`)
	amountRule   = regexp.MustCompile(`^[¥$€£₽]?\d{1,10}(\.\d{1,2})?元?$`)
	dateRule     = `(\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})`
	clockRule    = `(` + dateRule + ` )?\d{1,2}:\d{2}(:\d{2})?`
	timeRule     = regexp.MustCompile(`^` + clockRule + `(~` + clockRule + `)?$`)
	dateOnlyRule = regexp.MustCompile(`^` + dateRule + `( \d{1,2}:\d{2}(:\d{2})?)?$`)
)

// fitsKey reports whether WeChat takes value for the key.
func fitsKey(key, value string) bool {
	if value == "" || strings.ContainsAny(value, "\r\n") {
		return false
	}
	m := typedKey.FindStringSubmatch(key)
	if m == nil {
		return false
	}
	n := utf8.RuneCountInString(value)
	switch m[1] {
	case "thing", "keyword":
		return n <= 20
	case "character_string":
		return n <= 32 && !strings.ContainsFunc(value, func(r rune) bool { return r <= ' ' || r > '~' })
	case "number":
		return n <= 32 && numberRule.MatchString(value)
	case "letter":
		return n <= 32 && letterRule.MatchString(value)
	case "phrase":
		return n <= 5 && !strings.ContainsFunc(value, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
	case "amount":
		return amountRule.MatchString(value)
	case "time":
		return timeRule.MatchString(value)
	case "date":
		return dateOnlyRule.MatchString(value)
	}
	return false
}
