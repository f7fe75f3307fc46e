package wechat

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// callback.go: the endpoint WeChat posts to. Every request must carry a
// valid signature made within timestampWindow, with a (timestamp, nonce)
// not used before for anything else; in safe mode it must be encrypted,
// with a valid msg_signature (verify.go). A request that fails any of it
// gets 403 and changes nothing. A good one is stored once under WeChat's
// dedupe key and answered "success" at once: the real answer follows as
// customer-service messages, well past WeChat's 5-second deadline if need be.

const (
	// maxCallbackSize bounds a body; real callbacks are a few KB.
	maxCallbackSize = 64 << 10
	// handleTimeout bounds handling one callback, WB token checks included.
	handleTimeout = 2 * time.Minute
	// maxAttempts: a callback the engine fails on this often is given up,
	// with an apology to the follower.
	maxAttempts = 5
)

// The windows a follower's action opens (WeChat's table since 2023).
const (
	messageQuota  = 5
	messageWindow = 48 * time.Hour
	eventQuota    = 3
	eventWindow   = time.Minute
)

// ServeHTTP is the callback endpoint: GET verifies the server URL
// (echostr), POST delivers a message or event.
func (b *intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !b.signed(q) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	switch r.Method {
	case http.MethodGet:
		b.verifyURL(w, r, q)
	case http.MethodPost:
		b.receive(w, r, q)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verifyURL echoes the echostr, once per signed pair: the GET's signature
// is the same kind a POST carries, so a captured one must not sign a body.
func (b *Bot) verifyURL(w http.ResponseWriter, r *http.Request, q url.Values) {
	echo := q.Get("echostr")
	if echo == "" {
		http.Error(w, "no echostr", http.StatusBadRequest)
		return
	}
	use, err := b.useNonce(r.Context(), q, http.MethodGet, []byte(echo))
	if err != nil {
		b.log.Error("wechat: verify url", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if use == nonceReplay {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, echo)
}

func (b *intake) receive(w http.ResponseWriter, r *http.Request, q url.Values) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackSize))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	raw, msg, err := b.parse(q, body)
	if errors.Is(err, errForged) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if err != nil {
		http.Error(w, "bad callback", http.StatusBadRequest)
		return
	}
	err = b.record(r.Context(), q, msg, raw)
	if errors.Is(err, errReplayed) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if err != nil {
		// Not stored: a 500 makes WeChat try again.
		b.log.Error("wechat: store callback", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	// Never a passive reply: in safe mode silenceper would encrypt an
	// empty one, which WeChat shows as an error.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "success")
}

// parse opens a callback's body (open) and reads its XML, which must name
// the sender: all receive takes from a request before the database.
func (b *Bot) parse(q url.Values, body []byte) (raw []byte, msg *message.MixMessage, err error) {
	if raw, err = b.open(q, body); err != nil {
		return nil, nil, err
	}
	msg = new(message.MixMessage)
	if err := xml.Unmarshal(raw, msg); err != nil {
		return nil, nil, fmt.Errorf("parse callback: %w", err)
	}
	if msg.FromUserName == "" {
		return nil, nil, errors.New("parse callback: no FromUserName")
	}
	return raw, msg, nil
}

// kinds of callbacks, by what they open and whether the engine reads them.
func isMessage(m *message.MixMessage) bool {
	return m.MsgType != message.MsgTypeEvent
}

func opensEventWindow(m *message.MixMessage) bool {
	return m.MsgType == message.MsgTypeEvent && slices.Contains([]message.EventType{
		message.EventSubscribe, message.EventScan, message.EventClick,
		message.EventScancodePush, message.EventScancodeWaitmsg,
	}, m.Event)
}

// dedupeKey is WeChat's advice: MsgId for messages, FromUserName and
// CreateTime for events (the event and its key keep two taps apart).
func dedupeKey(m *message.MixMessage) string {
	if m.MsgID != 0 {
		return "msg:" + strconv.FormatInt(m.MsgID, 10)
	}
	return fmt.Sprintf("evt:%s:%d:%s:%s", m.FromUserName, m.CreateTime, m.Event, m.EventKey)
}

// record uses the request's signed pair and stores the callback once, in
// one transaction, and opens the follower's window; a new one is then
// handled in the background. A pair used before for the same callback is
// a retry of one stored then: nothing more to do.
func (b *intake) record(ctx context.Context, q url.Values, m *message.MixMessage, raw []byte) error {
	openID, key := string(m.FromUserName), dedupeKey(m)
	isNew := false
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		switch use, err := b.useNonce(ctx, q, http.MethodPost, raw); {
		case err != nil:
			return err
		case use == nonceReplay:
			return errReplayed
		case use == nonceRepeat:
			return nil
		}
		if m.MsgType == message.MsgTypeEvent && m.Event == message.EventTemplateSendJobFinish {
			return b.finishTemplate(ctx, m.TemplateMsgID, m.Status) // template.go
		}
		if !isMessage(m) && !opensEventWindow(m) {
			return nil // VIEW, LOCATION…: nothing to do
		}
		var err error
		if isNew, err = b.store.ReceiveCallback(ctx, key, openID, raw); err != nil || !isNew {
			return err
		}
		now := b.cfg.Now()
		if isMessage(m) {
			if err := b.store.ReachedFollower(ctx, openID); err != nil {
				return err
			}
			return b.store.OpenWindow(ctx, openID, now, now.Add(messageWindow), messageQuota, true)
		}
		return b.store.OpenWindow(ctx, openID, now, now.Add(eventWindow), eventQuota, false)
	})
	if err != nil || !isNew {
		return err
	}
	select {
	case b.work <- struct{}{}:
		b.goHandle(key)
	default:
		// Every worker is busy: the sweep takes it up shortly.
	}
	return nil
}

// goHandle handles a callback in the background; the caller holds a work slot.
func (b *intake) goHandle(key string) {
	b.wg.Add(1)
	go func() {
		defer func() { <-b.work; b.wg.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), handleTimeout)
		defer cancel()
		b.handleGuarded(ctx, key) // guard.go
	}()
}

