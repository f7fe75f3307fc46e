package wb_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// FuzzParseToken: whatever a seller pastes, the token parser neither panics
// nor quotes the paste in its error (it may be a secret), and a token it
// accepts names a WB seller.
func FuzzParseToken(f *testing.F) {
	fake := wbfake.New()
	defer fake.Close()
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, seed := range []string{
		fake.IssueToken(wbfake.TokenOptions{}),
		"Bearer " + fake.IssueToken(wbfake.TokenOptions{Basic: true}),
		fake.IssueToken(wbfake.TokenOptions{Test: true}),
		"",
		"not a token",
		"a.b.c",
		b64(`{"alg":"ES256"}`) + "." + b64(`{"exp":1,"s":2,"sid":"x"}`) + ".c2ln",
		b64(`{"alg":"ES256"}`) + "." + b64(`{"exp":"soon","s":-1,"sid":""}`) + ".c2ln",
		b64(`{}`) + "." + b64(`{"exp":1e308,"s":18446744073709551616,"sid":"x"}`) + ".c2ln",
		strings.Repeat("A", wb.MaxTokenLength+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := wb.ParseToken(token)
		if err != nil {
			if domain.ErrorMsgID(err) != "error.token.not_jwt" {
				t.Fatalf("error %v has id %q", err, domain.ErrorMsgID(err))
			}
			if secret := strings.TrimSpace(token); len(secret) >= 12 && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the token: %v", err)
			}
			return
		}
		if c.SellerID == "" {
			t.Fatalf("accepted a token without a seller: %+v", c)
		}
		// The intake check runs on the same input without panicking.
		_, _ = wb.CheckToken(token, time.Unix(0, 0))
	})
}
