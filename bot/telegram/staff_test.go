package telegram_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// staffID is the member of the staff group who acts in these tests.
const staffID = 9001

// staffHarness is a deployment with the staff side on: a seller engine, a
// bot serving a staff group on the fake, the relay loop and the outbox
// sender.
type staffHarness struct {
	t       *testing.T
	db      *storage.DB
	tg      *tgfake.Server
	bot     *telegram.Bot
	desk    *conversations.StaffDesk
	deliver *conversations.Deliverer
	group   int64
	staffL  *tgtest.User // the staff member, for reading texts in the staff language
}

type staffOptions struct {
	group       int64
	forum       bool
	rateLimits  bool
	manualFlush bool // no relay loop: the test calls Flush
}

func newStaffHarness(t *testing.T, opts staffOptions) *staffHarness {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), tgfake.DefaultToken) {
			t.Errorf("the bot token leaked into the logs:\n%s", logs.String())
		}
		if testing.Verbose() {
			t.Log(logs.String())
		}
	})
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := tgtest.NewClock()
	tg := tgfake.New(tgfake.Options{DisableRateLimits: !opts.rateLimits, Now: clock.Now})
	t.Cleanup(tg.Close)
	tg.AddGroup(opts.group, "Indigo staff", opts.forum)
	db := pgtest.New(t)
	bot, err := telegram.New(telegram.Config{
		Token: tg.Token(), APIEndpoint: tg.URL() + "/bot%s/%s", Log: log, Clock: clock,
	}, storage.NewSessionService(db), bundle)
	if err != nil {
		t.Fatal(err)
	}
	// Built in the order cmd/indigo builds them: the bot, the desk that
	// posts through it, the engine that runs the desk's inputs.
	senders := map[domain.Channel]conversations.Sender{domain.ChannelTelegram: bot}
	deps := convtest.Deps(db, "", bundle, log)
	support := storage.NewSupportService(db)
	desk := &conversations.StaffDesk{
		Services: deps, Support: support, Audit: storage.NewAuditService(db),
		Chat: bot.StaffChat(opts.group, support), Senders: senders, DelayNote: time.Second, Log: log, Now: clock.Now,
	}
	deps.Support, deps.Staff = desk, desk
	engine := conversations.NewEngine(deps)
	h := &staffHarness{t: t, db: db, tg: tg, bot: bot, desk: desk, group: opts.group,
		deliver: &conversations.Deliverer{
			Render: engine, Sellers: engine.Sellers, Outbox: storage.NewNotificationService(db), Senders: senders, Staff: desk,
			Now: time.Now, Log: log, Batch: 100, DigestAbove: 5, MaxAttempts: 5, Workers: 2,
		}}
	tg.AddUser(tgfake.User{ID: staffID, FirstName: "Olga", LastName: "Petrova", LanguageCode: "ru"})
	h.staffL = &tgtest.User{TB: t, TG: tg, ID: staffID, L: bundle.For("en")}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		// A test that ends before polling started cancels its start.
		if err := bot.Run(ctx, engine); err != nil && ctx.Err() == nil {
			t.Errorf("run: %v", err)
		}
	})
	if !opts.manualFlush {
		wg.Go(func() { desk.Run(ctx, nil, 50*time.Millisecond) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// seller is a registered seller with a store, writing from Telegram.
func (h *staffHarness) seller(userID int64, lang string) (*domain.Seller, *user) {
	h.t.Helper()
	s := pgtest.Seller(h.t, h.db, func(s *domain.Seller) {
		s.Name, s.Language = "Li Wei Trading", domain.Language(lang)
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: strconv.FormatInt(userID, 10)}}
	})
	pgtest.Store(h.t, h.db, s.ID, func(st *domain.Store) { st.Name = "Main store" })
	off := false
	if _, err := storage.NewSellerService(h.db).UpdateSeller(pgtest.System(), s.ID, domain.SellerUpdate{QuietHours: &off}); err != nil {
		h.t.Fatal(err)
	}
	return s, tgtest.NewUser(h.t, h.tg, userID, lang)
}

func (h *staffHarness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	h.t.Cleanup(cancel)
	return ctx
}

// waitGroup waits for a bot message in the staff group (edits count).
func (h *staffHarness) waitGroup(chat int64, what string, match func(tgfake.Message) bool) tgfake.Message {
	h.t.Helper()
	m, err := h.tg.WaitForMessage(h.ctx(), chat, match)
	if err != nil {
		h.t.Fatalf("no %s in the staff group: %v; the group:\n%s", what, err, dump(h.tg.Messages(chat)))
	}
	return m
}

func (h *staffHarness) waitGroupText(chat int64, want string) tgfake.Message {
	h.t.Helper()
	return h.waitGroup(chat, strconv.Quote(want), func(m tgfake.Message) bool { return strings.Contains(m.Text+m.Caption, want) })
}

// press presses the button labelled label on a bot message in the group,
// as the staff member, and waits for the bot to answer it.
func (h *staffHarness) press(m tgfake.Message, label string) {
	h.t.Helper()
	cur := h.waitGroup(m.Chat.ID, "message "+strconv.Itoa(m.MessageID), func(x tgfake.Message) bool { return x.MessageID == m.MessageID })
	data, ok := tgtest.ButtonData(cur, label)
	if !ok {
		h.t.Fatalf("no button %q on %+v", label, cur)
	}
	id := h.tg.PressButton(staffID, cur, data)
	h.waitAnswered(id)
}

func (h *staffHarness) waitAnswered(queryID string) {
	h.t.Helper()
	deadline := time.Now().Add(3 * waitLimit)
	for time.Now().Before(deadline) {
		for _, a := range h.tg.CallbackAnswers() {
			if a.CallbackQueryID == queryID {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("button press %s never answered", queryID)
}

// deliverAll drains the outbox to the sellers' chats.
func (h *staffHarness) deliverAll() {
	h.t.Helper()
	for {
		n, err := h.deliver.Deliver(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (h *staffHarness) onlyTopic() tgfake.ForumTopic {
	h.t.Helper()
	topics := h.tg.Topics(h.group)
	if len(topics) != 1 {
		h.t.Fatalf("topics = %+v, want one", topics)
	}
	return topics[0]
}

// audit reads the audit log once every update so far is handled.
func (h *staffHarness) audit(sellerID int64) []*domain.AuditEntry {
	h.t.Helper()
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		h.t.Fatal(err)
	}
	list, err := storage.NewAuditService(h.db).FindAuditEntries(pgtest.System(), nil, &sellerID, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

// eventually waits for what a commit after a post makes true.
// linked waits until the desk recorded what post m relays, and returns m.
// The desk posts with no transaction open and records the post just
// after: a person answers seconds later, a test at once.
func (h *staffHarness) linked(m tgfake.Message) tgfake.Message {
	h.t.Helper()
	h.eventually("post "+strconv.Itoa(m.MessageID)+" linked", func() bool {
		_, err := storage.NewSupportService(h.db).FindStaffPost(pgtest.System(), m.Chat.ID, int64(m.MessageID))
		return err == nil
	})
	return m
}

func (h *staffHarness) eventually(what string, ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(3 * waitLimit)
	for !ok() {
		if time.Now().After(deadline) {
			h.t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStaffRelayTopics: a seller's text and photo land in their own topic,
// named after them, under a header; staff answer in the topic, to a
// specific message (the seller sees it as a reply to what they wrote) and
// with a photo; the seller sees "Indigo support", never the staff name.
func TestStaffRelayTopics(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000001, forum: true})
	s, u := h.seller(5001, "en")
	l := h.staffL.L

	first := u.Send("Hello, where is my return?")
	u.Expect(u.L.T("flow.support.sent"))
	post := h.waitGroupText(h.group, "Hello, where is my return?")
	topic := h.onlyTopic()
	wantName := "Li Wei Trading #" + strconv.FormatInt(s.ID, 10) + " · Main store · Telegram · English"
	if topic.Name != wantName || post.MessageThreadID != topic.MessageThreadID {
		t.Fatalf("topic %+v, post in thread %d; want %q", topic, post.MessageThreadID, wantName)
	}
	if !strings.Contains(post.Text, "👤 Li Wei Trading") || !strings.Contains(post.Text, "🏪 Main store") {
		t.Errorf("the first post does not introduce the seller:\n%s", post.Text)
	}

	u.Send("/support")
	u.Expect(head(u.L.T("flow.support.ask")))
	photo := h.tg.SendPhoto(u.ID, pngImage(t), "the box is torn")
	u.After = photo.MessageID
	u.Expect(u.L.T("flow.support.sent"))
	h.waitGroup(h.group, "the seller's photo", func(m tgfake.Message) bool {
		return len(m.Photo) > 0 && m.MessageThreadID == topic.MessageThreadID
	})
	line := h.waitGroupText(h.group, "the box is torn")
	if !strings.Contains(line.Text, l.T("attachment.photo")) {
		t.Errorf("the relay line does not mention the photo: %q", line.Text)
	}

	// In the topic, without replying: a plain message to the seller.
	h.tg.SendGroupMessage(h.group, topic.MessageThreadID, staffID, "We are checking", 0)
	got := u.Expect("We are checking")
	if got.Text != u.L.T("staff.reply.signed", map[string]any{"Text": "We are checking"}) || got.ReplyToMessage != nil {
		t.Errorf("seller got %+v", got)
	}
	// In reply to the relayed message: the seller sees it answer theirs.
	h.tg.SendGroupMessage(h.group, topic.MessageThreadID, staffID, "It is at the pickup point", h.linked(post).MessageID)
	got = u.Expect("It is at the pickup point")
	if got.ReplyToMessage == nil || got.ReplyToMessage.MessageID != first.MessageID {
		t.Errorf("the reply is not in the context of message %d: %+v", first.MessageID, got.ReplyToMessage)
	}
	// A photo from staff.
	h.tg.SendGroupPhoto(h.group, topic.MessageThreadID, staffID, pngImage(t), "", 0)
	got = u.ExpectMsg("staff photo", func(m tgfake.Message) bool { return len(m.Photo) > 0 })
	if got.Caption != u.L.T("staff.reply.signature") {
		t.Errorf("photo caption = %q", got.Caption)
	}
	for _, m := range h.tg.Messages(u.ID) {
		if strings.Contains(m.Text+m.Caption, "Olga") || strings.Contains(m.Text+m.Caption, "Petrova") {
			t.Errorf("the seller saw a staff name: %q", m.Text+m.Caption)
		}
	}
	// A seller who blocked the bot: staff see it in the topic.
	h.tg.Block(u.ID)
	h.tg.SendGroupMessage(h.group, topic.MessageThreadID, staffID, "Are you there?", 0)
	h.waitGroupText(h.group, l.T("staff.reply.blocked"))

	replies := 0
	for _, e := range h.audit(s.ID) {
		if e.Action == "support.reply" && e.Actor.Kind == domain.ActorStaff && e.Actor.ID == staffID && e.Actor.Name == "Olga Petrova" {
			replies++
		}
	}
	if replies != 3 {
		t.Errorf("audited %d staff replies, want 3: %+v", replies, h.audit(s.ID))
	}
}

// TestStaffRelayAlbum: photos a seller sent while a post waited go out as
// one album, and a staff reply to one of them answers that very photo.
func TestStaffRelayAlbum(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000006, forum: true, manualFlush: true})
	_, u := h.seller(5006, "en")
	var sent []tgfake.Message
	for i := range 2 {
		u.Send("/support")
		u.Expect(head(u.L.T("flow.support.ask")))
		p := h.tg.SendPhoto(u.ID, pngImage(t), "photo "+strconv.Itoa(i))
		u.After = p.MessageID
		u.Expect(u.L.T("flow.support.sent"))
		sent = append(sent, p)
	}
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if n, err := h.desk.Flush(context.Background()); err != nil || n != 2 {
		t.Fatalf("flushed %d, %v", n, err)
	}
	var album []tgfake.Message
	for _, m := range h.tg.Sent(h.group) {
		if m.MediaGroupID != "" {
			album = append(album, m)
		}
	}
	if len(album) != 2 || album[0].MediaGroupID != album[1].MediaGroupID || !strings.Contains(album[0].Caption, "Li Wei Trading") {
		t.Fatalf("album = %s", dump(album))
	}
	h.waitGroupText(h.group, "photo 1")
	h.tg.SendGroupMessage(h.group, h.onlyTopic().MessageThreadID, staffID, "This one?", album[1].MessageID)
	got := u.Expect("This one?")
	if got.ReplyToMessage == nil || got.ReplyToMessage.MessageID != sent[1].MessageID {
		t.Errorf("answers %+v, want the second photo %d", got.ReplyToMessage, sent[1].MessageID)
	}

	// A document goes as a file of its own.
	u.Send("/support")
	u.Expect(head(u.L.T("flow.support.ask")))
	doc := h.tg.SendDocument(u.ID, "invoice.pdf", []byte("%PDF-1.4 invoice"), "the invoice")
	u.After = doc.MessageID
	u.Expect(u.L.T("flow.support.sent"))
	if err := h.tg.WaitUpdatesConfirmed(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if n, err := h.desk.Flush(context.Background()); err != nil || n != 1 {
		t.Fatalf("flushed %d, %v", n, err)
	}
	file := h.waitGroup(h.group, "the document", func(m tgfake.Message) bool { return m.Document != nil })
	if file.Document.FileName != "invoice.pdf" || file.MessageThreadID != h.onlyTopic().MessageThreadID {
		t.Errorf("document = %+v in thread %d", file.Document, file.MessageThreadID)
	}
}

// TestStaffTopicRecreated: staff delete a seller's topic; the seller's next
// message opens a new one ("message thread not found"), which staff answer.
func TestStaffTopicRecreated(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000002, forum: true})
	s, u := h.seller(5002, "zh")
	u.Send("first question")
	h.waitGroupText(h.group, "first question")
	old := h.onlyTopic()
	h.tg.DeleteTopic(h.group, old.MessageThreadID)

	u.Send("second question")
	post := h.waitGroupText(h.group, "second question")
	topic := h.onlyTopic()
	if topic.MessageThreadID == old.MessageThreadID || post.MessageThreadID != topic.MessageThreadID {
		t.Fatalf("old topic %d, new %+v, post in %d", old.MessageThreadID, topic, post.MessageThreadID)
	}
	if !strings.Contains(post.Text, "👤 Li Wei Trading") {
		t.Errorf("the new topic's first post does not introduce the seller:\n%s", post.Text)
	}
	h.eventually("the new topic stored", func() bool {
		th, err := storage.NewSupportService(h.db).FindSupportThread(pgtest.System(), h.group, s.ID)
		return err == nil && th.ThreadID == int64(topic.MessageThreadID)
	})
	h.tg.SendGroupMessage(h.group, topic.MessageThreadID, staffID, "答复", 0)
	u.Expect(u.L.T("staff.reply.signed", map[string]any{"Text": "答复"}))
}

// TestStaffGroupWithoutTopics: in a group without topics every post says
// whose it is and staff answer by replying; when the group is upgraded to
// a supergroup the desk follows it and remembers the move for a restart.
func TestStaffGroupWithoutTopics(t *testing.T) {
	t.Parallel()
	const oldGroup, newGroup = int64(-4001), int64(-1004001)
	h := newStaffHarness(t, staffOptions{group: oldGroup})
	_, u := h.seller(5003, "ru")
	asked := u.Send("Где мой возврат?")
	post := h.waitGroupText(oldGroup, "Где мой возврат?")
	if post.MessageThreadID != 0 || !strings.Contains(post.Text, "👤 Li Wei Trading") {
		t.Fatalf("post = %+v", post)
	}
	h.tg.SendGroupMessage(oldGroup, 0, staffID, "staff talk, not for the seller", 0)
	h.tg.SendGroupMessage(oldGroup, 0, staffID, "Проверяем", h.linked(post).MessageID)
	got := u.Expect("Проверяем")
	if got.ReplyToMessage == nil || got.ReplyToMessage.MessageID != asked.MessageID {
		t.Errorf("reply not in context: %+v", got.ReplyToMessage)
	}

	h.tg.MigrateGroup(oldGroup, newGroup)
	u.Send("А сейчас?")
	post = h.waitGroupText(newGroup, "А сейчас?")
	h.tg.SendGroupMessage(newGroup, 0, staffID, "Уже в пути", h.linked(post).MessageID)
	u.Expect("Уже в пути")
	for _, m := range h.tg.Messages(u.ID) {
		if strings.Contains(m.Text, "staff talk") {
			t.Errorf("staff talk reached the seller")
		}
	}
	cur, err := storage.NewSupportService(h.db).CurrentStaffChat(pgtest.System(), oldGroup)
	if err != nil || cur != newGroup {
		t.Fatalf("a restart configured with %d would post to %d (%v), want %d", oldGroup, cur, err, newGroup)
	}
}

// TestStaffBurstMerged: three sellers write at once, more than the group's
// 20 messages a minute allow one by one; what waits goes out merged, every
// message is there, a delay is shown, and Telegram never answers 429.
func TestStaffBurstMerged(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000004, forum: true, rateLimits: true})
	const perSeller = 6
	var users []*user
	for i := range 3 {
		_, u := h.seller(int64(5100+i), "en")
		users = append(users, u)
	}
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			for n := range perSeller {
				h.tg.SendText(u.ID, "burst "+strconv.Itoa(i)+"/"+strconv.Itoa(n))
			}
		})
	}
	wg.Wait()
	for i := range users {
		for n := range perSeller {
			h.waitGroupText(h.group, "burst "+strconv.Itoa(i)+"/"+strconv.Itoa(n))
		}
	}
	posts := 0
	delayed := false
	for _, m := range h.tg.Sent(h.group) {
		if strings.Contains(m.Text, "burst ") {
			posts++
		}
		delayed = delayed || strings.Contains(m.Text, "⏳")
	}
	if posts >= len(users)*perSeller {
		t.Errorf("%d posts for %d messages: nothing was merged", posts, len(users)*perSeller)
	}
	if !delayed {
		t.Errorf("no post says it was held back:\n%s", dump(h.tg.Sent(h.group)))
	}
	if n := h.tg.Count429(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	if len(h.tg.Topics(h.group)) != len(users) {
		t.Errorf("topics = %+v", h.tg.Topics(h.group))
	}
}

// TestStaffAnonymousAdminRefused: a message posted as the group cannot be
// attributed, so neither its command nor its text is acted on.
func TestStaffAnonymousAdminRefused(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000005, forum: true})
	s, u := h.seller(5005, "en")
	u.Send("hello")
	h.waitGroupText(h.group, "hello")
	topic := h.onlyTopic()
	refusal := h.staffL.L.T("staff.anonymous.refused")

	h.tg.SendAnonymousGroupMessage(h.group, topic.MessageThreadID, "/find R-1", 0)
	h.waitGroupText(h.group, refusal)
	h.tg.SendAnonymousGroupMessage(h.group, topic.MessageThreadID, "anonymous answer", 0)
	h.waitGroup(h.group, "a second refusal", func(m tgfake.Message) bool {
		return strings.Contains(m.Text, refusal) && m.ReplyToMessage != nil && m.ReplyToMessage.Text == "anonymous answer"
	})
	for _, m := range h.tg.Messages(u.ID) {
		if strings.Contains(m.Text, "anonymous answer") {
			t.Fatalf("an anonymous message reached the seller")
		}
	}
	if list := h.audit(s.ID); len(list) != 0 {
		t.Errorf("audit = %+v", list)
	}
}
