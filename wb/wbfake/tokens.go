package wbfake

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Scope bits of a token's s claim (wb-api.md §3.4).
const (
	ScopeContent     uint64 = 1 << 1
	ScopeAnalytics   uint64 = 1 << 2
	ScopePrices      uint64 = 1 << 3
	ScopeMarketplace uint64 = 1 << 4
	ScopeStatistics  uint64 = 1 << 5
	ScopeLegacy      uint64 = 1 << 8 // a bit no host checks: a token of no use
	ScopeReturns     uint64 = 1 << 11
	ScopeReadOnly    uint64 = 1 << 30

	// ScopesIndigo are the categories Indigo needs.
	ScopesIndigo = ScopeContent | ScopeAnalytics | ScopeMarketplace | ScopeReturns
)

// TokenLifetime is how long WB tokens live.
const TokenLifetime = 180 * 24 * time.Hour

// TokenOptions describe a token to issue. The zero value is a service token
// of a new seller with Indigo's categories, valid for 180 days.
type TokenOptions struct {
	SellerID  string    // sid; "" makes up a new seller
	Scopes    uint64    // category bits; 0 means ScopesIndigo
	ReadOnly  bool      // sets bit 30
	Test      bool      // sandbox token: t=true, acc=2
	Personal  bool      // acc=3, for="self"
	Basic     bool      // acc=1: WB's reduced limits apply
	ExpiresAt time.Time // zero means now + 180 days
}

// tokenClaims is the payload the fake signs and checks.
type tokenClaims struct {
	ID  string `json:"id"`
	S   uint64 `json:"s"`
	SID string `json:"sid"`
	OID int64  `json:"oid"`
	UID int64  `json:"uid"`
	IID int64  `json:"iid"`
	Ent int    `json:"ent"`
	Acc int    `json:"acc"`
	For string `json:"for,omitempty"`
	T   bool   `json:"t"`
	Exp int64  `json:"exp"`
}

func (c tokenClaims) basic() bool { return c.Acc == 1 }

// IssueToken mints a real ES256 JWT signed with the fake's own key, so a
// token edited by hand fails the signature check as it would at WB.
func (s *Server) IssueToken(o TokenOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.SellerID == "" {
		o.SellerID = newUUID()
	}
	s.sellerLocked(o.SellerID)
	if o.Scopes == 0 {
		o.Scopes = ScopesIndigo
	}
	if o.ReadOnly {
		o.Scopes |= ScopeReadOnly
	}
	if o.ExpiresAt.IsZero() {
		o.ExpiresAt = s.now().Add(TokenLifetime)
	}
	s.nextID++
	c := tokenClaims{ID: newUUID(), S: o.Scopes, SID: o.SellerID, OID: 1000 + s.nextID,
		UID: 2000 + s.nextID, IID: 2000 + s.nextID, Ent: 1, Acc: 4,
		For: "asid:indigo-fake", Exp: o.ExpiresAt.Unix()}
	switch {
	case o.Test:
		c.Acc, c.T, c.For = 2, true, ""
	case o.Personal:
		c.Acc, c.For = 3, "self"
	case o.Basic:
		c.Acc, c.For = 1, ""
	}
	return s.sign(c)
}

// RevokeToken makes WB answer 401 to token from now on, as when the seller
// deletes it in the cabinet.
func (s *Server) RevokeToken(token string) {
	c, err := s.verify(token)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[c.ID] = true
}

func (s *Server) sign(c tokenClaims) string {
	head := b64json(map[string]string{"alg": "ES256", "kid": "20260302v1", "typ": "JWT"})
	signing := head + "." + b64json(c)
	sum := sha256.Sum256([]byte(signing))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		panic(fmt.Sprintf("wbfake: sign token: %v", err))
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(raw)
}

// verify checks the signature and decodes the claims; it does not look at
// expiry or revocation. Its errors read like WB's 401 details.
func (s *Server) verify(token string) (tokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return tokenClaims{}, errors.New("token problem; token is malformed: token contains an invalid number of segments")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 64 {
		return tokenClaims{}, errors.New("token problem; token is malformed: could not base64 decode signature")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, sg := new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])
	if !ecdsa.Verify(&s.key.PublicKey, sum[:], r, sg) {
		return tokenClaims{}, errors.New("token problem; token signature is invalid")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tokenClaims{}, errors.New("token problem; token is malformed: could not base64 decode payload")
	}
	var c tokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return tokenClaims{}, errors.New("token problem; token is malformed: could not decode claims")
	}
	return c, nil
}

func b64json(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("wbfake: encode token part: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
