package wxfake_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
)

// call is a raw API call; it returns the decoded JSON answer.
func call(t *testing.T, method, url, contentType string, body io.Reader) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return out
}

func errcode(m map[string]any) int {
	if c, ok := m["errcode"].(float64); ok {
		return int(c)
	}
	return 0
}

func token(t *testing.T, s *wxfake.Server, a *wxfake.Account) string {
	t.Helper()
	m := call(t, "GET", fmt.Sprintf("%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s", s.URL(), a.AppID, a.AppSecret), "", nil)
	if m["expires_in"] != float64(7200) {
		t.Fatalf("token answer %v", m)
	}
	return m["access_token"].(string)
}

func send(t *testing.T, s *wxfake.Server, tok, body string) int {
	t.Helper()
	return errcode(call(t, "POST", s.URL()+"/cgi-bin/message/custom/send?access_token="+tok, "application/json", strings.NewReader(body)))
}

func TestSignatureAndCrypto(t *testing.T) {
	// sha1 of the sorted parts, joined.
	sum := sha1.Sum([]byte("1409304348" + "nonce" + "token"))
	if got := wxfake.Signature("token", "1409304348", "nonce"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("signature %s", got)
	}
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{Encrypted: true})
	if len(a.AESKey) != 43 {
		t.Fatalf("EncodingAESKey %q", a.AESKey)
	}
	msg := []byte("<xml><Content><![CDATA[你好]]></Content></xml>")
	sealed, err := wxfake.Encrypt(a.AESKey, a.AppID, msg)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := wxfake.Decrypt(a.AESKey, a.AppID, sealed)
	if err != nil || !bytes.Equal(plain, msg) {
		t.Fatalf("round trip: %q, %v", plain, err)
	}
	if _, err := wxfake.Decrypt(a.AESKey, "wxOther", sealed); err == nil {
		t.Error("a message sealed for another app id opened")
	}
}

func TestTokens(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{})
	if c := errcode(call(t, "GET", s.URL()+"/cgi-bin/token?grant_type=client_credential&appid="+a.AppID+"&secret=wrong", "", nil)); c != 40125 {
		t.Errorf("wrong secret: %d", c)
	}
	u := a.User("oA")
	u.SendText("hi")
	t1 := token(t, s, a)
	t2 := token(t, s, a)
	text := `{"touser":"oA","msgtype":"text","text":{"content":"x"}}`
	if c := send(t, s, t1, text); c != 0 {
		t.Errorf("the older token within its grace: %d", c)
	}
	s.Advance(6 * time.Minute)
	if c := send(t, s, t1, text); c != 42001 {
		t.Errorf("the older token after its grace: %d", c)
	}
	a.RevokeTokens()
	if c := send(t, s, t2, text); c != 40001 {
		t.Errorf("a revoked token: %d", c)
	}
	if c := send(t, s, "AT_unknown", text); c != 40001 {
		t.Errorf("an unknown token: %d", c)
	}
	if a.TokenFetches() != 2 {
		t.Errorf("fetches %d", a.TokenFetches())
	}
}

func TestCustomSendWindow(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{})
	tok := token(t, s, a)
	text := func(to string) string { return `{"touser":"` + to + `","msgtype":"text","text":{"content":"x"}}` }
	if c := send(t, s, tok, text("oNobody")); c != 40003 {
		t.Errorf("unknown openid: %d", c)
	}
	u := a.User("oA")
	if c := send(t, s, tok, text("oA")); c != 45015 {
		t.Errorf("no window: %d", c)
	}
	u.Click("returns") // 3 within a minute
	for i := range 3 {
		if c := send(t, s, tok, text("oA")); c != 0 {
			t.Fatalf("send %d after a tap: %d", i, c)
		}
	}
	if c := send(t, s, tok, text("oA")); c != 45047 {
		t.Errorf("a fourth after a tap: %d", c)
	}
	u.SendText("hi") // 5 within 48 hours
	for i := range 5 {
		if c := send(t, s, tok, text("oA")); c != 0 {
			t.Fatalf("send %d after a message: %d", i, c)
		}
	}
	if c := send(t, s, tok, text("oA")); c != 45047 {
		t.Errorf("a sixth: %d", c)
	}
	u.SendText("again")
	s.Advance(49 * time.Hour)
	tok = token(t, s, a)
	if c := send(t, s, tok, text("oA")); c != 45015 {
		t.Errorf("after 48 hours: %d", c)
	}
	a.FailNext("/cgi-bin/message/custom/send", -1)
	if c := send(t, s, tok, text("oA")); c != -1 {
		t.Errorf("injected: %d", c)
	}
	if n := len(a.Sent("oA")); n != 8 {
		t.Errorf("recorded %d", n)
	}
}

