package conversations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // a GIF sent as a file: its first frame is read
	_ "image/jpeg"
	_ "image/png"
	"runtime"

	"golang.org/x/sync/semaphore"

	"github.com/indigo-warehouse/indigo/domain"
)

// image.go: every picture that comes from outside (a pickup-code
// screenshot, an inspection photo, a staff photo on its way to WeChat) is
// decoded here and nowhere else. A PNG of 140 bytes can declare
// 50000×50000 pixels, and image.Decode asks for 10 GB before it finds the
// rows missing. So the header is read first, a picture past the byte or
// pixel cap is refused, and the decodes of the whole process share one
// memory budget: twenty large pictures at once wait for each other instead
// of adding up. Formats are PNG, JPEG and GIF. WebP would bring in
// golang.org/x/image for a format neither channel delivers (Telegram and
// WeChat send photos as JPEG, screenshots sent as files are PNG), so it
// gets the "unreadable" answer.

const (
	// MaxImageBytes bounds a picture's file, like any attachment's.
	MaxImageBytes = domain.MaxAttachmentSize
	// MaxImagePixels lets a 16-megapixel camera photo (4624×3468), a
	// 4000×3000 photo and the tallest phone screenshot (1290×2796) through,
	// and stops what no camera makes before a byte of it is decoded.
	MaxImagePixels = 1 << 24
	// DecodeBudget bounds the memory all decodes hold at once, as their
	// headers predict it: two of the largest ordinary pictures decode side
	// by side (a 4000×3000 PNG is predicted at 85 MB, a 16 MP one at 105),
	// one a core, and the process stays under 300 MB however many arrive
	// together (TestDecodePeakRSS measures it).
	DecodeBudget = 192 << 20
	// qrSide is the longest side the QR reader looks at. A screenshot's QR
	// code keeps about 400 pixels at that scale, plenty for the reader,
	// whose own buffers grow with the picture.
	qrSide = 2048
)

// decodes is the process's decode budget, in bytes: memory is per
// process, so the budget is too.
var decodes = semaphore.NewWeighted(DecodeBudget)

// ImageInfo is what a picture's header says, and what decoding it costs.
type ImageInfo struct {
	Format        string // "png", "jpeg" or "gif"
	Width, Height int
	Cost          int64 // bytes a decode holds at its peak, pixels and work included
}

// ErrImageTooLarge and ErrImageUnreadable are the causes behind
// CheckImage's refusals, for the adapters' logs and for tests.
var (
	ErrImageTooLarge   = errors.New("image too large")
	ErrImageUnreadable = errors.New("image unreadable")
)

func imageTooLarge(err error) error {
	return &domain.Error{Code: domain.CodeInvalid, MsgID: "error.input.image_too_large",
		Data: map[string]any{"MaxMP": MaxImagePixels / 1_000_000, "MaxMB": MaxImageBytes >> 20},
		Err:  fmt.Errorf("%w: %w", ErrImageTooLarge, err)}
}

func imageUnreadable(err error) error {
	return &domain.Error{Code: domain.CodeInvalid, MsgID: "error.input.image_unreadable",
		Err: fmt.Errorf("%w: %w", ErrImageUnreadable, err)}
}

// CheckImage reads a picture's header and refuses one Indigo will not
// decode: over MaxImageBytes or MaxImagePixels, a decode that would not fit
// DecodeBudget, or a format it does not know. A refusal is a domain error
// that the person sees translated.
func CheckImage(data []byte) (ImageInfo, error) {
	if len(data) > MaxImageBytes {
		return ImageInfo{}, imageTooLarge(fmt.Errorf("%d bytes", len(data)))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return ImageInfo{}, imageUnreadable(fmt.Errorf("read image header: %w", err))
	}
	info := ImageInfo{Format: format, Width: cfg.Width, Height: cfg.Height}
	// A side alone past the cap is refused before the product is taken.
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImagePixels || cfg.Height > MaxImagePixels ||
		int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return info, imageTooLarge(fmt.Errorf("%s of %d×%d pixels", format, cfg.Width, cfg.Height))
	}
	info.Cost = decodeCost(format, cfg, data)
	if info.Cost > DecodeBudget {
		return info, imageTooLarge(fmt.Errorf("%s of %d×%d pixels needs %d MB to decode", format, cfg.Width, cfg.Height, info.Cost>>20))
	}
	return info, nil
}