// takeSlot waits for a free work slot; false when ctx ended first.
func (b *Bot) takeSlot(ctx context.Context) bool {
	select {
	case b.work <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// goAnswer sends what a follower is owed in the background, as the sweep
// finds it; the caller holds a work slot.
func (b *Bot) goAnswer(openID string) {
	b.wg.Add(1)
	go func() {
		defer func() { <-b.work; b.wg.Done() }()
		err := domain.Recovered(func() error {
			b.answer(context.Background(), openID, nil, false)
			return nil
		})
		if err != nil {
			b.log.Error("wechat: answer from the sweep", "openid", openID, "err", err)
		}
	}()
}

// handle runs one stored callback through the engine, in one transaction
// with marking it handled and keeping the replies, then sends them and
// what was held.
// errHandledElsewhere rolls a turn back whose callback another worker
// handled meanwhile: only the worker that marks it handled commits it.
var errHandledElsewhere = errors.New("wechat callback handled elsewhere")

func (b *intake) handle(ctx context.Context, key string) {
	var (
		openID string
		act    action
	)
	var in conversations.Input
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		raw, ok, err := b.store.ClaimCallback(ctx, key)
		if err != nil || !ok {
			return err // handled already, or another worker has it
		}
		var m message.MixMessage
		if err := xml.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("parse stored callback: %w", err)
		}
		openID = string(m.FromUserName)
		in, act = b.input(&m)
		if act != actRun {
			return b.store.MarkCallbackHandled(ctx, key)
		}
		in, err = b.pickFromMenu(ctx, in)
		return err
	})
	if err == nil && act == actRun && openID != "" {
		// The turn runs in its own transaction, which may be rolled back
		// and run again around remote calls (a token check, the image):
		// the callback is claimed again in it, its answer kept and the
		// callback marked handled, all committing with the turn.
		_, err = b.engine.HandleWithin(ctx, in, func(ctx context.Context, replies []conversations.Reply) error {
			if _, ok, err := b.store.ClaimCallback(ctx, key); err != nil || !ok {
				return errors.Join(err, errHandledElsewhere)
			}
			// Kept with the turn: a crash after the commit leaves them to
			// another replica's sweep instead of losing them (held.go).
			if err := b.keepReplies(ctx, openID, replies); err != nil {
				return err
			}
			return b.store.MarkCallbackHandled(ctx, key)
		})
		if errors.Is(err, errHandledElsewhere) {
			return // another worker took it up and answered it
		}
	}
	if err != nil {
		b.failed(ctx, key, openID, err)
		return
	}
	if openID != "" {
		// The follower acted, so their window is open: the replies go, and
		// what was held for them.
		b.answer(ctx, openID, nil, act == actShowHeld)
	}
}

