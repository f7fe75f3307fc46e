package conversations_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// staffChat records what the desk posts; the Telegram adapter's tests
// cover the wire. Topics it was told are gone answer ErrTopicGone.
type staffChat struct {
	mu     sync.Mutex
	id     int64
	forum  bool
	next   int
	topics map[int64]string
	gone   map[int64]bool
	posts  []staffPost
	edits  map[string]conversations.StaffMessage
}

type staffPost struct {
	at    conversations.StaffPlace
	m     conversations.StaffMessage
	ids   []string
	files [][]byte // what each file opened to when posted
}

func newStaffChat(forum bool) *staffChat {
	return &staffChat{id: -1001, forum: forum, next: 100, topics: map[int64]string{}, gone: map[int64]bool{},
		edits: map[string]conversations.StaffMessage{}}
}

func (c *staffChat) ID() int64                                        { return c.id }
func (c *staffChat) Forum(context.Context) (bool, error)              { return c.forum, nil }
func (c *staffChat) RenameTopic(context.Context, int64, string) error { return nil }

func (c *staffChat) OpenTopic(_ context.Context, name string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	c.topics[int64(c.next)] = name
	return int64(c.next), nil
}

func (c *staffChat) Post(ctx context.Context, at conversations.StaffPlace, m conversations.StaffMessage) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone[at.Thread] {
		return nil, fmt.Errorf("send: %w", conversations.ErrTopicGone)
	}
	p := staffPost{at: at, m: m}
	for range 1 + len(m.Files) {
		c.next++
		p.ids = append(p.ids, strconv.Itoa(c.next))
	}
	for _, f := range m.Files {
		data, err := f.Open(ctx)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f.Name, err)
		}
		p.files = append(p.files, data)
	}
	c.posts = append(c.posts, p)
	return p.ids, nil
}

func (c *staffChat) Edit(_ context.Context, id string, m conversations.StaffMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.edits[id] = m
	return nil
}

func (c *staffChat) last(t *testing.T) staffPost {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.posts) == 0 {
		t.Fatal("nothing posted in the staff chat")
	}
	return c.posts[len(c.posts)-1]
}

// replySender is a seller channel that can answer a message.
type replySender struct {
	recordingSender
	replyTo []string
}

func (s *replySender) SendReply(ctx context.Context, chatID, replyTo string, rs []conversations.Reply) error {
	s.mu.Lock()
	s.replyTo = append(s.replyTo, replyTo)
	s.mu.Unlock()
	return s.Send(ctx, chatID, rs)
}

type staffFixture struct {
	h      *harness
	chat   *staffChat
	desk   *conversations.StaffDesk
	sender *replySender
}

func newStaffFixture(t *testing.T, forum bool) *staffFixture {
	h := newHarness(t)
	f := &staffFixture{h: h, chat: newStaffChat(forum), sender: &replySender{}}
	f.desk = &conversations.StaffDesk{
		Services: convtest.Deps(h.db, h.wb.URL, bundle, nil), Support: storage.NewSupportService(h.db), Audit: storage.NewAuditService(h.db),
		Chat: f.chat, Senders: map[domain.Channel]conversations.Sender{domain.ChannelTelegram: f.sender},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		History: storage.NewSupportService(h.db),
	}
	h.staff = f.desk
	h.restart()
	return f
}

