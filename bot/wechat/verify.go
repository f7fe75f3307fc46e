package wechat

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// verify.go: what makes a request WeChat's own, and new.
//
// The query's signature, sha1(sort(token, timestamp, nonce)), does not
// cover the body: alone, a captured callback URL could be posted again
// with any body, as any follower, for as long as the timestamp window
// lasts. So every signed (timestamp, nonce) is accepted once, by all
// replicas, through the database; and in safe mode only encrypted
// callbacks are accepted, whose msg_signature covers the ciphertext and
// whose plaintext names our AppID.

const (
	// timestampWindow bounds how old (or how far ahead) a signed request
	// may be: WeChat's retries come within 15 seconds, so a request
	// replayed later is refused. Its pair is remembered as long.
	timestampWindow = 5 * time.Minute
)

// NonceStore remembers the signed (timestamp, nonce) pairs accepted within
// the window, for every replica: storage.WeChatService implements it.
// UseNonce called with the ctx of Store.InTx joins that transaction.
type NonceStore interface {
	// UseNonce records the pair with the digest of what its request
	// carried, until expiresAt; a pair recorded already is not fresh, and
	// stored is the digest recorded then.
	UseNonce(ctx context.Context, appID, timestamp, nonce string, digest []byte, expiresAt time.Time) (stored []byte, fresh bool, err error)
	PruneNonces(ctx context.Context, expiredBefore time.Time) (int64, error)
}

var (
	// errForged marks a request that is not WeChat's for this account: a
	// bad msg_signature or ciphertext, or a plaintext one in safe mode.
	errForged = errors.New("forged callback")
	// errReplayed marks a signed pair used before for something else.
	errReplayed = errors.New("replayed signature")
)

// signed checks signature = sha1(sort(token, timestamp, nonce)) in
// constant time, and that the timestamp is recent.
func (b *Bot) signed(q url.Values) bool {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if age := b.cfg.Now().Sub(time.Unix(sec, 0)); age > timestampWindow || age < -timestampWindow {
		return false
	}
	return sameHex(q.Get("signature"), util.Signature(b.cfg.Token, ts, nonce))
}

func sameHex(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// nonceUse is what a request's signed pair was, seen from the database.
type nonceUse int

const (
	nonceFresh  nonceUse = iota // first use: go on
	nonceRepeat                 // used before for the same content: WeChat's retry, or a harmless copy
	nonceReplay                 // used before for other content: refused
)

// useNonce records the request's signed pair with the digest of its
// method and content (the echostr, the callback's XML), so the same pair
// cannot carry anything else. WeChat does not document whether its retries
// sign again; one that reuses the pair brings the same content, and is
// answered as the first was, without doing anything again. Call signed
// first: it checked the timestamp.
func (b *Bot) useNonce(ctx context.Context, q url.Values, method string, content []byte) (nonceUse, error) {
	ts := q.Get("timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nonceReplay, fmt.Errorf("use nonce: timestamp %q: %w", ts, err)
	}
	h := sha256.New()
	h.Write([]byte(method + "\x00"))
	h.Write(content)
	digest := h.Sum(nil)
	// A pair is refused by the window from ts+window on: kept until then.
	stored, fresh, err := b.store.UseNonce(ctx, b.cfg.AppID, ts, q.Get("nonce"), digest, time.Unix(sec, 0).Add(timestampWindow))
	switch {
	case err != nil:
		return nonceReplay, fmt.Errorf("use nonce: %w", err)
	case fresh:
		return nonceFresh, nil
	case subtle.ConstantTimeCompare(stored, digest) == 1:
		return nonceRepeat, nil
	default:
		return nonceReplay, nil
	}
}

// open returns the callback's XML. In plaintext mode it is the body. In
// safe mode (an AES key is set) only an encrypted callback is accepted:
// msg_signature = sha1(sort(token, timestamp, nonce, Encrypt)) checked in
// constant time, then the ciphertext opened and its AppID checked.
func (b *Bot) open(q url.Values, body []byte) ([]byte, error) {
	encrypted := q.Get("encrypt_type") == "aes"
	if b.aesKey == nil {
		if encrypted {
			return nil, errors.New("an encrypted callback, and no WECHAT_AES_KEY")
		}
		return body, nil
	}
	if !encrypted {
		// WeChat encrypts every callback in safe mode. Taking this one as
		// plaintext would let the query's signature, which does not cover
		// the body, vouch for any body.
		return nil, fmt.Errorf("%w: a plaintext callback in safe mode", errForged)
	}
	var env message.EncryptedXMLMsg
	if err := xml.Unmarshal(body, &env); err != nil || env.EncryptedMsg == "" {
		return nil, fmt.Errorf("%w: no <Encrypt> in an encrypted callback", errForged)
	}
	want := util.Signature(b.cfg.Token, q.Get("timestamp"), q.Get("nonce"), env.EncryptedMsg)
	if !sameHex(q.Get("msg_signature"), want) {
		return nil, fmt.Errorf("%w: msg_signature", errForged)
	}
	return decrypt(b.aesKey, b.cfg.AppID, env.EncryptedMsg)
}

// decrypt opens a safe-mode ciphertext, random(16) || length(4) || xml ||
// appid, and checks the AppID is ours: a message sealed for another
// account that shares our token and key is not ours to handle.
func decrypt(key []byte, appID, sealed string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext: %v", errForged, err)
	}
	_, raw, sealedFor, err := util.AESDecryptMsg(data, key)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext: %v", errForged, err)
	}
	if string(sealedFor) != appID {
		return nil, fmt.Errorf("%w: sealed for another app id", errForged)
	}
	return raw, nil
}

// decodeAESKey turns the 43-character EncodingAESKey into its 32 bytes.
func decodeAESKey(encoding string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(encoding + "=")
	if len(encoding) != 43 || err != nil || len(key) != 32 {
		return nil, errors.New("the EncodingAESKey is 43 characters of base64 for 32 bytes")
	}
	return key, nil
}
