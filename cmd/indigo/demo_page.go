package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/locales"
)

// demo_page.go: /demo, a page that shows the chats as Telegram would and
// drives them through the fake, and the JSON it reads and posts.

//go:embed demo/index.html
var demoPageHTML string

// demoPage is the page, in the visitor's language (demoTexts).
var demoPage = template.Must(template.New("demo").Parse(demoPageHTML))

// demoTexts are the page's own words; the page reads each by the id's
// last part (T.send).
var demoTexts = []string{"demo.title", "demo.banner", "demo.open_web", "demo.new_token", "demo.seller_chat",
	"demo.write_bot", "demo.send", "demo.photo", "demo.photo_title", "demo.sample_photo", "demo.sample_title",
	"demo.wechat", "demo.wechat_note", "demo.write_account", "demo.staff", "demo.staff_note", "demo.general",
	"demo.answer_topic", "demo.in_topic", "demo.topic", "demo.document", "demo.paste_token", "demo.official_account",
	"demo.follow", "demo.away", "demo.menu", "demo.ok", "demo.language"}

// demoLang is the visitor's language: ?lang=, else their browser's first.
func (d *demo) demoLang(r *http.Request) *locales.Localizer {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang, _, _ = strings.Cut(r.Header.Get("Accept-Language"), ",")
	}
	return d.m.Engine.Locales.For(lang)
}

type demoButton struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

type demoMessage struct {
	ID       int            `json:"id"`
	Thread   int            `json:"thread,omitempty"`
	FromBot  bool           `json:"from_bot"`
	From     string         `json:"from"`
	Date     int64          `json:"date"`
	Text     string         `json:"text"`
	Photo    string         `json:"photo,omitempty"`
	Document string         `json:"document,omitempty"`
	Buttons  [][]demoButton `json:"buttons,omitempty"`
	Keyboard [][]string     `json:"keyboard,omitempty"`
	// Contact are the keys of Keyboard that share the phone (request_contact).
	Contact []string `json:"contact,omitempty"`
	Service string   `json:"service,omitempty"`
}

type demoChat struct {
	UserID   int64         `json:"user_id"`
	Name     string        `json:"name"`
	Note     string        `json:"note"`
	Messages []demoMessage `json:"messages"`
}

type demoTopic struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type demoState struct {
	Bot           string           `json:"bot"`
	Chats         []demoChat       `json:"chats"`
	StaffTitle    string           `json:"staff_title"`
	Topics        []demoTopic      `json:"topics"`
	Staff         []demoMessage    `json:"staff"`
	NewcomerToken string           `json:"newcomer_token"`
	Healthz       string           `json:"healthz"`
	WeChat        *demoWeChatState `json:"wechat,omitempty"`
	// Answers are Telegram's pop-ups (answerCallbackQuery) to the buttons
	// pressed on this page, which the page shows as Telegram does.
	Answers []demoAnswer `json:"answers,omitempty"`
}

// demoAnswer is the bot's answer to one press: a toast, or with Alert a
// box to dismiss. Panel is "staff" or the presser's user id.
type demoAnswer struct {
	ID    string `json:"id"`
	Panel string `json:"panel"`
	Text  string `json:"text"`
	Alert bool   `json:"alert,omitempty"`
}