func (f *staffFixture) flush(t *testing.T) int {
	t.Helper()
	n, err := f.desk.Flush(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var staffUpdates int64 = 1_000_000

// staff runs one staff input as member 77 "Olga".
func (f *staffFixture) staff(t *testing.T, in conversations.StaffInput) string {
	t.Helper()
	staffUpdates++
	in.UpdateID, in.Channel, in.ChatID = staffUpdates, domain.ChannelTelegram, strconv.FormatInt(f.chat.id, 10)
	in.UserID, in.UserName = "77", "Olga"
	if in.MessageID == "" {
		in.MessageID = strconv.FormatInt(staffUpdates, 10)
	}
	toast, err := f.h.engine.HandleStaff(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return toast
}

// sellerChat is a registered seller writing from Telegram chat "8101".
func (f *staffFixture) sellerChat(t *testing.T) (*domain.Seller, *chat) {
	s := pgtest.Seller(t, f.h.db, func(s *domain.Seller) {
		s.Name = "Li Wei"
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: "8101"}}
	})
	pgtest.Store(t, f.h.db, s.ID, func(st *domain.Store) { st.Name = "Main store" })
	return s, f.h.chat("8101", "en")
}

func TestStaffRelayMerges(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	l := bundle.For("en")
	for _, text := range []string{"one", "two"} {
		expect(t, c.send(text), l.T("flow.support.sent"))
	}
	c.send("/support")
	photo := convtest.QRPNG(t, "a photo")
	c.handle(conversations.Input{Text: "three", Files: []conversations.File{{Kind: domain.AttachmentPhoto, Name: "a.png",
		Open: func(context.Context) ([]byte, error) { return photo, nil }}}})

	if n := f.flush(t); n != 3 {
		t.Fatalf("flushed %d relays, want 3", n)
	}
	p := f.chat.last(t)
	if len(f.chat.posts) != 1 || len(p.files) != 1 || !bytes.Equal(p.files[0], photo) {
		t.Fatalf("posts = %+v", f.chat.posts)
	}
	for _, want := range []string{"👤 Li Wei #", "🏪 Main store", "💬 one", "💬 two", "💬 three 📎 " + l.T("attachment.photo")} {
		if !strings.Contains(p.m.Text, want) {
			t.Errorf("merged post lacks %q:\n%s", want, p.m.Text)
		}
	}
	name := f.chat.topics[p.at.Thread]
	if want := fmt.Sprintf("Li Wei #%d · Main store · Telegram · English", seller.ID); name != want {
		t.Errorf("topic name %q, want %q", name, want)
	}
	if n := f.flush(t); n != 0 {
		t.Errorf("flushed %d again", n)
	}

	// Staff answer the merged post: the seller sees it as an answer to the
	// last message it holds; no staff name reaches them.
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "We will check"}, Thread: p.at.Thread, ReplyTo: p.ids[0]})
	got := f.sender.sent["8101"]
	if len(got) != 1 || got[0].Text != l.T("staff.reply.signed", map[string]any{"Text": "We will check"}) {
		t.Fatalf("seller got %+v", got)
	}
	if len(f.sender.replyTo) != 1 || f.sender.replyTo[0] == "" {
		t.Errorf("not sent in reply to the seller's message: %v", f.sender.replyTo)
	}
}

func TestStaffTopicGone(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	c.send("first")
	f.flush(t)
	old := f.chat.last(t).at.Thread
	f.chat.gone[old] = true

	c.send("second")
	f.flush(t)
	p := f.chat.last(t)
	if p.at.Thread == old || !strings.Contains(p.m.Text, "💬 second") || !strings.Contains(p.m.Text, "👤 Li Wei") {
		t.Fatalf("post after the topic went: %+v (old thread %d)", p, old)
	}
	th, err := storage.NewSupportService(f.h.db).FindSupportThread(pgtest.System(), f.chat.id, seller.ID)
	if err != nil || th.ThreadID != p.at.Thread {
		t.Fatalf("thread = %+v, %v", th, err)
	}
}

func TestStaffReplyFailureReported(t *testing.T) {
	f := newStaffFixture(t, false)
	_, c := f.sellerChat(t)
	c.send("hello")
	f.flush(t)
	post := f.chat.last(t)
	if post.at.Thread != 0 || !strings.Contains(post.m.Text, "👤 Li Wei") {
		t.Fatalf("a chat without topics: %+v", post)
	}
	f.sender.fail = fmt.Errorf("send: %w", conversations.ErrUnreachable)
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "answer", MessageID: "555"}, ReplyTo: post.ids[0]})
	p := f.chat.last(t)
	if p.m.Text != bundle.For("en").T("staff.reply.blocked") || p.at.ReplyTo != "555" {
		t.Errorf("failure report = %+v", p)
	}
}

