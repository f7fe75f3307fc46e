package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
	"github.com/indigo-warehouse/indigo/storage"
)

const demoWeChatOpenID = "oDemoWangFang"

// demoWeChat is the demo's WeChat pane: an Official Account on the fake
// platform and one follower, Wang Fang.
type demoWeChat struct {
	srv   *wxfake.Server
	owned bool
	acct  *wxfake.Account
	user  *wxfake.User
	db    *storage.DB // the service's, once it runs (demo_template.go)

	mu   sync.Mutex // serialises the follower's posts and guards said
	said []demoWXMessage
}

type demoWXMessage struct {
	Seq     int64     `json:"seq"`
	FromBot bool      `json:"from_bot"`
	Text    string    `json:"text"`
	Image   string    `json:"image,omitempty"`
	At      time.Time `json:"at"`
}

type demoWXButton struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type demoWeChatState struct {
	Follower string          `json:"follower"`
	Messages []demoWXMessage `json:"messages"`
	Menu     []demoWXButton  `json:"menu"`
}

// startDemoWeChat makes the account on srv, or on a fake platform of its
// own when srv is nil, and adds its settings for the service.
func startDemoWeChat(srv *wxfake.Server, settings map[string]string) *demoWeChat {
	owned := srv == nil
	if owned {
		srv = wxfake.New()
	}
	w := &demoWeChat{srv: srv, owned: owned, acct: srv.NewAccount(wxfake.AccountOptions{})}
	settings["WECHAT_APP_ID"] = w.acct.AppID
	settings["WECHAT_APP_SECRET"] = w.acct.AppSecret
	settings["WECHAT_TOKEN"] = w.acct.Token
	settings["WECHAT_API_BASE_URL"] = srv.URL()
	addDemoTemplates(w.acct, settings)
	return w
}

// connect points the account's callbacks at the running service.
func (w *demoWeChat) connect(publicURL string, db *storage.DB) {
	if w == nil {
		return
	}
	w.db = db
	w.acct.SetCallbackURL(publicURL + "/wechat")
	w.user = w.acct.User(demoWeChatOpenID)
}

func (w *demoWeChat) close() {
	if w != nil && w.owned {
		w.srv.Close()
	}
}

func (w *demoWeChat) mount(mux *http.ServeMux) {
	if w == nil {
		return
	}
	mux.HandleFunc("POST /demo/api/wechat", w.handleAction)
	mux.HandleFunc("GET /demo/wx/{seq}", w.handleImage)
}

func (w *demoWeChat) state() *demoWeChatState {
	if w == nil {
		return nil
	}
	st := &demoWeChatState{Follower: "Wang Fang", Messages: []demoWXMessage{}}
	w.mu.Lock()
	st.Messages = append(st.Messages, w.said...)
	w.mu.Unlock()
	for _, m := range w.acct.Sent(demoWeChatOpenID) {
		dm := demoWXMessage{Seq: m.Seq, FromBot: true, Text: m.Text, At: m.At}
		if m.Type == "image" {
			dm.Image = "/demo/wx/" + strconv.FormatInt(m.Seq, 10)
		}
		st.Messages = append(st.Messages, dm)
	}
	st.Messages = append(st.Messages, w.templateMessages()...)
	sort.SliceStable(st.Messages, func(i, j int) bool { return st.Messages[i].At.Before(st.Messages[j].At) })
	var walk func([]wxfake.MenuButton)
	walk = func(bs []wxfake.MenuButton) {
		for _, b := range bs {
			if b.Key != "" {
				st.Menu = append(st.Menu, demoWXButton{Name: b.Name, Key: b.Key})
			}
			walk(b.SubButtons)
		}
	}
	walk(w.acct.Menu())
	return st
}

// handleAction acts as the follower: follow, type, press a menu button or
// send a picture.
func (w *demoWeChat) handleAction(rw http.ResponseWriter, r *http.Request) {
	var req struct {
		Action, Text, Key string
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeDemoJSON(rw, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	note := func(text string) {
		w.said = append(w.said, demoWXMessage{Text: text, At: time.Now()})
	}
	var res wxfake.Result
	switch req.Action {
	case "follow":
		note("(follows the account)")
		res = w.user.Subscribe()
	case "text":
		if strings.TrimSpace(req.Text) == "" {
			writeDemoJSON(rw, http.StatusBadRequest, map[string]string{"err": "empty message"})
			return
		}
		note(req.Text)
		res = w.user.SendText(req.Text)
	case "click":
		note("(menu) " + req.Key)
		res = w.user.Click(req.Key)
	case "image":
		note("(a picture)")
		res = w.user.SendImage(demoImage(time.Now().UnixNano(), 480, 360, false))
	case "away":
		note("(is away for two days: her 48-hour window closes)")
		if err := w.away(r.Context()); err != nil {
			writeDemoJSON(rw, http.StatusInternalServerError, map[string]string{"err": err.Error()})
			return
		}
		res.Status = http.StatusOK
	default:
		writeDemoJSON(rw, http.StatusBadRequest, map[string]string{"err": "unknown action"})
		return
	}
	if res.Reply != nil && res.Reply.Text != "" {
		w.said = append(w.said, demoWXMessage{FromBot: true, Text: res.Reply.Text, At: time.Now()})
	}
	writeDemoJSON(rw, http.StatusOK, map[string]any{"status": res.Status})
}

func (w *demoWeChat) handleImage(rw http.ResponseWriter, r *http.Request) {
	seq, _ := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	for _, m := range w.acct.Sent(demoWeChatOpenID) {
		if m.Seq == seq && len(m.Image) > 0 {
			rw.Header().Set("Content-Type", http.DetectContentType(m.Image))
			_, _ = rw.Write(m.Image)
			return
		}
	}
	http.NotFound(rw, r)
}