func (d *demo) handlePage(w http.ResponseWriter, r *http.Request) {
	l := d.demoLang(r)
	texts := map[string]string{}
	for _, id := range demoTexts {
		texts[strings.TrimPrefix(id, "demo.")] = l.T(id)
	}
	type lang struct {
		Code, Name string
		Current    bool
	}
	var langs []lang
	for _, code := range locales.Languages() {
		langs = append(langs, lang{code, l.Label("language", code), code == l.Lang()})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := demoPage.Execute(w, map[string]any{"Lang": l.Lang(), "T": texts, "Langs": langs}); err != nil {
		d.m.Log.Warn("demo: page", "err", err)
	}
}

func (d *demo) state(l *locales.Localizer) demoState {
	st := demoState{
		Bot:           "@" + d.tg.Bot().Username,
		StaffTitle:    l.T("demo.staff_group"),
		NewcomerToken: d.newcomerToken,
		Healthz:       d.m.Config.PublicURL + "/readyz",
		Chats: []demoChat{
			{UserID: demoSellerTG, Name: l.T("demo.seller_onboarded"), Note: l.T("demo.seller_onboarded_note")},
			{UserID: demoNewcomerTG, Name: l.T("demo.seller_new"), Note: l.T("demo.seller_new_note")},
		},
	}
	for i := range st.Chats {
		st.Chats[i].Messages = d.messages(l, d.tg.Messages(st.Chats[i].UserID))
	}
	for _, t := range d.tg.Topics(demoStaffGroup) {
		st.Topics = append(st.Topics, demoTopic{ID: t.MessageThreadID, Name: t.Name})
	}
	st.Staff = d.messages(l, d.tg.Messages(demoStaffGroup))
	st.WeChat = d.wx.state()
	st.Answers = d.answers()
	return st
}

// answers are the pop-ups Telegram shows for the presses made here.
func (d *demo) answers() []demoAnswer {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []demoAnswer
	for _, a := range d.tg.CallbackAnswers() {
		if panel, ok := d.pressed[a.CallbackQueryID]; ok && a.Text != "" {
			out = append(out, demoAnswer{ID: a.CallbackQueryID, Panel: panel, Text: a.Text, Alert: a.ShowAlert})
		}
	}
	return out
}

func (d *demo) messages(l *locales.Localizer, msgs []tgfake.Message) []demoMessage {
	out := make([]demoMessage, 0, len(msgs))
	for _, m := range msgs {
		dm := demoMessage{ID: m.MessageID, Thread: m.MessageThreadID, Date: m.Date, Text: m.Text}
		if m.Caption != "" {
			dm.Text = m.Caption
		}
		if m.From != nil {
			dm.FromBot = m.From.IsBot
			dm.From = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		}
		if len(m.Photo) > 0 {
			dm.Photo = "/demo/file/" + m.Photo[len(m.Photo)-1].FileID
		}
		if m.Document != nil {
			dm.Document = "/demo/file/" + m.Document.FileID
		}
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				var r []demoButton
				for _, b := range row {
					db := demoButton{Text: b.Text}
					if b.CallbackData != nil {
						db.Data = *b.CallbackData
					}
					if b.URL != nil {
						db.URL = *b.URL
					}
					r = append(r, db)
				}
				dm.Buttons = append(dm.Buttons, r)
			}
		}
		if m.Keyboard != nil {
			for _, row := range m.Keyboard.Keyboard {
				var r []string
				for _, b := range row {
					r = append(r, b.Text)
					if b.RequestContact {
						dm.Contact = append(dm.Contact, b.Text)
					}
				}
				dm.Keyboard = append(dm.Keyboard, r)
			}
		}
		switch {
		case m.ForumTopicCreated != nil:
			dm.Service = l.T("demo.topic_created", map[string]any{"Name": m.ForumTopicCreated.Name})
		case m.ForumTopicEdited != nil:
			dm.Service = l.T("demo.topic_renamed")
		}
		out = append(out, dm)
	}
	return out
}

func (d *demo) handleState(w http.ResponseWriter, r *http.Request) {
	writeDemoJSON(w, http.StatusOK, d.state(d.demoLang(r)))
}

type demoRequest struct {
	User      int64  `json:"user"`
	Text      string `json:"text"`
	MessageID int    `json:"message_id"`
	Data      string `json:"data"`
	Thread    int    `json:"thread"`
	Contact   bool   `json:"contact"`
	Staff     bool   `json:"staff"` // a press in the staff group, as Olga
}

func (d *demo) readRequest(w http.ResponseWriter, r *http.Request) (demoRequest, bool) {
	var req demoRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return req, false
	}
	if req.User != 0 && req.User != demoSellerTG && req.User != demoNewcomerTG {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "unknown demo user"})
		return req, false
	}
	return req, true
}