// TestStaffCardSteps: a card's buttons carry the return's version; a step
// the lifecycle refuses says why; every step done is audited.
func TestStaffCardSteps(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, _ := f.sellerChat(t)
	stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	r := pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
		r.Status, r.ReturnNumber = domain.StatusInTransitToWarehouse, "R-5"
	})
	l := bundle.For("en")

	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/find R-5"}})
	card := f.chat.last(t)
	recv := buttonWith(t, card.m, l.T("staff.button.received"))
	toast := f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: recv, ButtonOn: card.ids[0]}})
	if !strings.Contains(toast, "R-5") {
		t.Errorf("toast = %q", toast)
	}
	if edited := f.chat.edits[card.ids[0]]; !strings.Contains(edited.Text, l.Label("status", string(domain.StatusAwaitingSellerDecision))) {
		t.Errorf("card not redrawn: %q", edited.Text)
	}
	// The same button again: the card was drawn before the change.
	toast = f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: recv, ButtonOn: card.ids[0]}})
	if toast != l.T("staff.card.stale") {
		t.Errorf("stale press toast = %q", toast)
	}
	// A step the status does not allow, with a fresh version.
	cur, _ := storage.NewReturnService(f.h.db).FindReturnByID(pgtest.System(), r.ID)
	toast = f.staff(t, conversations.StaffInput{Input: conversations.Input{
		Button: conversations.ButtonData("sa", "disp:"+strconv.FormatInt(r.ID, 10), cur.Version), ButtonOn: card.ids[0]}})
	if toast != l.T("error.return.illegal_transition") {
		t.Errorf("illegal step toast = %q", toast)
	}
	entries, err := storage.NewAuditService(f.h.db).FindAuditEntries(pgtest.System(), &r.ID, nil, 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "return.receive" || entries[0].Actor != domain.StaffActor(77, "Olga") {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
	hist, _ := storage.NewReturnService(f.h.db).FindTransitions(pgtest.System(), r.ID)
	if len(hist) != 1 || hist[0].Actor.Kind != domain.ActorStaff || hist[0].Actor.ID != 77 {
		t.Errorf("history = %+v", hist)
	}
}

// TestStaffShip: "Shipped" asks for the tracking number; the answer to
// the question, and only to it, ships the return with it. /ship does it
// in one go.
func TestStaffShip(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, _ := f.sellerChat(t)
	stores, _ := storage.NewStoreService(f.h.db).FindStores(pgtest.System(), domain.StoreFilter{SellerID: &seller.ID})
	mk := func(number string) *domain.Return {
		return pgtest.Return(t, f.h.db, stores[0].ID, func(r *domain.Return) {
			r.Status, r.ReturnNumber, r.Decision = domain.StatusAwaitingShipmentToSeller, number, domain.DecisionReturnToSeller
		})
	}
	a, b := mk("R-10"), mk("R-11")
	l := bundle.For("en")
	rs := storage.NewReturnService(f.h.db)

	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/r_" + strconv.FormatInt(a.ID, 10)}})
	card := f.chat.last(t)
	toast := f.staff(t, conversations.StaffInput{Input: conversations.Input{Button: buttonWith(t, card.m, l.T("staff.button.shipped")), ButtonOn: card.ids[0]}})
	ask := f.chat.last(t)
	if toast != l.T("staff.ship.ask") || ask.at.ReplyTo != card.ids[0] {
		t.Fatalf("toast %q, question %+v", toast, ask)
	}
	// The question is a declared state: a reply to the card is no answer.
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "looks fine"}, ReplyTo: card.ids[0]})
	if got, _ := rs.FindReturnByID(pgtest.System(), a.ID); got.Status != domain.StatusAwaitingShipmentToSeller {
		t.Fatalf("a reply to the card shipped the return: %s", got.Status)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "RR123456789CN"}, ReplyTo: ask.ids[0]})
	got, _ := rs.FindReturnByID(pgtest.System(), a.ID)
	if got.Status != domain.StatusSentToSeller || got.TrackingNumber != "RR123456789CN" {
		t.Errorf("after the answer: %s %q", got.Status, got.TrackingNumber)
	}

	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/ship R-11 LP00112233"}})
	got, _ = rs.FindReturnByID(pgtest.System(), b.ID)
	if got.Status != domain.StatusSentToSeller || got.TrackingNumber != "LP00112233" {
		t.Errorf("after /ship: %s %q", got.Status, got.TrackingNumber)
	}
	entries, _ := storage.NewAuditService(f.h.db).FindAuditEntries(pgtest.System(), nil, &seller.ID, 10)
	if len(entries) != 2 || entries[0].Action != "return.ship_to_seller" || entries[0].Details["note"] != "tracking: LP00112233" {
		t.Errorf("audit = %+v", entries)
	}
}

