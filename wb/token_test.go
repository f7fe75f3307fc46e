package wb_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestParseToken(t *testing.T) {
	fake := wbfake.NewUnstarted()
	exp := time.Date(2027, 5, 1, 12, 0, 0, 0, time.UTC)
	tok := fake.IssueToken(wbfake.TokenOptions{SellerID: "a1b2", Personal: true, ExpiresAt: exp,
		Scopes: wbfake.ScopeContent | wbfake.ScopeReturns})

	t.Run("OK", func(t *testing.T) {
		c, err := wb.ParseToken(" Bearer " + tok + "\n")
		must(t, err)
		got := struct {
			SID, Alg string
			Scopes   uint64
			Type     wb.TokenType
			Exp      time.Time
			Has      []bool
		}{c.SellerID, c.Algorithm, c.Scopes, c.Type(), c.ExpiresAt,
			[]bool{c.Has(wb.CategoryContent), c.Has(wb.CategoryReturns), c.Has(wb.CategoryMarketplace), c.Has(wb.CategoryCommon)}}
		want := got
		want.SID, want.Alg, want.Scopes, want.Type, want.Exp = "a1b2", "ES256", 1<<1|1<<11, wb.TokenPersonal, exp
		want.Has = []bool{true, true, false, true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("claims (-want +got):\n%s", diff)
		}
	})

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct{ name, token string }{
		{"Empty", ""},
		{"Words", "not a token"},
		{"TwoParts", "abc.def"},
		{"EmptyPart", b64(`{}`) + ".." + b64("sig")},
		{"NotBase64", "a!b.c.d"},
		{"NotJSON", b64("hello") + "." + b64("world") + "." + b64("sig")},
		{"OldHS256", b64(`{"alg":"HS256"}`) + "." + b64(`{"accessID":"x"}`) + "." + b64("sig")},
		{"NoSID", b64(`{"alg":"ES256"}`) + "." + b64(`{"exp":1900000000,"s":2}`) + "." + b64("sig")},
	} {
		t.Run("ErrNotJWT/"+tt.name, func(t *testing.T) {
			_, err := wb.ParseToken(tt.token)
			if !errors.Is(err, wb.ErrTokenNotJWT) || domain.ErrorMsgID(err) != "error.token.not_jwt" {
				t.Fatalf("err = %v, want error.token.not_jwt", err)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}
}

func TestCheckToken(t *testing.T) {
	fake := wbfake.NewUnstarted()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	fake.SetClock(func() time.Time { return now })
	issue := func(o wbfake.TokenOptions) string { return fake.IssueToken(o) }

	for _, tt := range []struct {
		name    string
		token   string
		msgID   string
		is      error
		data    map[string]any
		compare bool // compare Data
	}{
		{name: "ErrNotJWT", token: "garbage-token-value", msgID: "error.token.not_jwt", is: wb.ErrTokenNotJWT},
		{name: "ErrExpired", token: issue(wbfake.TokenOptions{ExpiresAt: now.Add(-time.Minute)}),
			msgID: "error.token.expired", is: wb.ErrTokenExpired},
		{name: "ErrExpiredNow", token: issue(wbfake.TokenOptions{ExpiresAt: now}),
			msgID: "error.token.expired", is: wb.ErrTokenExpired},
		{name: "ErrTestToken", token: issue(wbfake.TokenOptions{Test: true}),
			msgID: "error.token.test_token", is: wb.ErrTestToken},
		{name: "ErrReadOnly", token: issue(wbfake.TokenOptions{ReadOnly: true}),
			msgID: "error.token.read_only", is: wb.ErrTokenReadOnly},
		{name: "ErrMissingScopes", token: issue(wbfake.TokenOptions{Scopes: wbfake.ScopeContent | wbfake.ScopeReturns}),
			msgID: "error.token.missing_scopes", is: wb.ErrMissingScope, compare: true,
			data: map[string]any{"Missing": []string{"analytics", "marketplace"}}},
		{name: "ErrMissingAllScopes", token: issue(wbfake.TokenOptions{Scopes: wbfake.ScopeLegacy}),
			msgID: "error.token.missing_scopes", is: wb.ErrMissingScope, compare: true,
			data: map[string]any{"Missing": []string{"content", "analytics", "marketplace", "returns"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wb.CheckToken(tt.token, now)
			var de *domain.Error
			if !errors.As(err, &de) || de.MsgID != tt.msgID || de.Code != domain.CodeInvalid {
				t.Fatalf("err = %v, want %s (invalid)", err, tt.msgID)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if tt.compare {
				if diff := cmp.Diff(tt.data, de.Data); diff != "" {
					t.Errorf("data (-want +got):\n%s", diff)
				}
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}

	for _, tt := range []struct {
		name  string
		token string
		want  []string // warning ids
		days  int
		typ   wb.TokenType
	}{
		{name: "OK", token: issue(wbfake.TokenOptions{}), typ: wb.TokenService},
		{name: "OKBasic", token: issue(wbfake.TokenOptions{Basic: true}), typ: wb.TokenBasic},
		{name: "WarnExpiresSoon", token: issue(wbfake.TokenOptions{ExpiresAt: now.Add(3*24*time.Hour + time.Hour)}),
			want: []string{"warning.token.expires_soon"}, days: 3, typ: wb.TokenService},
		{name: "WarnPersonal", token: issue(wbfake.TokenOptions{Personal: true}),
			want: []string{"warning.token.personal"}, typ: wb.TokenPersonal},
		{name: "WarnBoth", token: issue(wbfake.TokenOptions{Personal: true, ExpiresAt: now.Add(10 * time.Hour)}),
			want: []string{"warning.token.expires_soon", "warning.token.personal"}, days: 1, typ: wb.TokenPersonal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := wb.CheckToken(tt.token, now)
			must(t, err)
			var ids []string
			for _, w := range rep.Warnings {
				ids = append(ids, w.MsgID)
				if w.MsgID == "warning.token.expires_soon" && w.Data["Count"] != tt.days {
					t.Errorf("Count = %v, want %d", w.Data["Count"], tt.days)
				}
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if rep.Type != tt.typ || rep.Hint != wb.TokenHint(tt.token) {
				t.Errorf("type, hint = %s, %q; want %s, %q", rep.Type, rep.Hint, tt.typ, wb.TokenHint(tt.token))
			}
		})
	}
}

func TestTokenHint(t *testing.T) {
	for _, tt := range []struct{ token, want string }{
		{"abcdefgh1234", "…1234"},
		{"Bearer abcdefgh1234 ", "…1234"},
		{"abc", "…"},
	} {
		if got := wb.TokenHint(tt.token); got != tt.want {
			t.Errorf("TokenHint(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
}
