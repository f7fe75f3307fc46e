package convtest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// SellerName is the name of every seeded seller, and the one the
// onboarding story registers.
const SellerName = "Li Wei Trading"

// Seed is what exists before a story starts.
type Seed struct {
	// Newcomer: the person has no seller yet. Otherwise they are a seller
	// speaking the story's language, with quiet hours off so that a push
	// goes at once.
	Newcomer bool
	Stores   []SeedStore
	// Returns are in the first store ("Main store" if none is seeded).
	Returns []SeedReturn
}

// SeedStore is a connected WB store.
type SeedStore struct{ Name, Token string }

// SeedReturn is a return in a given status.
type SeedReturn struct {
	Number, Product string
	Status          domain.Status
	PickupPoint     string
	Comment         string // the warehouse's inspection comment
	Photos          int    // inspection photos on file
}

// World is what a story runs on: the seeded rows and what happened since.
type World struct {
	DB       *storage.DB
	Identity domain.Identity
	Lang     string
	Seller   *domain.Seller // nil for a newcomer
	Stores   []*domain.Store
	Returns  []*domain.Return
	Tokens   []string   // the WB tokens pasted so far
	photos   [][][]byte // each return's inspection photos
}

func (s Seed) plant(tb testing.TB, d Driver, lang string) *World {
	tb.Helper()
	w := &World{DB: d.Deployment().DB, Identity: d.Identity(), Lang: lang}
	if s.Newcomer {
		return w
	}
	w.Seller = pgtest.Seller(tb, w.DB, func(sl *domain.Seller) {
		sl.Name, sl.Language, sl.QuietHours = SellerName, domain.Language(lang), false
		sl.Identities = []domain.Identity{w.Identity}
	})
	w.plantStores(tb, s)
	for i, r := range s.Returns {
		w.Returns = append(w.Returns, pgtest.Return(tb, w.DB, w.Stores[0].ID, func(x *domain.Return) {
			x.ReturnNumber, x.ProductName, x.Status, x.PickupPointAddress = r.Number, r.Product, r.Status, r.PickupPoint
			// The same in every telling, for the golden transcripts.
			x.VendorCode, x.Barcode = fmt.Sprintf("VC-%d", 70+i), fmt.Sprintf("46000001%05d", 70+i)
		}))
		if r.Comment != "" { // the warehouse writes it after the return was created
			w.reinspect(tb, i, r.Comment)
		}
		w.photos = append(w.photos, w.attachPhotos(tb, w.Returns[i], r.Photos))
	}
	return w
}

// plantStores makes the seeded stores, and one for the returns if none is.
func (w *World) plantStores(tb testing.TB, s Seed) {
	tb.Helper()
	stores := s.Stores
	if len(stores) == 0 && len(s.Returns) > 0 {
		stores = []SeedStore{{Name: "Main store"}}
	}
	for _, st := range stores {
		w.Stores = append(w.Stores, pgtest.Store(tb, w.DB, w.Seller.ID, func(x *domain.Store) {
			x.Name = st.Name
			if st.Token != "" {
				x.Token = st.Token
			}
		}))
	}
}

func (w *World) attachPhotos(tb testing.TB, r *domain.Return, n int) [][]byte {
	tb.Helper()
	var out [][]byte
	for i := range n {
		data := Picture(tb, uint8(40+80*i))
		if err := storage.NewAttachmentService(w.DB).CreateAttachment(pgtest.System(), &domain.Attachment{
			SellerID: w.Seller.ID, ReturnID: &r.ID, Kind: domain.AttachmentPhoto,
			FileName: fmt.Sprintf("inspection-%d.png", i), ContentType: "image/png", Size: int64(len(data)), Data: data,
		}); err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func (w *World) notify(tb testing.TB, kind domain.NotificationKind, ret int) {
	tb.Helper()
	r := w.Returns[ret]
	if err := storage.NewNotificationService(w.DB).CreateNotification(pgtest.System(), &domain.Notification{
		SellerID: w.Seller.ID, Kind: kind, ReturnID: &r.ID, StoreID: &r.StoreID,
	}); err != nil {
		tb.Fatal(err)
	}
}

func (w *World) reinspect(tb testing.TB, ret int, comment string) {
	tb.Helper()
	if _, err := storage.NewReturnService(w.DB).UpdateReturn(pgtest.System(), w.Returns[ret].ID,
		domain.ReturnUpdate{InspectionComment: &comment}); err != nil {
		tb.Fatal(err)
	}
}

// SellerNow is the person's seller as stored now.
func (w *World) SellerNow(tb testing.TB) *domain.Seller {
	tb.Helper()
	s, err := storage.NewSellerService(w.DB).FindSellerByIdentity(pgtest.System(), w.Identity)
	if err != nil {
		tb.Fatalf("the seller of %+v: %v", w.Identity, err)
	}
	return s
}

// ReturnNow is seeded return i as stored now.
func (w *World) ReturnNow(tb testing.TB, i int) *domain.Return {
	tb.Helper()
	r, err := storage.NewReturnService(w.DB).FindReturnByID(pgtest.System(), w.Returns[i].ID)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// StoresNow are the seller's stores as stored now.
func (w *World) StoresNow(tb testing.TB) []*domain.Store {
	tb.Helper()
	s := w.SellerNow(tb)
	stores, err := storage.NewStoreService(w.DB).FindStores(pgtest.As(s), domain.StoreFilter{SellerID: &s.ID})
	if err != nil {
		tb.Fatal(err)
	}
	return stores
}

// Session is where the person's conversation is.
func (w *World) Session(tb testing.TB) (flow, state string) {
	tb.Helper()
	err := storage.NewSessionService(w.DB).WithSession(context.Background(), w.Identity.Channel, w.Identity.ExternalID,
		func(_ context.Context, s *domain.ChatSession) error {
			flow, state = s.Flow, s.State
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	return flow, state
}

// Picture is a small picture with no code in it, distinct by shade: a
// photo of a parcel, an inspection photo.
func Picture(tb testing.TB, shade uint8) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		img.Set(x, x%48, color.RGBA{R: shade, G: 100, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