// DecodeImage checks a picture, decodes it within the process's budget
// and hands it to use. The budget is returned when use returns, so use
// must not keep img.
func DecodeImage(ctx context.Context, data []byte, use func(img image.Image) error) error {
	info, err := CheckImage(data)
	if err != nil {
		return err
	}
	if err := decodes.Acquire(ctx, info.Cost); err != nil {
		return fmt.Errorf("wait to decode %s: %w", info.Format, err)
	}
	defer func() {
		// Collecting now hands the pixels straight to the next decode:
		// otherwise they linger until the heap doubles, and the budget
		// would bound only half of what the process holds.
		if info.Cost >= DecodeBudget/8 {
			runtime.GC()
		}
		decodes.Release(info.Cost)
	}()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return imageUnreadable(fmt.Errorf("decode %s: %w", info.Format, err))
	}
	if b := img.Bounds(); b.Dx() != info.Width || b.Dy() != info.Height {
		// The decoders honour their headers; a decode that did not would
		// have escaped the budget, so it is treated as unreadable.
		return imageUnreadable(fmt.Errorf("%s decoded as %v, header said %d×%d", info.Format, b, info.Width, info.Height))
	}
	return use(img)
}

// openPhoto fetches a file a person sent and, when it is a photo, checks
// it is a picture Indigo can decode: staff photos go on to sellers and
// are shown with decisions, where a bomb would fail every delivery.
func openPhoto(ctx context.Context, f File) ([]byte, error) {
	data, err := f.Open(ctx)
	switch {
	case domain.ErrorCode(err) == domain.CodeInvalid:
		return nil, err // the channel refused the file (too large): say so
	case err != nil:
		return nil, errInternal(fmt.Errorf("fetch %s %q: %w", f.Kind, f.Name, err))
	}
	if f.Kind == domain.AttachmentPhoto {
		if _, err := CheckImage(data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// decodeCost predicts the bytes the standard decoders allocate for a
// picture, plus the work after it (the QR reader's grey copy and buffers,
// or a re-encode's scaled copies). It errs high: a low guess would let
// decodes outgrow the budget.
func decodeCost(format string, cfg image.Config, data []byte) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	work := px + 6*min(px, qrSide*qrSide)
	switch format {
	case "gif":
		return px + work // the first frame, one palette index a pixel
	case "png":
		return pngCost(cfg, data, px) + work
	case "jpeg":
		return jpegCost(data, cfg.Width, cfg.Height) + work
	}
	return 8*px + work
}

// pngCost: the image at its decoded depth, half as much again for an
// interlaced picture (its passes are decoded apart and merged).
func pngCost(cfg image.Config, data []byte, px int64) int64 {
	bpp := int64(8)
	switch cfg.ColorModel {
	case color.GrayModel, color.RGBAModel, color.NRGBAModel:
		bpp = 4 // grey with a transparent colour decodes as NRGBA
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			bpp = 1
		}
	}
	cost := px * bpp
	// The interlace method is IHDR's last byte: signature 8, chunk header 8, then 12 bytes in.
	if len(data) > 28 && data[28] != 0 {
		cost += cost / 2
	}
	return cost
}

// jpegCost reads the frame header: the decoder allocates each component
// at its sampling in whole 8×8 blocks, keeps 4 bytes of coefficients per
// sample more when progressive, and converts an RGB or CMYK picture into
// a 4-byte-a-pixel image afterwards. An unusual layout gets the worst case.
func jpegCost(data []byte, w, h int) int64 {
	px := int64(w) * int64(h)
	worst := px*4*5 + 4*px
	adobe := false
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return worst
		}
		m := data[i+1]
		switch {
		case m == 0xff: // fill byte before a marker
			i++
			continue
		case m == 0xd8 || m == 0x01 || m >= 0xd0 && m <= 0xd7: // markers without a length
			i += 2
			continue
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if n < 2 || i+2+n > len(data) {
			return worst
		}
		seg := data[i+4 : i+2+n]
		switch {
		case m == 0xee: // APP14 (Adobe) may ask for an RGB or CMYK transform
			adobe = true
		case m == 0xc0 || m == 0xc1 || m == 0xc2: // the frames the standard decoder supports
			return frameCost(seg, m == 0xc2, adobe, worst)
		case m == 0xda: // a scan before any frame
			return worst
		}
		i += 2 + n
	}
	return worst
}

