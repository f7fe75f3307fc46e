package wb

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// Token check failures. Each is wrapped in a *domain.Error whose MsgID the
// bot translates; errors.Is tells them apart in code.
var (
	ErrTokenNotJWT    = errors.New("token is not a WB JWT")
	ErrTokenExpired   = errors.New("token expired")
	ErrTestToken      = errors.New("token is a sandbox test token")
	ErrTokenReadOnly  = errors.New("token is read-only")
	ErrSellerMismatch = errors.New("seller-info sid differs from the token's sid")
)

// ExpiryWarning is how close to its expiry a token draws a warning. Tokens
// live 180 days; two weeks leaves the seller time to mint a new one.
const ExpiryWarning = 14 * 24 * time.Hour

// readOnlyBit is set in the scope mask of "Только на чтение" tokens.
const readOnlyBit = 30

// TokenType is WB's token kind (the acc claim). It decides the rate limits.
type TokenType string

// Token types (wb-api.md §3.2).
const (
	TokenBasic    TokenType = "basic"    // acc=1 or absent: reduced limits
	TokenTest     TokenType = "test"     // acc=2 or t=true: sandbox only
	TokenPersonal TokenType = "personal" // acc=3: must not be handed to a cloud service
	TokenService  TokenType = "service"  // acc=4: bound to a catalogue service
)

// Claims is the public payload of a WB token. WB does not publish the key
// that signs it, so nothing here is verified; VerifyOnline asks WB.
type Claims struct {
	Algorithm string    // header alg, ES256 for current tokens
	KeyID     string    // header kid
	ID        string    // id: the token's own id
	SellerID  string    // sid: equals seller-info's sid
	OrgID     int64     // oid
	UserID    int64     // uid: the cabinet user who minted it
	Scopes    uint64    // s: category bits, plus bit 30 for read-only
	Access    int       // acc: 1 basic, 2 test, 3 personal, 4 service; 0 when absent
	For       string    // for: "self" or "asid:<service>"
	Test      bool      // t, or the legacy sandbox claim
	ExpiresAt time.Time // exp
}

// Type classifies the token; tokens minted before acc existed count as basic.
func (c Claims) Type() TokenType {
	switch {
	case c.Test || c.Access == 2:
		return TokenTest
	case c.Access == 3:
		return TokenPersonal
	case c.Access == 4:
		return TokenService
	default:
		return TokenBasic
	}
}

// ReadOnly reports whether the token may only read.
func (c Claims) ReadOnly() bool { return c.Scopes&(1<<readOnlyBit) != 0 }

// Has reports whether the token may call cat's host. Common hosts take any
// token.
func (c Claims) Has(cat Category) bool {
	bit := cat.Bit()
	return bit < 0 || c.Scopes&(1<<uint(bit)) != 0
}

// Missing lists the categories of cats the token lacks.
func (c Claims) Missing(cats ...Category) []Category {
	var out []Category
	for _, cat := range cats {
		if !c.Has(cat) {
			out = append(out, cat)
		}
	}
	return out
}

// TokenReport is what a token that passed CheckToken looks like.
type TokenReport struct {
	Claims   Claims
	Type     TokenType
	Hint     string          // TokenHint of the token, safe to show and log
	Warnings []*domain.Error // warning.token.* ids with template data
}

// TokenHint names a token to a person by its last characters only.
func TokenHint(token string) string { return domain.TokenHint(normalizeToken(token)) }

// normalizeToken strips what people paste around a token: spaces and the
// "Bearer " prefix some WB pages show.
func normalizeToken(token string) string {
	t := strings.TrimSpace(token)
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		t = strings.TrimSpace(t[7:])
	}
	return t
}

// MaxTokenLength bounds what is taken for a token: WB's are 300 to 600
// bytes, with room to spare for claims WB may add.
const MaxTokenLength = 4096

// ParseToken decodes a WB token's header and claims without checking the
// signature. A string that is not a WB JWT fails with error.token.not_jwt.
// Error texts never quote the token.
func ParseToken(token string) (Claims, error) {
	if len(token) > MaxTokenLength {
		// Bounded before it is decoded: a pasted file is not a token.
		return Claims{}, &domain.Error{Code: domain.CodeInvalid, MsgID: "error.token.not_jwt",
			Err: fmt.Errorf("%w: %d bytes, more than %d", ErrTokenNotJWT, len(token), MaxTokenLength)}
	}
	c, err := parseToken(normalizeToken(token))
	if err != nil {
		return Claims{}, &domain.Error{Code: domain.CodeInvalid, MsgID: "error.token.not_jwt",
			Err: fmt.Errorf("%w: %v", ErrTokenNotJWT, err)}
	}
	return c, nil
}

