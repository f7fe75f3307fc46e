package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
)

// demo_images.go: product and inspection pictures drawn for the demo.

// demoImage draws a simple picture, the same for the same seed: a
// coloured product shape on a light background; inspection photos get a
// darker "warehouse table" and a ruler.
func demoImage(seed int64, w, h int, inspection bool) []byte {
	hf := fnv.New32a()
	fmt.Fprint(hf, seed)
	sum := hf.Sum32()
	hue := uint8(sum)
	if p, ok := (&demo{}).productByNm(seed); ok {
		hue = p.hue
	}
	base := demoHueColor(hue)
	bg := color.RGBA{245, 245, 240, 255}
	if inspection {
		bg = color.RGBA{120, 110, 95, 255}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := w/2, h/2
	rx, ry := w/3, h/3
	for y := range h {
		for x := range w {
			c := bg
			dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
			if dx*dx+dy*dy <= 1 {
				shade := uint8(40 * dy)
				c = color.RGBA{demoSat(base.R, shade), demoSat(base.G, shade), demoSat(base.B, shade), 255}
			}
			if inspection && y > h-24 && y < h-12 && x > 20 && x < w-20 {
				c = color.RGBA{230, 200, 60, 255}
				if (x-20)%20 == 0 {
					c = color.RGBA{20, 20, 20, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// demoHueColor is a bright colour of hue (0–255 around the colour wheel).
func demoHueColor(hue uint8) color.RGBA {
	h := float64(hue) / 256 * 6
	x := uint8(200 * (1 - demoAbs(demoMod2(h)-1)))
	switch int(h) {
	case 0:
		return color.RGBA{200, x, 40, 255}
	case 1:
		return color.RGBA{x, 200, 40, 255}
	case 2:
		return color.RGBA{40, 200, x, 255}
	case 3:
		return color.RGBA{40, x, 200, 255}
	case 4:
		return color.RGBA{x, 40, 200, 255}
	default:
		return color.RGBA{200, 40, x, 255}
	}
}

func demoMod2(f float64) float64 { return f - 2*float64(int(f/2)) }

func demoAbs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func demoSat(v, sub uint8) uint8 {
	if v < sub {
		return 0
	}
	return v - sub
}

func demoPtr[T any](v T) *T { return &v }

func demoUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