func frameCost(sof []byte, progressive, adobe bool, worst int64) int64 {
	if len(sof) < 6 {
		return worst
	}
	h, w, n := int64(sof[1])<<8|int64(sof[2]), int64(sof[3])<<8|int64(sof[4]), int(sof[5])
	if n < 1 || len(sof) < 6+3*n {
		return worst
	}
	var hmax, vmax int64 = 1, 1
	rgb := n == 3
	for c := range n {
		hv := sof[6+3*c+1]
		hmax, vmax = max(hmax, int64(hv>>4)), max(vmax, int64(hv&0x0f))
		rgb = rgb && sof[6+3*c] == "RGB"[c]
	}
	mcuX, mcuY := (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)
	var planes int64
	for c := range n {
		hv := sof[6+3*c+1]
		planes += mcuX * 8 * max(int64(hv>>4), 1) * mcuY * 8 * max(int64(hv&0x0f), 1)
	}
	cost := planes
	if progressive {
		cost += 4 * planes
	}
	if n == 4 || rgb || adobe && n >= 3 {
		cost += 4 * w * h
	}
	return cost
}

// qrGray turns a picture into the grey the QR reader works on, at most
// qrSide on its longest side: each grey pixel averages a k×k block, the
// way gozxing weighs colour (r+2g+b)/4 over white where transparent.
func qrGray(img image.Image) *image.Gray {
	b := img.Bounds()
	k := max(1, (max(b.Dx(), b.Dy())+qrSide-1)/qrSide)
	w, h := max(1, b.Dx()/k), max(1, b.Dy()/k)
	g := image.NewGray(image.Rect(0, 0, w, h))
	luma := lumaFunc(img)
	for y := range h {
		for x := range w {
			sum := 0
			for dy := range k {
				for dx := range k {
					sum += int(luma(b.Min.X+x*k+dx, b.Min.Y+y*k+dy))
				}
			}
			g.Pix[y*g.Stride+x] = uint8(sum / (k * k))
		}
	}
	return g
}

// lumaFunc reads the decoders' own pixel layouts directly: At boxes every
// pixel into an interface, which for 16 megapixels is a lot of garbage.
func lumaFunc(img image.Image) func(x, y int) uint8 {
	over := func(r, g, b, a uint32) uint8 { // 16-bit premultiplied channels
		lum := (r + 2*g + b) * 255 / (4 * 0xffff)
		return uint8((lum*a + (0xffff-a)*255) / 0xffff)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) uint8 { return m.Y[m.YOffset(x, y)] }
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	case *image.RGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return over(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
		}
	case *image.NRGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			a := uint32(p[3]) * 0x101
			return over(uint32(p[0])*a/0xff, uint32(p[1])*a/0xff, uint32(p[2])*a/0xff, a)
		}
	case *image.Paletted:
		lum := make([]uint8, len(m.Palette))
		for i, c := range m.Palette {
			lum[i] = over(c.RGBA())
		}
		return func(x, y int) uint8 {
			if i := int(m.Pix[m.PixOffset(x, y)]); i < len(lum) {
				return lum[i]
			}
			return 0xff
		}
	}
	return func(x, y int) uint8 { return over(img.At(x, y).RGBA()) }
}
