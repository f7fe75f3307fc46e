package wechat

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"

	"github.com/indigo-warehouse/indigo/bot/wechat/wxfake"
)

// fuzz_test.go: what a callback's body can do to the bot before the
// database: nothing but be read or refused. `go test` runs the seeds; CI
// fuzzes FuzzCallbackPlain and FuzzCallbackAES.

const (
	fuzzAppID = "wxFuzzApp"
	fuzzToken = "fuzztoken"
	// fuzzAESKey is 43 characters of base64 for 32 bytes.
	fuzzAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// callbackSeeds are bodies of every kind WeChat posts, and some it never
// would.
var callbackSeeds = []string{
	`<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/start]]></Content><MsgId>1234567890123456</MsgId></xml>`,
	`<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[2]]></Content><MsgId>9223372036854775807</MsgId></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/y]]></PicUrl><MediaId><![CDATA[media-1]]></MediaId><MsgId>2</MsgId></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[你好]]></Recognition><MsgID>3</MsgID></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_invite-abc]]></EventKey></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[returns]]></EventKey></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[VIEW]]></Event><EventKey><![CDATA[https://example.com]]></EventKey></xml>`,
	`<xml><FromUserName><![CDATA[oUser]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>`,
	`<xml><FromUserName></FromUserName></xml>`,
	`<xml><FromUserName><![CDATA[o]]></FromUserName><MsgId>not a number</MsgId></xml>`,
	`<!DOCTYPE xml [<!ENTITY x "y">]><xml><FromUserName>&x;</FromUserName></xml>`,
	`<xml><xml><xml>`,
	``,
}

func fuzzBot(tb testing.TB, aes bool) *Bot {
	tb.Helper()
	b := &Bot{cfg: Config{AppID: fuzzAppID, Token: fuzzToken}}
	if aes {
		key, err := decodeAESKey(fuzzAESKey)
		if err != nil {
			tb.Fatal(err)
		}
		b.aesKey = key
	}
	return b
}

// checkParsed holds for whatever parse accepts: it names the sender, has
// a dedupe key, and the engine's input can be made from it.
func checkParsed(t *testing.T, b *Bot, q url.Values, body []byte) {
	raw, msg, err := b.parse(q, body)
	if err != nil {
		return
	}
	if msg.FromUserName == "" {
		t.Fatalf("accepted a callback without a sender: %q", raw)
	}
	key := dedupeKey(msg)
	if !strings.HasPrefix(key, "msg:") && !strings.HasPrefix(key, "evt:") {
		t.Fatalf("dedupe key %q", key)
	}
	in, _ := b.input(msg)
	if in.ChatID != string(msg.FromUserName) || in.UserID != in.ChatID {
		t.Fatalf("input of %q is for %q/%q", msg.FromUserName, in.ChatID, in.UserID)
	}
}

// FuzzCallbackPlain: a plaintext-mode body is read or refused, never a
// panic, and what is read names its sender.
func FuzzCallbackPlain(f *testing.F) {
	for _, s := range callbackSeeds {
		f.Add([]byte(s))
	}
	b := fuzzBot(f, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParsed(t, b, url.Values{}, body)
	})
}

// FuzzCallbackAES: in safe mode, a body sealed for our AppID opens to
// what was sealed, one sealed for another is refused as forged, and any
// ciphertext at all under a valid msg_signature is opened or refused,
// never a panic; a plaintext body is always refused.
func FuzzCallbackAES(f *testing.F) {
	for i, s := range callbackSeeds {
		f.Add([]byte(s), []byte(s), fuzzAppID)
		f.Add([]byte(s), []byte(s[:len(s)/2]), map[bool]string{false: "wxOther", true: ""}[i%2 == 0])
	}
	f.Add([]byte(callbackSeeds[0]), bytes.Repeat([]byte{0}, 32), fuzzAppID)
	f.Add([]byte(callbackSeeds[0]), bytes.Repeat([]byte{32}, 64), fuzzAppID)
	b := fuzzBot(f, true)
	q := func(encrypt string) url.Values {
		return url.Values{"encrypt_type": {"aes"}, "timestamp": {"1700000000"}, "nonce": {"n"},
			"msg_signature": {util.Signature(fuzzToken, "1700000000", "n", encrypt)}}
	}
	envelope := func(encrypt string) []byte {
		return []byte("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>")
	}
	f.Fuzz(func(t *testing.T, plain, ciphertext []byte, appID string) {
		// Sealed as WeChat seals, for appID.
		sealed, err := wxfake.Encrypt(fuzzAESKey, appID, plain)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := b.open(q(sealed), envelope(sealed))
		switch {
		case appID != fuzzAppID:
			if !errors.Is(err, errForged) {
				t.Fatalf("sealed for %q: opened %q, %v; want forged", appID, raw, err)
			}
		case err != nil:
			t.Fatalf("our own sealed message refused: %v", err)
		case !bytes.Equal(raw, plain):
			t.Fatalf("opened %q, sealed %q", raw, plain)
		}

		// Any ciphertext at all, correctly signed.
		enc := base64.StdEncoding.EncodeToString(ciphertext)
		if _, err := b.open(q(enc), envelope(enc)); err != nil && !errors.Is(err, errForged) {
			t.Fatalf("a signed ciphertext refused as %v, want forged", err)
		}
		checkParsed(t, b, q(enc), envelope(enc))
		checkParsed(t, b, q(sealed), envelope(sealed))

		// The plaintext itself: a downgrade.
		if _, err := b.open(url.Values{}, plain); !errors.Is(err, errForged) {
			t.Fatalf("a plaintext body in safe mode: %v, want forged", err)
		}
	})
}