// handleSend types a message (or shares the phone number) as a demo user.
func (d *demo) handleSend(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	if req.Contact {
		writeDemoJSON(w, http.StatusOK, d.messages(d.demoLang(r), []tgfake.Message{d.tg.SendContact(req.User, "+8613900000000")}))
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "empty message"})
		return
	}
	writeDemoJSON(w, http.StatusOK, d.messages(d.demoLang(r), []tgfake.Message{d.tg.SendText(req.User, req.Text)}))
}

// handlePress presses an inline button under one of the bot's messages:
// in a seller's chat as that seller, or in the staff group as Olga.
func (d *demo) handlePress(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	chat, presser, panel := req.User, req.User, strconv.FormatInt(req.User, 10)
	if req.Staff {
		chat, presser, panel = demoStaffGroup, demoStaffTG, "staff"
	}
	for _, m := range d.tg.Messages(chat) {
		if m.MessageID != req.MessageID || m.ReplyMarkup == nil {
			continue
		}
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData != nil && *b.CallbackData == req.Data {
					id := d.tg.PressButton(presser, m, req.Data)
					d.mu.Lock()
					d.pressed[id] = panel
					d.mu.Unlock()
					writeDemoJSON(w, http.StatusOK, map[string]string{"callback_query_id": id})
					return
				}
			}
		}
	}
	writeDemoJSON(w, http.StatusNotFound, map[string]string{"err": "no such button"})
}

// handlePhoto sends a picture as a demo user: the uploaded file, or a
// generated one when none is given.
func (d *demo) handlePhoto(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(12 << 20); err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return
	}
	user, _ := strconv.ParseInt(r.FormValue("user"), 10, 64)
	if user != demoSellerTG && user != demoNewcomerTG {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "unknown demo user"})
		return
	}
	var data []byte
	if f, _, err := r.FormFile("photo"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, 10<<20))
		f.Close()
		if err != nil {
			writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
			return
		}
	}
	if len(data) == 0 {
		data = demoImage(time.Now().UnixNano(), 640, 480, true)
	}
	var msg tgfake.Message
	err := func() (err error) {
		defer func() { // the fake panics on what Telegram would refuse
			if p := recover(); p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		msg = d.tg.SendPhoto(user, data, r.FormValue("caption"))
		return nil
	}()
	if err != nil {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": err.Error()})
		return
	}
	writeDemoJSON(w, http.StatusOK, d.messages(d.demoLang(r), []tgfake.Message{msg}))
}

// handleStaff posts in the staff group as Olga, in a topic when given.
func (d *demo) handleStaff(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readRequest(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeDemoJSON(w, http.StatusBadRequest, map[string]string{"err": "empty message"})
		return
	}
	m := d.tg.SendGroupMessage(demoStaffGroup, req.Thread, demoStaffTG, req.Text, 0)
	writeDemoJSON(w, http.StatusOK, d.messages(d.demoLang(r), []tgfake.Message{m}))
}

// handleWebLink makes a fresh one-time sign-in link for the demo seller.
func (d *demo) handleWebLink(w http.ResponseWriter, r *http.Request) {
	link, err := d.webLink(r.Context())
	if err != nil {
		writeDemoJSON(w, http.StatusInternalServerError, map[string]string{"err": err.Error()})
		return
	}
	writeDemoJSON(w, http.StatusOK, map[string]string{"url": link})
}

// handleFile serves a photo or document stored in the fake Telegram.
func (d *demo) handleFile(w http.ResponseWriter, r *http.Request) {
	f, data, ok := d.tg.FileData(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	http.ServeContent(w, r, f.FilePath, time.Time{}, bytes.NewReader(data))
}

// handleProductImage serves the generated product photos the demo cards
// point at.
func (d *demo) handleProductImage(w http.ResponseWriter, r *http.Request) {
	nm, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("name"), ".png"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	_, _ = w.Write(demoImage(nm, 400, 533, false))
}

func writeDemoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
