package tgfake_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
)

func TestUploadLimits(t *testing.T) {
	t.Parallel()
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	big := make([]byte, tgfake.MaxPhotoUpload+1)
	copy(big, jpegBytes(t, 10, 10))

	for _, tt := range []struct {
		name string
		cfg  tgbotapi.Chattable
		want string
	}{
		{"PhotoOver10MB", tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "big.jpg", Bytes: big}), "Bad Request: PHOTO_SAVE_FILE_INVALID"},
		{"NotAnImage", tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "x.jpg", Bytes: []byte("not a jpeg")}), "Bad Request: IMAGE_PROCESS_FAILED"},
		{"TooTall", tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "t.jpg", Bytes: jpegBytes(t, 2, 50)}), "Bad Request: PHOTO_INVALID_DIMENSIONS"},
		// Refused from its header: the fake never decodes the 10 GB it declares.
		{"Bomb", tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "b.png", Bytes: convtest.BombPNG(50000, 50000)}), "Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"EmptyDocument", tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "a.pdf", Bytes: nil}), "Bad Request: file must be non-empty"},
		{"UnknownFileID", tgbotapi.NewPhoto(alice, tgbotapi.FileID("AgACnope")), "Bad Request: wrong file identifier/HTTP URL specified"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.Send(tt.cfg)
			// Uploads come back with Code 0 from v5.5.1 (chat-platforms.md §B4).
			if e := apiError(t, err); e.Message != tt.want {
				t.Errorf("err = %q, want %q", e.Message, tt.want)
			}
		})
	}
	if got := srv.Sent(alice); len(got) != 0 {
		t.Errorf("refused uploads left messages: %+v", got)
	}
}

func TestDocumentOver50MB(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 50 MB")
	}
	t.Parallel()
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	_, err := bot.Send(tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "huge.bin", Bytes: make([]byte, tgfake.MaxDocumentUpload+1)}))
	if e := apiError(t, err); e.Message != "Request Entity Too Large" {
		t.Errorf("err = %q", e.Message)
	}
}

func TestFileDownload(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	img := jpegBytes(t, 200, 100)
	in := srv.SendPhoto(alice, img, "inspection")
	if len(in.Photo) != 2 || in.Photo[0].Width != 90 || in.Photo[1].Width != 200 {
		t.Fatalf("sizes = %+v, want a 90px thumbnail then the original", in.Photo)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: in.Photo[1].FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.FileURL(f.FilePath))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(got, img) {
		t.Errorf("download: status %d, %d bytes, want %d", resp.StatusCode, len(got), len(img))
	}

	doc := srv.SendDocument(alice, "scan.pdf", make([]byte, tgfake.MaxDownload+1), "")
	if doc.Document.MimeType != "application/pdf" {
		t.Errorf("mime = %q", doc.Document.MimeType)
	}
	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: doc.Document.FileID})
	if e := apiError(t, err); e.Message != "Bad Request: file is too big" {
		t.Errorf("getFile over 20 MB: %q", e.Message)
	}
}

func TestFileIDReuse(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	photo := srv.SendPhoto(alice, jpegBytes(t, 40, 40), "")
	doc := srv.SendDocument(alice, "a.txt", []byte("hello"), "")
	srv.AddGroup(-1001000000002, "Staff", false)

	sent, err := bot.Send(tgbotapi.NewPhoto(-1001000000002, tgbotapi.FileID(photo.Photo[0].FileID)))
	if err != nil || len(sent.Photo) != 1 || sent.Photo[0].FileUniqueID != photo.Photo[0].FileUniqueID {
		t.Errorf("resent photo = %+v, %v", sent.Photo, err)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(alice, tgbotapi.FileID(doc.Document.FileID)))
	if e := apiError(t, err); e.Message != "Bad Request: type of file mismatch" {
		t.Errorf("document as photo: %q", e.Message)
	}
	up, err := bot.Send(tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "report.csv", Bytes: []byte("a,b\n")}))
	if err != nil {
		t.Fatal(err)
	}
	if _, data, ok := srv.FileData(up.Document.FileID); !ok || string(data) != "a,b\n" || up.Document.FileName != "report.csv" {
		t.Errorf("uploaded document = %+v %q", up.Document, data)
	}
}

func TestMediaGroup(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	first := srv.SendPhoto(alice, jpegBytes(t, 30, 30), "")
	p1 := tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "1.jpg", Bytes: jpegBytes(t, 30, 30)})
	p1.Caption = "Return 42"
	p2 := tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "2.jpg", Bytes: jpegBytes(t, 30, 30)})
	p3 := tgbotapi.NewInputMediaPhoto(tgbotapi.FileID(first.Photo[0].FileID))

	msgs, err := bot.SendMediaGroup(tgbotapi.NewMediaGroup(alice, []interface{}{p1, p2, p3}))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].MediaGroupID == "" || msgs[2].MediaGroupID != msgs[0].MediaGroupID || msgs[0].Caption != "Return 42" {
		t.Errorf("album = %+v", msgs)
	}
	_, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(alice, []interface{}{p3}))
	if e := apiError(t, err); e.Code != 400 {
		t.Errorf("one-item album: %+v", e)
	}
	mixed := []interface{}{p3, tgbotapi.NewInputMediaDocument(tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("x")})}
	_, err = bot.SendMediaGroup(tgbotapi.NewMediaGroup(alice, mixed))
	if e := apiError(t, err); e.Message != "Bad Request: document can't be mixed with other media types" {
		t.Errorf("mixed album: %q", e.Message)
	}
}

func TestSendAlbum(t *testing.T) {
	srv := MustFake(t, tgfake.Options{})
	bot := MustBot(t, srv)
	srv.SendAlbum(alice, [][]byte{jpegBytes(t, 10, 10), jpegBytes(t, 12, 12)}, "two photos")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2})
	if err != nil || len(ups) != 2 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	a, b := ups[0].Message, ups[1].Message
	if a.MediaGroupID == "" || a.MediaGroupID != b.MediaGroupID || a.Caption != "two photos" || b.Caption != "" {
		t.Errorf("album messages = %+v / %+v", a, b)
	}
}
