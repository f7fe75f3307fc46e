package conversations

import (
	"context"
	"fmt"
	"image"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/looplab/fsm"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/indigo-warehouse/indigo/domain"
)

// pickup.go: the QR / pickup-code exchange. WB has no API for collecting a
// return at a pickup point, so the seller sends the code (typed, or a
// screenshot of the QR) and the warehouse collects every return waiting at
// that point with it. A point whose code the warehouse already has shows
// that code (pickup.sent) and takes a correction instead of asking again.
const (
	pickupCode    = "pickup.code"
	pickupConfirm = "pickup.confirm"
	pickupSent    = "pickup.sent"
)

const btnPickup buttonKind = "pk"

func pickupModule() Module {
	return Module{
		Name:     "pickup",
		Flows:    []*Flow{&pickupFlow},
		Commands: []Command{{Name: "pickup", Menu: 4, NeedsSeller: true, Run: cmdPickup}},
		Buttons:  []ButtonSpec{{Kind: btnPickup, Owns: ownsReturn, Press: pressPickup}},
		// A picture sent without a word while returns wait for a code is
		// the code's screenshot; with a caption it is a message (support).
		Accepts: []Accept{{Name: "pickup-screenshot", Takes: pickupScreenshot, Run: func(t *Turn) error { return cmdPickup(t, "") }}},
	}
}

// pickupScreenshot takes a captionless picture while a return of the
// seller's waits for its pickup code.
func pickupScreenshot(t *Turn) (bool, error) {
	if t.seller == nil || t.kind() != inFile || t.Text() != "" {
		return false, nil
	}
	if f := t.in.Files[0]; f.Kind != domain.AttachmentPhoto && !strings.HasPrefix(f.ContentType, "image/") {
		return false, nil
	}
	st := domain.StatusAwaitingPickupCode
	waiting, _, err := t.e.Returns.FindReturns(t.ctx, domain.ReturnFilter{Status: &st, Limit: 1})
	if err != nil {
		return false, errInternal(err)
	}
	return len(waiting) > 0, nil
}

var pickupFlow = Flow{
	Name:  "pickup",
	Start: pickupCode,
	Transitions: fsm.Events{
		{Name: "read", Src: []string{pickupCode, pickupSent}, Dst: pickupConfirm},
		{Name: "confirmed", Src: []string{pickupConfirm}, Dst: Idle},
		{Name: "retry", Src: []string{pickupConfirm}, Dst: pickupCode},
		{Name: "correct", Src: []string{pickupSent}, Dst: pickupCode},
		{Name: "kept", Src: []string{pickupSent}, Dst: Idle},
	},
	Steps: map[string]Step{
		pickupCode:    {Ask: askPickupCode, Read: readPickupCode, Wants: inText | inFile},
		pickupConfirm: {Ask: askPickupConfirm, Read: readPickupConfirm, Wants: inChoice},
		pickupSent:    {Ask: askPickupSent, Read: readPickupSent, Wants: inChoice | inText | inFile},
	},
}

// pickupCodeShape is what a typed code may look like: WB shows digits, and
// QR payloads are short tokens; anything else is a typo or the wrong text.
var pickupCodeShape = regexp.MustCompile(`^[0-9A-Za-z\-]{4,64}$`)

// cmdPickup finds the returns waiting for a code and starts the exchange
// for one pickup point; several points get a button each.
func cmdPickup(t *Turn, _ string) error {
	st := domain.StatusAwaitingPickupCode
	waiting, _, err := t.e.Returns.FindReturns(t.ctx, domain.ReturnFilter{Status: &st})
	if err != nil {
		return errInternal(err)
	}
	if len(waiting) == 0 {
		t.Say("flow.pickup.none")
		return nil
	}
	byPoint := map[string][]*domain.Return{}
	var points []string
	for _, r := range waiting {
		if _, ok := byPoint[r.PickupPointAddress]; !ok {
			points = append(points, r.PickupPointAddress)
		}
		byPoint[r.PickupPointAddress] = append(byPoint[r.PickupPointAddress], r)
	}
	if len(points) > 1 {
		var rows [][]Button
		for _, p := range points {
			first := byPoint[p][0]
			rows = append(rows, []Button{{Text: t.l.WithCount(p, len(byPoint[p])), Data: btnPickup.on(first.ID, first.Version)}})
		}
		t.Send(Reply{Text: t.T("flow.pickup.choose_point"), Buttons: rows})
		return nil
	}
	return offerPickup(t, byPoint[points[0]])
}

func pressPickup(t *Turn, b button) error {
	r := b.ret
	if r.Status != domain.StatusAwaitingPickupCode {
		t.Toast("error.input.stale_button")
		return nil
	}
	st := domain.StatusAwaitingPickupCode
	same, _, err := t.e.Returns.FindReturns(t.ctx, domain.ReturnFilter{Status: &st})
	if err != nil {
		return errInternal(err)
	}
	var group []*domain.Return
	for _, o := range same {
		if o.PickupPointAddress == r.PickupPointAddress {
			group = append(group, o)
		}
	}
	return offerPickup(t, group)
}

// offerPickup asks for a pickup point's code or, when the warehouse holds
// one for every return there, shows it for correction. A screenshot the
// seller opened with is a code either way, and is read at once.
func offerPickup(t *Turn, group []*domain.Return) error {
	sent := group[0].PickupCode
	for _, r := range group {
		if r.PickupCode != sent {
			sent = "" // a return arrived after the code went: it needs one too
		}
	}
	if sent == "" || len(t.in.Files) > 0 {
		return startPickup(t, group, pickupCode)
	}
	return startPickup(t, group, pickupSent)
}

