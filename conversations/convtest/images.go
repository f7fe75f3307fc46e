package convtest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// BombPNG is a PNG of a hundred-odd bytes that declares w×h RGBA pixels:
// a valid IHDR with its CRC and an IDAT holding one compressed row of
// zeros, so the header reads well and a decoder that trusts it asks for
// w×h×4 bytes before finding the other rows missing.
func BombPNG(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA, no interlace
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	zw.Write(make([]byte, 1+64)) // the filter byte and the start of a row
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return buf.Bytes()
}

// BigPNG is a legal, large picture: w×h RGBA with enough noise that it
// weighs what a real photo saved as PNG does (4000×3000 is about 600 KB),
// for tests that a large picture under the caps is decoded, not refused.
func BigPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			v := uint8((x/64 + y/64) % 2 * 200)
			if r.IntN(160) == 0 {
				v ^= 0x3f
			}
			img.SetRGBA(x, y, color.RGBA{v, v, v, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