// TestStaffUnreachableAlert: the outbox sender's "seller unreachable"
// lands in the seller's topic.
func TestStaffUnreachableAlert(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, _ := f.sellerChat(t)
	if err := f.desk.SellerUnreachable(context.Background(), seller, conversations.ErrUnreachable); err != nil {
		t.Fatal(err)
	}
	f.flush(t)
	if p := f.chat.last(t); !strings.Contains(p.m.Text, bundle.For("en").T("staff.relay.unreachable")) || p.at.Thread == 0 {
		t.Errorf("post = %+v", p)
	}
}

func TestIsStaffCommand(t *testing.T) {
	for text, want := range map[string]bool{
		"/find R-1": true, "/inspect R-1 ok": true, "/ship@IndigoBot R-1 RR1": true, "/r_12": true, "/s_3": true,
		"/note call back": true, "/help": false, "/start": false, "/returns": false, "find R-1": false, "/r_x": false,
	} {
		if got := conversations.IsStaffCommand(text); got != want {
			t.Errorf("IsStaffCommand(%q) = %v", text, got)
		}
	}
}

func buttonWith(t *testing.T, m conversations.StaffMessage, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q in %+v", label, m.Buttons)
	return ""
}

// TestStaffLanguages: a member sets the language the bot answers them in;
// a reply to a seller in another language than the seller's goes as
// written, and staff are warned; one in the seller's language is not.
func TestStaffLanguages(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	zh := bundle.For("zh")

	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/language zh"}})
	if got, want := f.chat.last(t).m.Text, zh.T("staff.language.set", map[string]any{"Language": zh.Label("language", "zh")}); got != want {
		t.Errorf("/language zh = %q, want %q", got, want)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "/find"}})
	if got, want := f.chat.last(t).m.Text, zh.T("staff.find.usage"); got != want {
		t.Errorf("/find after /language zh = %q, want %q", got, want)
	}

	c.send("where is my parcel?")
	f.flush(t)
	p := f.chat.last(t)
	warn := zh.T("staff.reply.other_language", map[string]any{"Seller": "Li Wei #" + strconv.FormatInt(seller.ID, 10),
		"Language": zh.Label("language", "en")})
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "Мы проверим вашу посылку"}, Thread: p.at.Thread, ReplyTo: p.ids[0]})
	if got := f.chat.last(t).m.Text; got != warn {
		t.Errorf("a Russian reply to an English seller: staff read %q, want %q", got, warn)
	}
	if got := f.sender.sent["8101"]; len(got) != 1 || !strings.Contains(got[0].Text, "Мы проверим вашу посылку") {
		t.Errorf("the reply did not go as written: %+v", got)
	}
	posts := len(f.chat.posts)
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "It is on its way, tracking RR123"}, Thread: p.at.Thread, ReplyTo: p.ids[0]})
	if n := len(f.chat.posts); n != posts {
		t.Errorf("an English reply to an English seller was answered in the staff chat: %q", f.chat.last(t).m.Text)
	}
}
