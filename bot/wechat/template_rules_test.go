package wechat_test

import (
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
)

// TestFitValue: each value is made what its key's type takes, or refused
// where cutting it would change what it says.
func TestFitValue(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key, value, want string
		refused          bool
	}{
		{key: "thing1", value: "退货待提供取件码", want: "退货待提供取件码"},
		{key: "thing2", value: "上海市浦东新区世纪大道一百号某某商场一层取件点", want: "上海市浦东新区世纪大道一百号某某商场一…"},
		{key: "keyword3", value: "line one\nline two", want: "line one line two"},
		{key: "thing4", value: "", want: ""},
		{key: "character_string1", value: "R-2026-000123", want: "R-2026-000123"},
		{key: "character_string1", value: "退货R-1", refused: true},
		{key: "character_string1", value: strings.Repeat("9", 33), refused: true},
		{key: "number2", value: "5", want: "5"},
		{key: "number2", value: "5天", refused: true},
		{key: "letter1", value: "abc", want: "abc"},
		{key: "phrase3", value: "即将过期", want: "即将过期"},
		{key: "phrase3", value: "Expires soon", refused: true},
		{key: "phrase3", value: "快要到期了吧", refused: true},
		{key: "time4", value: "2026年12月4日 18:00", want: "2026年12月4日 18:00"},
		{key: "time4", value: "2026-12-04 18:00", want: "2026-12-04 18:00"},
		{key: "time4", value: "15:01~16:00", want: "15:01~16:00"},
		{key: "time4", value: "tomorrow", refused: true},
		{key: "date5", value: "2026-12-04", want: "2026-12-04"},
		{key: "amount6", value: "₽1500.00", want: "₽1500.00"},
		{key: "amount6", value: "¥12.3元", want: "¥12.3元"},
		{key: "amount6", value: "1 500 ₽", refused: true},
	} {
		got, err := wechat.FitValue(tt.key, tt.value)
		if tt.refused {
			if err == nil {
				t.Errorf("FitValue(%s, %q) = %q, want it refused", tt.key, tt.value, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FitValue(%s, %q) = %q, %v; want %q", tt.key, tt.value, got, err, tt.want)
		}
	}
}

// TestParseTemplate: the configuration names a template's keys and the
// notice fields that fill them; what WeChat no longer shows, types Indigo
// cannot fill and fields the kind lacks are refused, with the reason.
func TestParseTemplate(t *testing.T) {
	t.Parallel()
	tpl, err := wechat.ParseTemplate(conversations.NoticePickupCode, "  Ab-12_x   thing1=title character_string2=return  time3=deadline ")
	if err != nil {
		t.Fatal(err)
	}
	want := wechat.Template{ID: "Ab-12_x", Fields: []wechat.TemplateField{
		{Key: "thing1", From: "title"}, {Key: "character_string2", From: "return"}, {Key: "time3", From: "deadline"}}}
	if tpl.ID != want.ID || len(tpl.Fields) != len(want.Fields) {
		t.Fatalf("got %+v, want %+v", tpl, want)
	}
	for i := range want.Fields {
		if tpl.Fields[i] != want.Fields[i] {
			t.Errorf("field %d = %+v, want %+v", i, tpl.Fields[i], want.Fields[i])
		}
	}
	for _, tt := range []struct{ spec, says string }{
		{"Ab12", "at least one"},
		{"Ab12 thing1", "key=field"},
		{"Ab12 first=title", "first or remark"},
		{"Ab12 remark=hint", "first or remark"},
		{"Ab12 car_number1=title", "Indigo fills"},
		{"Ab12 thing1=store", "pickup_code notices have the fields"},
		{"Ab12 thing1=title thing1=hint", "twice"},
	} {
		if _, err := wechat.ParseTemplate(conversations.NoticePickupCode, tt.spec); err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("ParseTemplate(%q) = %v, want an error saying %q", tt.spec, err, tt.says)
		}
	}
}

// TestEveryNoticeFieldHasAType: every field a kind's notices carry can be
// named in a template of that kind.
func TestEveryNoticeFieldHasAType(t *testing.T) {
	t.Parallel()
	for _, kind := range conversations.AllNoticeKinds() {
		var spec []string
		for i, f := range conversations.NoticeFields(kind) {
			spec = append(spec, "thing"+string(rune('1'+i))+"="+f)
		}
		if _, err := wechat.ParseTemplate(kind, "T "+strings.Join(spec, " ")); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
}
