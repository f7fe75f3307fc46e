package telegram_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// photoHost serves pictures on loopback, where the fake Telegram, like a
// Telegram that cannot reach a host, refuses to fetch them: only the
// service can. Each path is one kind of answer.
type photoHost struct {
	*httptest.Server
	hits atomic.Int64
}

// unreachable is a URL no one answers: port 1 on loopback refuses.
const unreachable = "http://127.0.0.1:1/card.png"

func newPhotoHost(t *testing.T) *photoHost {
	t.Helper()
	img := pngImage(t)
	big := append(bytes.Clone(img), make([]byte, 10<<20)...) // a PNG past Telegram's 10 MB
	h := &photoHost{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		switch r.URL.Path {
		case "/card.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		case "/announced-big.png": // the length alone refuses it
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write(big)
		case "/streamed-big.png": // no length: cut off at the cap
			w.(http.Flusher).Flush()
			w.Write(big)
		case "/bomb.png": // 140 bytes declaring 50000×50000 pixels
			w.Write(convtest.BombPNG(50000, 50000))
		case "/page.html":
			w.Write([]byte("<html>not a picture</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// TestSendPhotoByURL: a photo Telegram cannot fetch by URL is fetched by
// the service and uploaded; one it cannot fetch either, or that is past
// the bounds, leaves the text to go alone with the photo's Missing line,
// keyboard and all.
func TestSendPhotoByURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	host := newPhotoHost(t)
	u := h.user(7107, "en")
	u.Send("hi") // opens the chat; the bot is not running
	ok := conversations.Button{Text: "OK", Data: "f|ok|1"}
	const missing = "No photo"
	photo := func(path string) conversations.Photo {
		return conversations.Photo{URL: host.URL + path, Missing: missing}
	}
	type msg struct {
		text    string // text or caption
		photo   bool
		buttons int
	}
	card := func(photos ...conversations.Photo) conversations.Reply {
		return conversations.Reply{Text: "Card", Photos: photos, Buttons: [][]conversations.Button{{ok}}}
	}
	for _, tt := range []struct {
		name  string
		reply conversations.Reply
		want  []msg
	}{
		{"Uploaded", card(photo("/card.png")), []msg{{text: "Card", photo: true, buttons: 1}}},
		{"Unreachable", card(conversations.Photo{URL: unreachable, Missing: missing}), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"NotFound", card(photo("/gone.png")), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"AnnouncedTooLarge", card(photo("/announced-big.png")), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"StreamedTooLarge", card(photo("/streamed-big.png")), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"Bomb", card(photo("/bomb.png")), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"NotAPicture", card(photo("/page.html")), []msg{{text: "Card\n\n" + missing, buttons: 1}}},
		{"AlbumLosesOne", conversations.Reply{Text: "Inspection", Photos: []conversations.Photo{photo("/card.png"), photo("/gone.png"), photo("/bomb.png")}},
			[]msg{{text: "Inspection", photo: true}, {text: missing}}},
		{"AlbumUploaded", conversations.Reply{Text: "Inspection", Photos: []conversations.Photo{photo("/card.png"), photo("/card.png")}},
			[]msg{{text: "Inspection", photo: true}, {photo: true}}},
		{"NoMissingLine", conversations.Reply{Text: "Card", Photos: []conversations.Photo{{URL: unreachable}}}, []msg{{text: "Card"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.tg.Sent(u.ID))
			if err := h.bot.Send(h.ctx(), strconv.FormatInt(u.ID, 10), []conversations.Reply{tt.reply}); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := h.tg.Sent(u.ID)[before:]
			if len(got) != len(tt.want) {
				t.Fatalf("sent %d messages, want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Text+g.Caption != w.text || (len(g.Photo) > 0) != w.photo || len(labels(g)) != w.buttons {
					t.Errorf("message %d = %q photo=%v buttons=%d, want %q photo=%v buttons=%d",
						i, g.Text+g.Caption, len(g.Photo) > 0, len(labels(g)), w.text, w.photo, w.buttons)
				}
			}
		})
	}
	if host.hits.Load() == 0 {
		t.Errorf("the service never fetched a photo itself")
	}
}

// TestCardPhoto: pressing a return in /returns shows its card whether or
// not Telegram can fetch the product photo: uploaded by the service, or
// as text in place of the list with a line saying the photo could not be
// loaded, in the seller's language.
func TestCardPhoto(t *testing.T) {
	t.Parallel()
	host := newPhotoHost(t)
	for i, tt := range []struct {
		name, lang, url string
		photo           bool
	}{
		{"UploadedEN", "en", host.URL + "/card.png", true},
		{"UnavailableRU", "ru", unreachable, false},
		{"UnavailableZH", "zh", host.URL + "/bomb.png", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})
			h.start()
			u := h.user(int64(17101+i), tt.lang)
			l := u.L
			r := pgtest.Return(t, h.db, pgtest.Store(t, h.db, sellerFor(t, h, u, tt.lang).ID, nil).ID, func(r *domain.Return) {
				r.Status, r.ProductName, r.PhotoURL = domain.StatusInTransitToWarehouse, "Silk scarf", tt.url
			})
			u.Send("/returns")
			list := u.Expect(glanceTitle(l))
			pressOn(t, u, list.MessageID, l.Label("tab", string(r.Tab())))
			waitButton(t, u, list.MessageID, r.ProductName)
			pressOn(t, u, list.MessageID, r.ProductName)
			number := l.Field(l.T("column.return_number"), r.ReturnNumber)
			var m tgfake.Message
			if tt.photo {
				m = u.ExpectMsg("the card with its photo", func(m tgfake.Message) bool {
					return len(m.Photo) > 0 && strings.Contains(m.Caption, number)
				})
			} else {
				m = expectEdit(t, u, list.MessageID, number)
				if !strings.HasSuffix(m.Text, "\n\n"+l.T("label.photo_unavailable")) {
					t.Errorf("the card does not say its photo is missing:\n%s", m.Text)
				}
			}
			if _, ok := tgtest.ButtonData(m, l.T("button.back")); !ok {
				t.Errorf("the card has no way back: %v", labels(m))
			}
		})
	}
}
