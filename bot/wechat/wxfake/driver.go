package wxfake

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// driver.go: the fake plays the followers. A person's action (a message,
// an image, a follow, a menu tap) opens their customer-service window on
// the fake and is posted to the account's callback URL as WeChat posts it:
// signed, encrypted in safe mode, tried again when no answer comes.

// User is a follower of the account.
type User struct {
	a      *Account
	OpenID string
}

// User returns a follower, following the account from now on.
func (a *Account) User(openID string) *User {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if f := a.followers[openID]; f != nil {
		f.following = true
	} else {
		a.followers[openID] = &follower{following: true}
	}
	return &User{a: a, OpenID: openID}
}

// SendText writes a text message to the account.
func (u *User) SendText(text string) Result {
	u.a.act(u.OpenID, true)
	return u.a.Post(u.TextCallback(text))
}

// TextCallback builds the callback of a text message without posting it
// or opening a window: to post it twice, alter or re-sign it.
func (u *User) TextCallback(text string) *Callback {
	return u.a.newCallback(u.OpenID, field{"MsgType", "text", true}, field{"Content", text, true},
		field{"MsgId", u.a.s.msgID(), false})
}

// SendImage sends a picture; like WeChat, the fake keeps it as temporary
// media the account downloads by MediaId.
func (u *User) SendImage(data []byte) Result {
	u.a.act(u.OpenID, true)
	u.a.s.mu.Lock()
	id := u.a.addMedia("image", "image.jpg", data)
	u.a.s.mu.Unlock()
	return u.a.Post(u.a.newCallback(u.OpenID, field{"MsgType", "image", true},
		field{"PicUrl", u.a.s.URL() + "/mmbiz_jpg/" + id, true}, field{"MediaId", id, true},
		field{"MsgId", u.a.s.msgID(), false}))
}

// Subscribe follows the account: 3 messages within a minute may answer.
func (u *User) Subscribe() Result { return u.event("subscribe", "", true) }

// Unsubscribe stops following: nothing reaches the follower any more.
func (u *User) Unsubscribe() Result {
	u.a.s.mu.Lock()
	if f := u.a.followers[u.OpenID]; f != nil {
		f.following = false
	}
	u.a.s.mu.Unlock()
	return u.a.Post(u.a.newCallback(u.OpenID, field{"MsgType", "event", true}, field{"Event", "unsubscribe", true}))
}

// Click taps a click button of the account menu with its key.
func (u *User) Click(key string) Result { return u.event("CLICK", key, true) }

// View taps a link button of the account menu; it opens no window.
func (u *User) View(link string) Result { return u.event("VIEW", link, false) }

func (u *User) event(event, key string, opens bool) Result {
	if opens {
		u.a.act(u.OpenID, false)
	}
	return u.a.Post(u.EventCallback(event, key))
}

// EventCallback builds the callback of an event (subscribe, CLICK…)
// without posting it or opening a window.
func (u *User) EventCallback(event, key string) *Callback {
	fields := []field{{"MsgType", "event", true}, {"Event", event, true}}
	if key != "" || event != "subscribe" {
		fields = append(fields, field{"EventKey", key, true})
	}
	return u.a.newCallback(u.OpenID, fields...)
}

// Act posts a callback made earlier (TextCallback, EventCallback) as the
// follower's action now: their window opens as WeChat opens it for a
// message or an event, then the callback is posted. Post alone sends it
// without acting: a retry, or a replay.
func (u *User) Act(c *Callback) Result {
	u.a.act(u.OpenID, !c.event)
	return u.a.Post(c)
}

// act opens the follower's window as WeChat does for a message or event.
func (a *Account) act(openID string, message bool) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.actLocked(openID, message)
}

func (s *Server) msgID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return strconv.FormatInt(24_000_000_000_000_000+s.seq, 10)
}

// Callback is one POST as WeChat makes it.
type Callback struct {
	a         *Account
	event     bool
	OpenID    string
	XML       string // the message in plaintext
	Timestamp int64
	Nonce     string
	Query     url.Values // signature, timestamp, nonce, openid (+ encrypt_type, msg_signature)
	Body      []byte
}

type field struct {
	name, value string
	cdata       bool
}

func (a *Account) newCallback(openID string, fields ...field) *Callback {
	now := time.Now()
	var b strings.Builder
	b.WriteString("<xml>")
	writeField(&b, field{"ToUserName", a.OriginalID, true})
	writeField(&b, field{"FromUserName", openID, true})
	writeField(&b, field{"CreateTime", strconv.FormatInt(a.s.Now().Unix(), 10), false})
	for _, f := range fields {
		writeField(&b, f)
	}
	b.WriteString("</xml>")
	c := &Callback{a: a, OpenID: openID, XML: b.String()}
	for _, f := range fields {
		c.event = c.event || (f.name == "MsgType" && f.value == "event")
	}
	c.Resign(now)
	return c
}

func writeField(b *strings.Builder, f field) {
	fmt.Fprintf(b, "<%s>", f.name)
	if f.cdata {
		// "]]>" cannot stand inside CDATA: close and reopen around it.
		b.WriteString("<![CDATA[" + strings.ReplaceAll(f.value, "]]>", "]]]]><![CDATA[>") + "]]>")
	} else {
		b.WriteString(f.value)
	}
	fmt.Fprintf(b, "</%s>", f.name)
}

