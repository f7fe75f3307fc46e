package wechat

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/locales"
)

var bundle = locales.MustNew()

// texts lays parts out as the follower reads them, numbering across them.
func texts(parts []part, l *locales.Localizer) []string {
	var out []string
	n := 0
	for _, p := range parts {
		if p.photo != nil {
			out = append(out, "[photo "+p.photo.Name+"]")
			continue
		}
		out = append(out, p.text(l, &n))
	}
	return out
}

func TestRender(t *testing.T) {
	l := bundle.For("en")
	choose := l.T("msg.wechat.choose")
	for _, tt := range []struct {
		name    string
		replies []conversations.Reply
		want    []string
	}{
		{
			name: "ChoicesNumberedAcrossReplies",
			replies: []conversations.Reply{
				{Text: "Pick a language:", Buttons: [][]conversations.Button{{{Text: "English", Data: "a"}}, {{Text: "中文", Data: "b"}}}},
				{Toast: "Saved"},
				{Text: "Or a store:", Buttons: [][]conversations.Button{{{Text: "Main", Data: "c"}, {Text: "Second", Data: "d"}}}},
			},
			want: []string{"Pick a language:\n\n1. English\n2. 中文\n\nSaved\n\nOr a store:\n\n3. Main\n4. Second\n\n" + choose},
		},
		{
			name: "PhotosApartEditsAsNew",
			replies: []conversations.Reply{
				{Photos: []conversations.Photo{{Name: "a.jpg", Data: []byte{1}}, {Name: "b.jpg", Data: []byte{2}}}},
				{Text: "Card", EditMessageID: "17", Photos: []conversations.Photo{{URL: "https://img.example/p.jpg"}}},
			},
			want: []string{"[photo a.jpg]", "[photo b.jpg]", "Card\n🖼 https://img.example/p.jpg"},
		},
		{
			name:    "DeletionBecomesARequestToRecall",
			replies: []conversations.Reply{{DeleteMessage: "123"}, {Text: "Token accepted"}},
			want:    []string{l.T("msg.wechat.recall") + "\n\nToken accepted"},
		},
		{
			name:    "NothingToSay",
			replies: []conversations.Reply{{Toast: " "}, {}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, texts(render(l, tt.replies), l)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderLongText(t *testing.T) {
	l := bundle.For("zh")
	line := strings.Repeat("退货", 50) // 300 bytes
	long := strings.TrimSpace(strings.Repeat(line+"\n", 20))
	parts := render(l, []conversations.Reply{{Text: long, Buttons: [][]conversations.Button{{{Text: "确认", Data: "x"}}}}})
	if len(parts) < 3 {
		t.Fatalf("6000 bytes in %d messages", len(parts))
	}
	var joined []string
	for i, s := range texts(parts, l) {
		if len(s) > 2048 || !utf8.ValidString(s) {
			t.Fatalf("message %d is %d bytes (valid UTF-8: %v)", i, len(s), utf8.ValidString(s))
		}
		joined = append(joined, s)
	}
	last := joined[len(joined)-1]
	if !strings.Contains(last, "1. 确认") || strings.Contains(strings.Join(joined[:len(joined)-1], ""), "1. 确认") {
		t.Errorf("the choices are not under the last piece")
	}
	if got := strings.Count(strings.Join(joined, "\n"), line); got != 20 {
		t.Errorf("%d of 20 lines survived the split whole", got)
	}
}

func TestFit(t *testing.T) {
	photo := func(name string) part { return part{photo: &conversations.Photo{Name: name, Data: []byte{1}}} }
	text := func(s string) part { return part{segs: []segment{{text: s}}} }
	names := func(ps []part) []string {
		var out []string
		for _, p := range ps {
			if p.photo != nil {
				out = append(out, p.photo.Name)
			} else {
				out = append(out, p.segs[0].text)
			}
		}
		return out
	}
	all := []part{photo("p1"), photo("p2"), text("card"), photo("p3"), text("more")}
	for _, tt := range []struct {
		budget     int
		send, rest []string
	}{
		{5, []string{"p1", "p2", "card", "p3", "more"}, nil},
		{3, []string{"p1", "card", "more"}, []string{"p2", "p3"}},
		{1, []string{"card"}, []string{"p1", "p2", "p3", "more"}},
		{0, nil, []string{"p1", "p2", "card", "p3", "more"}},
	} {
		t.Run(fmt.Sprint(tt.budget), func(t *testing.T) {
			send, rest := fit(all, tt.budget)
			if diff := cmp.Diff(tt.send, names(send)); diff != "" {
				t.Errorf("send (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rest, names(rest)); diff != "" {
				t.Errorf("rest (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHeldRoundTrip: parts held and taken back read the same.
func TestHeldRoundTrip(t *testing.T) {
	l := bundle.For("ru")
	replies := []conversations.Reply{
		{Photos: []conversations.Photo{{Name: "a.jpg", Data: []byte{1}}}},
		{Text: "Карточка", Buttons: [][]conversations.Button{{{Text: "Да", Data: "y"}, {Text: "Нет", Data: "n"}}}},
	}
	parts := render(l, replies)
	if diff := cmp.Diff(texts(parts, l), texts(render(l, toReplies(parts)), l)); diff != "" {
		t.Errorf("(-before +after):\n%s", diff)
	}
}

func TestCodeOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{errors.New("customer msg send error : errcode=45015 , errmsg=response out of time limit"), 45015},
		{errors.New("get access_token error : errcode=40125 , errormsg=invalid appsecret"), 40125},
		{errors.New("SetMenu Error , errcode=40018 , errmsg=invalid button name size"), 40018},
		{errors.New("dial tcp: connection refused"), 0},
	} {
		if got := codeOf(tt.err); got != tt.want {
			t.Errorf("codeOf(%q) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	b := &Bot{cfg: Config{AppSecret: "s3cr3t-app-secret", AESKey: strings.Repeat("k", 43)}}
	for _, in := range []error{
		errors.New(`http get error : uri=https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t-app-secret , statusCode=502`),
		&url.Error{Op: "Post", URL: "http://127.0.0.1:1/cgi-bin/message/custom/send?access_token=AT_live_token", Err: errors.New("connection refused")},
		fmt.Errorf("key %s is bad", strings.Repeat("k", 43)),
	} {
		got := b.scrub(in).Error()
		for _, secret := range []string{"s3cr3t-app-secret", "AT_live_token", strings.Repeat("k", 43)} {
			if strings.Contains(got, secret) {
				t.Errorf("scrub(%q) = %q", in, got)
			}
		}
	}
	plain := errors.New("nothing secret")
	if b.scrub(plain) != plain {
		t.Error("an error without secrets was rewritten")
	}
}

func TestFitImage(t *testing.T) {
	t.Parallel()
	// Noise compresses badly: a 900×700 PNG of it is over 2 MB.
	img := image.NewRGBA(image.Rect(0, 0, 900, 700))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rnd.UintN(256))
	}
	var big bytes.Buffer
	if err := png.Encode(&big, img); err != nil {
		t.Fatal(err)
	}
	if big.Len() <= maxImageBytes {
		t.Fatalf("the test picture is only %d bytes", big.Len())
	}
	data, name, err := fitImage(t.Context(), big.Bytes(), "inspection/IMG_1.png")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > maxImageBytes || http.DetectContentType(data) != "image/jpeg" || name != "IMG_1.jpg" {
		t.Errorf("fitted to %d bytes of %s named %q", len(data), http.DetectContentType(data), name)
	}
	small := image.NewRGBA(image.Rect(0, 0, 8, 8))
	small.Set(1, 1, color.White)
	var buf bytes.Buffer
	_ = png.Encode(&buf, small)
	data, name, err = fitImage(t.Context(), buf.Bytes(), "")
	if err != nil || !bytes.Equal(data, buf.Bytes()) || name != "photo.png" {
		t.Errorf("a small PNG was changed: %q, %v", name, err)
	}
	// Past 2 MB it would be decoded: a bomb is refused from its header.
	bomb := append(convtest.BombPNG(50000, 50000), make([]byte, maxImageBytes)...)
	if _, _, err := fitImage(t.Context(), bomb, "bomb.png"); !errors.Is(err, conversations.ErrImageTooLarge) {
		t.Errorf("fitImage(bomb) = %v, want it refused as too large", err)
	}
}

func TestMenuCoversEveryCommand(t *testing.T) {
	var inMenu []string
	for _, g := range menuGroups {
		inMenu = append(inMenu, g.commands...)
	}
	cmds := conversations.Commands()
	slices.Sort(inMenu)
	slices.Sort(cmds)
	if diff := cmp.Diff(cmds, inMenu); diff != "" {
		t.Errorf("the account menu and the commands differ (-commands +menu):\n%s", diff)
	}
	for cmd := range commandLabels {
		if !slices.Contains(cmds, cmd) {
			t.Errorf("a menu label for %q, which is no command", cmd)
		}
	}
}