func TestMediaAndMenu(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{})
	tok := token(t, s, a)
	upload := func(data []byte) map[string]any {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("media", "p.png")
		part.Write(data)
		w.Close()
		return call(t, "POST", s.URL()+"/cgi-bin/media/upload?type=image&access_token="+tok, w.FormDataContentType(), &body)
	}
	m := upload([]byte("\x89PNG\r\n\x1a\nfake"))
	id, _ := m["media_id"].(string)
	if id == "" {
		t.Fatalf("upload: %v", m)
	}
	resp, err := http.Get(s.URL() + "/cgi-bin/media/get?access_token=" + tok + "&media_id=" + id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/png" || !bytes.HasSuffix(got, []byte("fake")) {
		t.Errorf("download: %s %q", resp.Header.Get("Content-Type"), got)
	}
	if c := errcode(call(t, "GET", s.URL()+"/cgi-bin/media/get?access_token="+tok+"&media_id=nope", "", nil)); c != 40007 {
		t.Errorf("unknown media: %d", c)
	}
	if c := errcode(upload(make([]byte, wxfake.MaxImageSize+1))); c != 40009 {
		t.Errorf("oversized image: %d", c)
	}

	menu := func(body string) int {
		return errcode(call(t, "POST", s.URL()+"/cgi-bin/menu/create?access_token="+tok, "application/json", strings.NewReader(body)))
	}
	if c := menu(`{"button":[{"name":"退货","sub_button":[{"type":"click","name":"我的退货","key":"returns"}]}]}`); c != 0 {
		t.Errorf("a good menu: %d", c)
	}
	if c := menu(`{"button":[{"type":"click","name":"这个名字太长了超过十六字节","key":"k"}]}`); c != 40018 {
		t.Errorf("a long name: %d", c)
	}
	if c := menu(`{"button":[{"type":"click","name":"a","key":"a"},{"type":"click","name":"b","key":"b"},{"type":"click","name":"c","key":"c"},{"type":"click","name":"d","key":"d"}]}`); c != 40016 {
		t.Errorf("four buttons: %d", c)
	}
	if got := a.Menu(); len(got) != 1 || got[0].SubButtons[0].Key != "returns" {
		t.Errorf("menu %+v", got)
	}
}

func TestCallbacks(t *testing.T) {
	s := wxfake.New()
	defer s.Close()
	a := s.NewAccount(wxfake.AccountOptions{Encrypted: true})
	var mu sync.Mutex // the handler runs on the server's goroutines
	var got []string
	slow := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("signature") != wxfake.Signature(a.Token, q.Get("timestamp"), q.Get("nonce")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var env struct{ Encrypt string }
		_ = xml.Unmarshal(body, &env)
		if q.Get("msg_signature") != wxfake.Signature(a.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
			http.Error(w, "bad msg_signature", http.StatusForbidden)
			return
		}
		plain, err := wxfake.Decrypt(a.AESKey, a.AppID, env.Encrypt)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(plain))
		if slow {
			slow = false
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "success")
	}))
	defer srv.Close()
	a.SetCallbackURL(srv.URL)
	r := a.User("oA").SendText("你好")
	mu.Lock()
	defer mu.Unlock()
	if r.Status != 200 || r.Tries != 2 || r.ServiceError || len(got) != 2 || !strings.Contains(got[0], "<Content><![CDATA[你好]]></Content>") {
		t.Errorf("result %+v, server saw %q", r, got)
	}
	if got[0] != got[1] {
		t.Error("a retry is not the same callback")
	}
}