// Resign signs the callback again as of at, with a new nonce (and, in safe
// mode, a new ciphertext): a request captured then and replayed now. Like
// WeChat, the fake signs the query (signature) and, in safe mode, the
// ciphertext too (msg_signature); its retries (Post) send the very same
// request again, timestamp and nonce included.
func (c *Callback) Resign(at time.Time) {
	c.Timestamp, c.Nonce = at.Unix(), randomHex(5)
	c.sign(c.a.AppID)
}

// SealFor encrypts the callback again as sealed for another AppID, with the
// account's key, token, timestamp and nonce: what an account sharing them
// would receive. Safe mode only.
func (c *Callback) SealFor(appID string) { c.sign(appID) }

func (c *Callback) sign(appID string) {
	ts := strconv.FormatInt(c.Timestamp, 10)
	c.Query = url.Values{
		"signature": {Signature(c.a.Token, ts, c.Nonce)},
		"timestamp": {ts},
		"nonce":     {c.Nonce},
		"openid":    {c.OpenID},
	}
	c.Body = []byte(c.XML)
	if !c.a.Encrypted {
		return
	}
	sealed, err := Encrypt(c.a.AESKey, appID, []byte(c.XML))
	if err != nil {
		panic(err) // the account's own key: cannot be malformed
	}
	c.Query.Set("encrypt_type", "aes")
	c.Query.Set("msg_signature", Signature(c.a.Token, ts, c.Nonce, sealed))
	var b strings.Builder
	b.WriteString("<xml>")
	writeField(&b, field{"ToUserName", c.a.OriginalID, true})
	writeField(&b, field{"Encrypt", sealed, true})
	b.WriteString("</xml>")
	c.Body = []byte(b.String())
}

// Result is how the service answered a callback.
type Result struct {
	Status  int
	Body    string
	Tries   int           // WeChat tries again after 5 s without an answer, 3 times in all
	Elapsed time.Duration // until the last answer
	Err     error         // the last try's transport error, if no answer came
	// Reply is the passive reply the body carried, if any (decrypted in
	// safe mode); ServiceError is true when WeChat would show the follower
	// "该公众号暂时无法提供服务" (an answer it cannot use).
	Reply        *Message
	ServiceError bool
}

// Post sends a callback to the account's URL as WeChat does: up to
// CallbackTries times while no 200 answer comes within CallbackTimeout.
func (a *Account) Post(c *Callback) Result {
	a.s.mu.Lock()
	target := a.callbackURL
	a.s.mu.Unlock()
	var res Result
	for res.Tries < CallbackTries {
		res.Tries++
		start := time.Now()
		resp, err := a.s.client.Post(target+"?"+c.Query.Encode(), "text/xml", bytes.NewReader(c.Body))
		res.Elapsed = time.Since(start)
		res.Err = err
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		res.Status, res.Body = resp.StatusCode, string(body)
		if resp.StatusCode == http.StatusOK {
			a.readReply(c, &res)
			return res
		}
	}
	res.ServiceError = true
	return res
}

// readReply makes sense of a 200 answer as WeChat would.
func (a *Account) readReply(c *Callback, res *Result) {
	body := strings.TrimSpace(res.Body)
	if body == "" || body == "success" {
		return
	}
	var env struct {
		Encrypt    string `xml:"Encrypt"`
		MsgType    string `xml:"MsgType"`
		Content    string `xml:"Content"`
		ToUserName string `xml:"ToUserName"`
	}
	if err := xml.Unmarshal([]byte(body), &env); err != nil {
		res.ServiceError = true
		return
	}
	if env.Encrypt != "" {
		plain, err := Decrypt(a.AESKey, a.AppID, env.Encrypt)
		if err != nil || len(plain) == 0 {
			res.ServiceError = true // an encrypted empty reply shows the error too
			return
		}
		env.Encrypt = ""
		if err := xml.Unmarshal(plain, &env); err != nil {
			res.ServiceError = true
			return
		}
	}
	if env.MsgType == "" || env.ToUserName != c.OpenID || (env.MsgType == "text" && env.Content == "") {
		res.ServiceError = true
		return
	}
	res.Reply = &Message{ToUser: c.OpenID, Type: env.MsgType, Text: env.Content, At: a.s.Now()}
}

// VerifyURL does what the MP backend does when the server URL is saved: a
// signed GET with an echostr the service must echo.
func (a *Account) VerifyURL(ctx context.Context) (bool, error) {
	a.s.mu.Lock()
	target := a.callbackURL
	a.s.mu.Unlock()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce, echo := randomHex(5), randomHex(10)
	q := url.Values{"signature": {Signature(a.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"?"+q.Encode(), nil)
	if err != nil {
		return false, err
	}
	resp, err := a.s.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	return resp.StatusCode == http.StatusOK && string(body) == echo, err
}

// WaitForMessage waits until a message to the follower recorded after
// seq matches.
func (a *Account) WaitForMessage(ctx context.Context, openID string, after int64, match func(Message) bool) (Message, error) {
	for {
		a.s.mu.Lock()
		for _, m := range a.sent {
			if m.ToUser == openID && m.Seq > after && match(m) {
				a.s.mu.Unlock()
				return m, nil
			}
		}
		changed := a.s.changed
		a.s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("wait for a message to %s: %w", openID, ctx.Err())
		}
	}
}

// LastSeq is the sequence number of the newest recorded message, for
// waits that must look past what was sent so far.
func (a *Account) LastSeq() int64 {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return a.s.seq
}
