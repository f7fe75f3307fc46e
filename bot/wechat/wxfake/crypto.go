package wxfake

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// crypto.go: WeChat's callback signatures and safe-mode encryption, as the
// platform documents them.

// Signature is sha1 of the parts sorted and joined, in lowercase hex: the
// token, timestamp and nonce give "signature"; with the ciphertext added
// they give "msg_signature".
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// blockSize is the PKCS#7 block WeChat pads to (not AES's 16).
const blockSize = 32

func aesKey(encodingAESKey string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("wxfake: the EncodingAESKey must be 43 characters of base64 for 32 bytes")
	}
	return key, nil
}

// Encrypt seals a message for appID: AES-256-CBC with IV = key[:16] over
// random(16) || length(4, big-endian) || msg || appID, padded to 32 bytes,
// in standard base64.
func Encrypt(encodingAESKey, appID string, msg []byte) (string, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	var plain bytes.Buffer
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	plain.Write(random)
	_ = binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(appID)
	pad := blockSize - plain.Len()%blockSize
	plain.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := plain.Bytes()
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt opens what Encrypt sealed and checks it was sealed for appID.
func Decrypt(encodingAESKey, appID, sealed string) ([]byte, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("wxfake: bad ciphertext")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(data, data)
	pad := int(data[len(data)-1])
	if pad < 1 || pad > blockSize || pad > len(data) {
		return nil, errors.New("wxfake: bad padding")
	}
	data = data[:len(data)-pad]
	if len(data) < 20 {
		return nil, errors.New("wxfake: plaintext too short")
	}
	n := int(binary.BigEndian.Uint32(data[16:20]))
	if 20+n > len(data) {
		return nil, errors.New("wxfake: bad length")
	}
	if string(data[20+n:]) != appID {
		return nil, errors.New("wxfake: sealed for another appid")
	}
	return data[20 : 20+n], nil
}
