package conversations_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
)

// TestCheckImage: what a picture's header alone decides. Real photos and
// screenshots pass; bombs of every format, files past the byte cap and
// what is no picture are refused with the message the person sees.
func TestCheckImage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		data  []byte
		want  error // nil, ErrImageTooLarge or ErrImageUnreadable
		msgID string
	}{
		{"Photo4000x3000", jpegBomb(t, 4000, 3000), nil, ""},
		{"Screenshot1290x2796", convtest.BombPNG(1290, 2796), nil, ""},
		{"Camera16MP", convtest.BombPNG(4624, 3468), nil, ""},
		{"BombPNG", convtest.BombPNG(50000, 50000), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"BombWithinTelegramLimits", convtest.BombPNG(5000, 5000), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"BombLongSide", convtest.BombPNG(1<<31-1, 1), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"BombJPEG", jpegBomb(t, 65535, 65535), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"BombGIF", gifBomb(t, 65535, 65535), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"PastByteCap", append(pngOf(t, 8, 8), make([]byte, conversations.MaxImageBytes)...), conversations.ErrImageTooLarge, "error.input.image_too_large"},
		{"Empty", nil, conversations.ErrImageUnreadable, "error.input.image_unreadable"},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), conversations.ErrImageUnreadable, "error.input.image_unreadable"},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), conversations.ErrImageUnreadable, "error.input.image_unreadable"},
		{"TruncatedPNG", convtest.BombPNG(100, 100)[:20], conversations.ErrImageUnreadable, "error.input.image_unreadable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := conversations.CheckImage(tt.data)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("CheckImage = %+v, %v; want %v", info, err, tt.want)
			}
			if err != nil {
				if domain.ErrorCode(err) != domain.CodeInvalid || domain.ErrorMsgID(err) != tt.msgID {
					t.Errorf("refusal = %s %q, want invalid %q", domain.ErrorCode(err), domain.ErrorMsgID(err), tt.msgID)
				}
				return
			}
			if info.Cost <= 0 || info.Cost > conversations.DecodeBudget {
				t.Errorf("cost %d MB, want within the budget of %d MB", info.Cost>>20, conversations.DecodeBudget>>20)
			}
		})
	}
}

// TestDecodeQR: the code is read from a screenshot in each format we
// accept, also from a large one the reader sees scaled down; a picture
// without a code, or that is none, is an error, never a panic.
func TestDecodeQR(t *testing.T) {
	t.Parallel()
	const code = "WB-PICKUP-77123"
	qr := qrImage(t, code, 240)
	for _, tt := range []struct {
		name    string
		data    []byte
		want    string
		refused error
	}{
		{"PNG", convtest.QRPNG(t, code), code, nil},
		{"JPEG", encodeJPEG(t, qr), code, nil},
		{"GIF", encodeGIF(t, qr), code, nil},
		{"LargeScreenshot", encodePNG(t, qrImage(t, code, 3000)), code, nil},
		{"NoCode", pngOf(t, 300, 300), "", nil},
		{"Bomb", convtest.BombPNG(50000, 50000), "", conversations.ErrImageTooLarge},
		{"Garbage", []byte("not a picture"), "", conversations.ErrImageUnreadable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := conversations.DecodeQR(context.Background(), tt.data)
			switch {
			case tt.want != "" && (err != nil || got != tt.want):
				t.Errorf("DecodeQR = %q, %v; want %q", got, err, tt.want)
			case tt.want == "" && err == nil:
				t.Errorf("DecodeQR = %q, want an error", got)
			case tt.refused != nil && !errors.Is(err, tt.refused):
				t.Errorf("DecodeQR error = %v, want %v", err, tt.refused)
			}
		})
	}
}

// FuzzDecodeQR: whatever bytes arrive, the bounded decoder never panics,
// never decodes a picture past the caps, and fails only with a refusal,
// a missing code or a cancelled wait.
func FuzzDecodeQR(f *testing.F) {
	for _, seed := range imageSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, checkErr := conversations.CheckImage(data)
		if checkErr == nil && (int64(info.Width)*int64(info.Height) > conversations.MaxImagePixels || info.Cost > conversations.DecodeBudget) {
			t.Fatalf("CheckImage let %+v through", info)
		}
		if checkErr != nil && domain.ErrorCode(checkErr) != domain.CodeInvalid {
			t.Fatalf("CheckImage refusal %v is not a person's mistake", checkErr)
		}
		err := conversations.DecodeImage(context.Background(), data, func(img image.Image) error {
			if b := img.Bounds(); b.Dx() != info.Width || b.Dy() != info.Height {
				t.Fatalf("decoded %v, header said %d×%d", b, info.Width, info.Height)
			}
			return nil
		})
		if (err == nil) != (checkErr == nil) && !errors.Is(err, conversations.ErrImageUnreadable) {
			t.Fatalf("DecodeImage = %v after CheckImage = %v", err, checkErr)
		}
		if _, err := conversations.DecodeQR(context.Background(), data); err == nil && checkErr != nil {
			t.Fatalf("DecodeQR read a refused picture")
		}
	})
}

// imageSeeds are the fuzz corpus's starting points: each format at its
// smallest, the bombs, and headers cut short.
func imageSeeds(tb testing.TB) [][]byte {
	small := pngOf(tb, 4, 4)
	return [][]byte{
		convtest.QRPNG(tb, "48210937"),
		small,
		encodeJPEG(tb, image.NewGray(image.Rect(0, 0, 8, 8))),
		encodeJPEG(tb, image.NewRGBA(image.Rect(0, 0, 16, 8))),
		encodeGIF(tb, image.NewGray(image.Rect(0, 0, 4, 4))),
		convtest.BombPNG(50000, 50000),
		convtest.BombPNG(1024, 1024),
		jpegBomb(tb, 65535, 65535),
		gifBomb(tb, 65535, 65535),
		small[:33],
		[]byte("GIF89a"),
		[]byte("\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"),
	}
}

func qrImage(tb testing.TB, text string, side int) image.Image {
	tb.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, side, side, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// pngOf is a w×h grey picture with some structure and no code in it.
func pngOf(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	return encodePNG(tb, img)
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// jpegBomb is a small JPEG whose frame header is patched to declare w×h.
func jpegBomb(tb testing.TB, w, h uint16) []byte {
	tb.Helper()
	data := encodeJPEG(tb, image.NewRGBA(image.Rect(0, 0, 16, 16)))
	sof := bytes.Index(data, []byte{0xff, 0xc0})
	if sof < 0 {
		tb.Fatal("no SOF0 in the encoded JPEG")
	}
	binary.BigEndian.PutUint16(data[sof+5:], h)
	binary.BigEndian.PutUint16(data[sof+7:], w)
	return data
}

// gifBomb is a small GIF whose logical screen is patched to declare w×h.
func gifBomb(tb testing.TB, w, h uint16) []byte {
	tb.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	data := encodeGIF(tb, img)
	binary.LittleEndian.PutUint16(data[6:], w)
	binary.LittleEndian.PutUint16(data[8:], h)
	return data
}
