package conversations_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// recordingDesk is the support desk as the engine sees it: it keeps what
// was relayed, so a test can tell that a message reached staff.
type recordingDesk struct {
	mu     sync.Mutex
	relays []conversations.SupportMessage
}

func (d *recordingDesk) Relay(_ context.Context, m conversations.SupportMessage) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.relays = append(d.relays, m)
	return nil
}

func (d *recordingDesk) AccountTaken(context.Context, *domain.Seller, string) error { return nil }

func (d *recordingDesk) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.relays)
}

// stray inputs a person may send at any step.
const (
	inCommand = "command" // /returns
	inMenu    = "menu"    // WeChat's menu item "Support", which arrives as /support
	inQR      = "qr"      // a QR screenshot while a return waits for its code
	inToken   = "token"   // a WB API token
	inSupport = "support" // a question for support
)

// TestEveryStateTakesEveryInput walks every declared state with each
// stray input and checks where it went and that the person was told. The
// table says which inputs a state's own step reads; everything else must
// go where the product takes it, with one line about the interrupted step.
func TestEveryStateTakesEveryInput(t *testing.T) {
	stepReads := map[string][]string{
		"onboarding.language": {inSupport}, "onboarding.terms": {}, "onboarding.name": {inSupport},
		"onboarding.phone": {}, "store.marketplace": {inSupport}, "store.name": {inSupport},
		"store.token": {inToken, inSupport}, "store.checklist": {}, "store.rename": {inSupport},
		"decision.confirm": {}, "pickup.code": {inQR, inSupport}, "pickup.confirm": {}, "pickup.sent": {inQR, inSupport},
		"profile.address": {inSupport}, "profile.documents": {inQR}, "support.message": {inQR, inSupport},
	}
	fake := wbfake.New()
	t.Cleanup(fake.Close)
	db := pgtest.New(t)
	desk := &recordingDesk{}
	deps := convtest.Deps(db, fake.URL, bundle, nil)
	deps.Support = desk
	engine := conversations.NewEngine(deps)
	l := bundle.For("en")
	var update int64

	declared := 0
	for _, f := range conversations.Flows() {
		for state := range f.Steps {
			declared++
			reads, ok := stepReads[state]
			if !ok {
				t.Errorf("state %s is not in the table", state)
				continue
			}
			for _, input := range []string{inCommand, inMenu, inQR, inToken, inSupport} {
				t.Run(state+"/"+input, func(t *testing.T) {
					newcomer := f.Name == "onboarding"
					chatID, data := stateFixture(t, db, newcomer, state)
					if err := engine.EnterForTest(t.Context(), domain.ChannelTelegram, chatID, f.Name, state, data); err != nil {
						t.Fatal(err)
					}
					relays := desk.count()
					update++
					in := conversations.Input{UpdateID: update, Channel: domain.ChannelTelegram, ChatID: chatID, UserID: chatID, LanguageCode: "en", MessageID: strconv.FormatInt(update, 10)}
					switch input {
					case inCommand:
						in.Text = "/returns"
					case inMenu:
						in.Text = "/support"
					case inQR:
						png := convtest.QRPNG(t, "WB-77123")
						in.Files = []conversations.File{{Kind: domain.AttachmentPhoto, Name: "qr.png", ContentType: "image/png", Size: int64(len(png)),
							Open: func(context.Context) ([]byte, error) { return png, nil }}}
					case inToken:
						in.Text = fake.IssueToken(wbfake.TokenOptions{})
					case inSupport:
						in.Text = "Where is my parcel?"
					}
					replies, err := engine.Handle(t.Context(), in)
					if err != nil {
						t.Fatal(err)
					}
					text := texts(replies)
					if text == "" {
						t.Fatalf("no answer")
					}
					flowTitle := l.T("flow." + f.Name + ".title")
					resumed := l.T("flow.resume", map[string]any{"Flow": flowTitle})
					closed := l.T("flow.closed", map[string]any{"Flow": flowTitle})
					// Another flow taking over closes this one with a line;
					// the same flow begun again needs none.
					closedFor := func(dest string) string {
						if dest == f.Name {
							return ""
						}
						return closed
					}
					mustSay := func(parts ...string) {
						t.Helper()
						for _, p := range parts {
							if !strings.Contains(text, p) {
								t.Errorf("the answer lacks %q:\n%s", p, text)
							}
						}
					}
					switch {
					case contains(reads, input):
						if strings.Contains(text, resumed) || strings.Contains(text, closed) {
							t.Errorf("the step's own input was treated as an interruption:\n%s", text)
						}
					case newcomer && (input == inCommand || input == inMenu):
						mustSay(l.T("flow.onboarding.first"))
					case newcomer:
						mustSay(resumed)
					case input == inCommand:
						mustSay(head(l.T("flow.returns.glance")), resumed)
					case input == inMenu:
						mustSay(closedFor("support"), l.T("flow.support.ask"))
					case input == inQR:
						mustSay(closedFor("pickup"), l.T("flow.pickup.confirm", map[string]any{"Code": "WB-77123", "Address": "Moscow, Tverskaya 1"}))
					case input == inToken:
						mustSay(closedFor("store"), head(l.T("flow.store.token_accepted")))
					case input == inSupport:
						mustSay(l.T("flow.support.sent"), resumed)
						if desk.count() != relays+1 {
							t.Errorf("the message did not reach support")
						}
					}
					if input == inToken && !contains(reads, input) && strings.Contains(text, "eyJ") {
						t.Errorf("the token was quoted back")
					}
				})
			}
		}
	}
	if declared != len(stepReads) {
		t.Errorf("%d states declared, %d in the table", declared, len(stepReads))
	}
}