// failed counts a failed attempt; the sweep tries again later, until
// maxAttempts, when the follower hears that it could not be done.
func (b *Bot) failed(ctx context.Context, key, openID string, cause error) {
	b.log.Error("wechat: handle callback", "key", key, "err", cause)
	// The attempt may have failed by running out of time: the bookkeeping
	// gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	attempts, err := b.store.CallbackFailed(ctx, key, cause.Error())
	if err != nil {
		b.log.Error("wechat: record failed callback", "key", key, "err", err)
		return
	}
	if attempts < maxAttempts {
		return
	}
	b.log.Error("wechat: callback given up", "key", key, "attempts", attempts)
	if err := b.store.MarkCallbackHandled(ctx, key); err != nil {
		b.log.Error("wechat: give up callback", "key", key, "err", err)
		return
	}
	if openID != "" {
		sorry := conversations.Reply{Text: b.localizer(ctx, openID).T("error.internal")}
		b.answer(ctx, openID, []conversations.Reply{sorry}, false)
	}
}

// action is what a callback asks of the bot.
type action int

const (
	actRun      action = iota // the engine reads it
	actShowHeld               // "0": show what was held
	actIgnore                 // nothing for the engine (a menu key it does not know…)
)

// input turns a callback into what the engine reads.
func (b *Bot) input(m *message.MixMessage) (in conversations.Input, act action) {
	openID := string(m.FromUserName)
	in = conversations.Input{Channel: domain.ChannelWeChat, ChatID: openID, UserID: openID}
	if m.MsgID != 0 {
		in.MessageID = strconv.FormatInt(m.MsgID, 10)
	}
	switch m.MsgType {
	case message.MsgTypeText:
		in.Text = m.Content
		if strings.TrimSpace(in.Text) == showHeld {
			return in, actShowHeld
		}
	case message.MsgTypeVoice:
		in.Text = m.Recognition // WeChat's speech recognition, when the account has it on
	case message.MsgTypeImage:
		in.Files = []conversations.File{b.mediaFile(m.MediaID)}
	case message.MsgTypeEvent:
		switch m.Event {
		case message.EventSubscribe:
			// Followed through a parametric QR code: the scene is the payload.
			in.Text = strings.TrimSpace("/start " + strings.TrimPrefix(m.EventKey, "qrscene_"))
		case message.EventScan:
			in.Text = strings.TrimSpace("/start " + m.EventKey)
		case message.EventClick:
			if !slices.Contains(conversations.Commands(), m.EventKey) {
				return in, actIgnore
			}
			in.Text = "/" + m.EventKey
		default:
			return in, actIgnore
		}
	}
	// Video, location, link: the engine answers with help or the step's question.
	return in, actRun
}

// pickFromMenu turns a typed number into the button it stands for in the
// numbered choices the follower saw last.
func (b *Bot) pickFromMenu(ctx context.Context, in conversations.Input) (conversations.Input, error) {
	n, err := strconv.Atoi(strings.TrimSpace(in.Text))
	if err != nil || n < 1 {
		return in, nil
	}
	menu, err := b.store.Menu(ctx, in.ChatID)
	if err != nil {
		return in, err
	}
	if n <= len(menu) && menu[n-1] != "" {
		in.Button, in.Text = menu[n-1], ""
	}
	return in, nil
}