func startPickup(t *Turn, group []*domain.Return, state string) error {
	ids := make([]string, len(group))
	for i, r := range group {
		ids[i] = strconv.FormatInt(r.ID, 10)
	}
	data := map[string]string{"return_ids": strings.Join(ids, ","), "address": group[0].PickupPointAddress, "sent": group[0].PickupCode,
		"ends": firstPickupEnd(group)} // economics.go: WB's seven days
	if err := t.StartFlowAt(pickupFlow.Name, state, data); err != nil || len(t.in.Files) == 0 {
		return err
	}
	// The seller opened with the screenshot itself: read it now, under the
	// question that says how many returns wait at the point.
	return t.e.read(t)
}

func askPickupCode(t *Turn) error {
	n := len(strings.Split(t.s.Data["return_ids"], ","))
	t.Send(Reply{Text: t.l.Plural("flow.pickup.ask", n, map[string]any{"Address": t.s.Data["address"]}) + pickupAskClock(t)})
	return nil
}

// askPickupSent shows the code the warehouse holds for the point.
func askPickupSent(t *Turn) error {
	n := len(strings.Split(t.s.Data["return_ids"], ","))
	t.Ask("flow.pickup.code_sent", map[string]any{"Code": t.s.Data["sent"], "Address": t.s.Data["address"], "Count": n},
		Choice{Value: "correct", Label: "button.correct_code"}, Choice{Value: "keep", Label: "button.keep_code"})
	return nil
}

// readPickupSent keeps the code, or takes its correction: pressed for,
// or sent straight away as text or a screenshot.
func readPickupSent(t *Turn) (string, error) {
	switch t.Chosen() {
	case "correct":
		return "correct", nil
	case "keep":
		t.Say("flow.pickup.kept", map[string]any{"Code": t.s.Data["sent"]})
		return "kept", nil
	case "":
		return readPickupCode(t)
	}
	return "", nil
}

// readPickupCode accepts a typed code or a QR screenshot.
func readPickupCode(t *Turn) (string, error) {
	if len(t.in.Files) > 0 {
		f := t.in.Files[0]
		if f.Size > MaxImageBytes {
			return "", imageTooLarge(fmt.Errorf("%d bytes announced", f.Size))
		}
		data, err := f.Open(t.ctx)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInternal {
				return "", err // the channel refused the file (too large): say so
			}
			return "", errInternal(fmt.Errorf("fetch pickup screenshot: %w", err))
		}
		code, err := DecodeQR(t.ctx, data)
		switch {
		case domain.ErrorCode(err) == domain.CodeInvalid:
			return "", err // too large or not a picture: the answer says which
		case t.ctx.Err() != nil:
			return "", errInternal(fmt.Errorf("read pickup screenshot: %w", err))
		case err != nil:
			return "", domain.Errorf(domain.CodeInvalid, "error.pickup.unreadable", nil)
		}
		t.s.Data["code"] = code
		return "read", nil
	}
	code, ok := parsePickupCode(t.Text())
	if !ok {
		return "", domain.Errorf(domain.CodeInvalid, "error.pickup.bad_code", nil)
	}
	t.s.Data["code"] = code
	return "read", nil
}

// parsePickupCode reads a typed code: people copy it with the spaces WB
// groups digits by (or a phone's non-breaking ones), which are dropped.
func parsePickupCode(text string) (string, bool) {
	code := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text)
	return code, pickupCodeShape.MatchString(code)
}

func askPickupConfirm(t *Turn) error {
	t.Ask("flow.pickup.confirm", map[string]any{"Code": t.s.Data["code"], "Address": t.s.Data["address"]},
		Choice{Value: "yes", Label: "button.confirm"}, Choice{Value: "no", Label: "button.retry"})
	return nil
}

// readPickupConfirm saves the code on every return waiting at the point.
func readPickupConfirm(t *Turn) (string, error) {
	switch t.Chosen() {
	case "no":
		return "retry", nil
	case "yes":
	default:
		return "", nil
	}
	code := t.s.Data["code"]
	var numbers []string
	for _, idStr := range strings.Split(t.s.Data["return_ids"], ",") {
		id, _ := strconv.ParseInt(idStr, 10, 64)
		r, err := t.e.Returns.UpdateReturn(t.ctx, id, domain.ReturnUpdate{PickupCode: &code})
		if err != nil {
			return "", err
		}
		numbers = append(numbers, r.ReturnNumber)
	}
	t.Say("flow.pickup.sent", map[string]any{"Count": len(numbers), "Returns": numbers})
	return "confirmed", nil
}

// DecodeQR reads the QR code in a picture (a screenshot or a photo),
// decoded within the process's budget: a picture CheckImage refuses comes
// back as its domain error.
func DecodeQR(ctx context.Context, data []byte) (string, error) {
	var text string
	err := DecodeImage(ctx, data, func(img image.Image) error {
		g := qrGray(img)
		src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, g.Rect.Dx(), g.Rect.Dy(), 0, 0, g.Rect.Dx(), g.Rect.Dy(), false)
		if err != nil {
			return fmt.Errorf("luminance: %w", err)
		}
		bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
		if err != nil {
			return fmt.Errorf("binarize image: %w", err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
		if err != nil {
			return fmt.Errorf("find QR code: %w", err)
		}
		text = res.GetText()
		return nil
	})
	return text, err
}