// stateFixture makes the person and the data a state's step reads: a
// newcomer for onboarding, else a seller with a store, a return waiting
// for its pickup code and one waiting for a decision.
func stateFixture(t *testing.T, db *storage.DB, newcomer bool, state string) (string, map[string]string) {
	t.Helper()
	if newcomer {
		return strconv.FormatInt(900000+newcomers.Add(1), 10), map[string]string{"lang": "en", "name": "Li Wei"}
	}
	seller := pgtest.Seller(t, db, nil)
	store := pgtest.Store(t, db, seller.ID, nil)
	waiting := pgtest.Return(t, db, store.ID, func(r *domain.Return) {
		r.Status, r.PickupPointAddress = domain.StatusAwaitingPickupCode, "Moscow, Tverskaya 1"
	})
	deciding := pgtest.Return(t, db, store.ID, func(r *domain.Return) { r.Status = domain.StatusAwaitingSellerDecision })
	data := map[string]string{}
	switch state {
	case "store.token":
		data["name"] = "Main store"
	case "store.rename":
		data["store_id"] = strconv.FormatInt(store.ID, 10)
	case "decision.confirm":
		data["return_id"], data["decision"], data["version"] = strconv.FormatInt(deciding.ID, 10), "dispose", strconv.FormatInt(deciding.Version, 10)
	case "pickup.code", "pickup.confirm", "pickup.sent":
		data["return_ids"], data["address"], data["code"] = strconv.FormatInt(waiting.ID, 10), waiting.PickupPointAddress, "48210937"
		data["sent"] = "48210937"
	}
	return seller.Identities[0].ExternalID, data
}

var newcomers atomic.Int64

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// head is a message up to its first template field, for messages whose
// data a test does not rebuild.
func head(s string) string {
	for _, cut := range []string{"<no value>", "\n"} {
		if i := strings.Index(s, cut); i > 0 {
			s = s[:i]
		}
	}
	return s
}

// TestTypedPhone: the phone step takes a typed number (WeChat has no
// contact button), and a word that is a menu item there runs it.
func TestTypedPhone(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	c := h.chat("4401", "en")
	c.send("/start")
	c.press(l.T("language.en"))
	c.press(l.T("button.accept"))
	c.send("Li Wei")
	expect(t, c.send("help"), l.T("flow.help"), l.T("flow.onboarding.phone"))
	expect(t, c.send("+86 139 1234 5678"), l.T("flow.onboarding.welcome", map[string]any{"Name": "Li Wei"}))
	seller, err := storage.NewSellerService(h.db).FindSellerByIdentity(pgtest.System(), domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "4401"})
	if err != nil || seller.Phone != "+86 139 1234 5678" {
		t.Fatalf("seller %+v, %v", seller, err)
	}
}
