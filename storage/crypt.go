package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// SecretKeySize is the length of INDIGO_SECRET_KEY once decoded (AES-256).
const SecretKeySize = 32

// crypter seals WB tokens with AES-256-GCM. The additional data binds a
// ciphertext to its owner, so a token row copied to another seller does not
// decrypt.
type crypter struct {
	aead cipher.AEAD
}

func newCrypter(key []byte) (*crypter, error) {
	if len(key) != SecretKeySize {
		return nil, fmt.Errorf("secret key is %d bytes, want %d", len(key), SecretKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create gcm: %w", err)
	}
	return &crypter{aead: aead}, nil
}

func (c *crypter) seal(plaintext, owner []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plaintext)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	return c.aead.Seal(nonce, nonce, plaintext, owner), nil
}

func (c *crypter) open(sealed, owner []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n+c.aead.Overhead() {
		return nil, errors.New("open token: ciphertext too short")
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], owner)
	if err != nil {
		// Wrong key or a row moved between sellers; the cause is never more specific.
		return nil, fmt.Errorf("open token: %w", err)
	}
	return plain, nil
}
