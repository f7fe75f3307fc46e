package wxfake_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
)

// TestTemplateSend: a template send has WeChat's shape and answers
// WeChat's errcodes; an accepted one answers its msgid, once per
// client_msg_id, and is followed by its signed TEMPLATESENDJOBFINISH
// receipt.
func TestTemplateSend(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{})
	receipts := make(chan posted, 4)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		receipts <- posted{query: r.URL.Query(), body: string(body)}
		_, _ = io.WriteString(w, "success")
	}))
	defer app.Close()
	a.SetCallbackURL(app.URL)
	a.AddTemplate("tplA", "thing1", "character_string2", "time3", "phrase4", "amount5")
	a.User("oA")
	a.User("oNo")
	a.DeclineTemplates("oNo")
	tok := token(t, s, a)
	post := func(body string) map[string]any {
		return call(t, "POST", s.URL()+"/cgi-bin/message/template/send?access_token="+tok, "application/json", strings.NewReader(body))
	}
	good := `{"touser":"oA","template_id":"tplA","url":"https://example.com/x","client_msg_id":"c1",` +
		`"data":{"thing1":{"value":"退货待提供取件码"},"character_string2":{"value":"R-12"},"time3":{"value":"2026年12月4日 18:00"},` +
		`"phrase4":{"value":"即将过期"},"amount5":{"value":"¥12.30"}}}`
	for _, tt := range []struct {
		name, body string
		code       int
	}{
		{"unknown template", strings.Replace(good, "tplA", "tplZ", 1), 40037},
		{"declined", strings.Replace(good, `"oA"`, `"oNo"`, 1), 43101},
		{"not a follower", strings.Replace(good, `"oA"`, `"oNobody"`, 1), 40003},
		{"thing too long", strings.Replace(good, "退货待提供取件码", strings.Repeat("长", 21), 1), 47003},
		{"code with Chinese", strings.Replace(good, "R-12", "退货12", 1), 47003},
		{"phrase of Latin letters", strings.Replace(good, "即将过期", "soon", 1), 47003},
		{"bad time", strings.Replace(good, "2026年12月4日 18:00", "tomorrow", 1), 47003},
		{"line break", strings.Replace(good, "R-12", `R\n12`, 1), 47003},
		{"key the template lacks", strings.Replace(good, "phrase4", "thing9", 1), 47003},
		{"not JSON", "{", 47001},
	} {
		if c := errcode(post(tt.body)); c != tt.code {
			t.Errorf("%s: errcode %d, want %d", tt.name, c, tt.code)
		}
	}
	first := post(good)
	again := post(good)
	if errcode(first) != 0 || first["msgid"] == nil || again["msgid"] != first["msgid"] {
		t.Fatalf("sends answered %v and %v", first, again)
	}
	sent := a.Templates("oA")
	if len(sent) != 1 || sent[0].Data["character_string2"] != "R-12" || sent[0].URL != "https://example.com/x" {
		t.Fatalf("templates %+v", sent)
	}

	var r posted
	select {
	case r = <-receipts:
	case <-time.After(5 * time.Second):
		t.Fatal("no receipt")
	}
	var ev struct {
		Event  string `xml:"Event"`
		MsgID  int64  `xml:"MsgID"`
		Status string `xml:"Status"`
	}
	if err := xml.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Event != "TEMPLATESENDJOBFINISH" || float64(ev.MsgID) != first["msgid"] || ev.Status != "success" {
		t.Errorf("receipt %+v", ev)
	}
	if q := r.query; q.Get("signature") != wxfake.Signature(a.Token, q.Get("timestamp"), q.Get("nonce")) {
		t.Errorf("receipt not signed: %v", q)
	}
	select {
	case extra := <-receipts:
		t.Errorf("a second receipt for one message: %s", extra.body)
	case <-time.After(100 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.WaitForTemplate(ctx, "oA", 1); err != nil {
		t.Error(err)
	}
}

// TestTemplateQuota: past the day's quota WeChat answers 45009.
func TestTemplateQuota(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{})
	a.AddTemplate("tplQ", "thing1")
	a.User("oQ")
	a.SetTemplateQuota(1)
	tok := token(t, s, a)
	body := `{"touser":"oQ","template_id":"tplQ","data":{"thing1":{"value":"x"}}}`
	for i, want := range []int{0, 45009} {
		m := call(t, "POST", s.URL()+"/cgi-bin/message/template/send?access_token="+tok, "application/json", strings.NewReader(body))
		if errcode(m) != want {
			t.Errorf("send %d: errcode %d, want %d", i, errcode(m), want)
		}
	}
}

// posted is a callback the app received.
type posted struct {
	query interface{ Get(string) string }
	body  string
}