func parseToken(t string) (Claims, error) {
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("want 3 dot-separated parts, got %d", len(parts))
	}
	for i, p := range parts {
		if p == "" {
			return Claims{}, fmt.Errorf("part %d is empty", i+1)
		}
	}
	var head struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &head); err != nil {
		return Claims{}, fmt.Errorf("decode header: %w", err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "=")); err != nil {
		return Claims{}, errors.New("decode signature: not base64url")
	}
	var p struct {
		Exp     json.Number `json:"exp"`
		S       json.Number `json:"s"`
		Sid     string      `json:"sid"`
		ID      string      `json:"id"`
		OID     json.Number `json:"oid"`
		UID     json.Number `json:"uid"`
		Acc     int         `json:"acc"`
		For     string      `json:"for"`
		T       bool        `json:"t"`
		Sandbox bool        `json:"sandbox"`
	}
	if err := decodeSegment(parts[1], &p); err != nil {
		return Claims{}, fmt.Errorf("decode payload: %w", err)
	}
	if p.Exp == "" || p.S == "" || p.Sid == "" {
		return Claims{}, errors.New("payload lacks exp, s or sid")
	}
	exp, err := p.Exp.Float64()
	if err != nil {
		return Claims{}, errors.New("exp is not a number")
	}
	scopes, err := strconv.ParseUint(p.S.String(), 10, 64)
	if err != nil {
		return Claims{}, errors.New("s is not an unsigned integer")
	}
	oid, _ := p.OID.Int64()
	uid, _ := p.UID.Int64()
	return Claims{
		Algorithm: head.Alg, KeyID: head.Kid,
		ID: p.ID, SellerID: p.Sid, OrgID: oid, UserID: uid,
		Scopes: scopes, Access: p.Acc, For: p.For, Test: p.T || p.Sandbox,
		ExpiresAt: time.Unix(int64(exp), 0).UTC(),
	}, nil
}

// decodeSegment decodes one base64url JSON part. Its errors are fixed texts
// because JSON errors quote input, and the input is part of a secret.
func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errors.New("not a JSON object of the expected shape")
	}
	return nil
}

// CheckToken is the offline half of token intake (wb-api.md §3.5): it
// refuses tokens Indigo cannot work with, each with its own message id, and
// warns about ones it can use but the seller should know about.
func CheckToken(token string, now time.Time) (TokenReport, error) {
	c, err := ParseToken(token)
	if err != nil {
		return TokenReport{}, err
	}
	reject := func(msgID string, data map[string]any, cause error) (TokenReport, error) {
		return TokenReport{}, &domain.Error{Code: domain.CodeInvalid, MsgID: msgID, Data: data, Err: cause}
	}
	switch {
	case !c.ExpiresAt.After(now):
		return reject("error.token.expired", map[string]any{"ExpiredAt": c.ExpiresAt},
			fmt.Errorf("%w at %s", ErrTokenExpired, c.ExpiresAt.Format(time.RFC3339)))
	case c.Type() == TokenTest:
		return reject("error.token.test_token", nil, ErrTestToken)
	case c.ReadOnly():
		return reject("error.token.read_only", nil, ErrTokenReadOnly)
	}
	if missing := c.Missing(RequiredCategories()...); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = string(m)
		}
		return reject("error.token.missing_scopes", map[string]any{"Missing": names},
			fmt.Errorf("%w: %s", ErrMissingScope, strings.Join(names, ", ")))
	}
	rep := TokenReport{Claims: c, Type: c.Type(), Hint: TokenHint(token)}
	if left := c.ExpiresAt.Sub(now); left < ExpiryWarning {
		rep.Warnings = append(rep.Warnings, domain.Errorf(domain.CodeInvalid, "warning.token.expires_soon",
			map[string]any{"Count": max(1, int(left/(24*time.Hour))), "ExpiresAt": c.ExpiresAt}))
	}
	if rep.Type == TokenPersonal {
		rep.Warnings = append(rep.Warnings, domain.Errorf(domain.CodeInvalid, "warning.token.personal", nil))
	}
	return rep, nil
}
