package conversations_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// registered makes a seller whose owner writes from Telegram chat id, with
// one store and a return waiting for a decision.
func registered(t *testing.T, h *harness, id, name string) (*domain.Seller, *domain.Return) {
	t.Helper()
	s := pgtest.Seller(t, h.db, func(s *domain.Seller) {
		s.Name = name
		s.Identities = []domain.Identity{{Channel: domain.ChannelTelegram, ExternalID: id}}
	})
	st := pgtest.Store(t, h.db, s.ID, func(st *domain.Store) { st.Name = name + " store" })
	r := pgtest.Return(t, h.db, st.ID, func(r *domain.Return) {
		r.Status, r.ProductName = domain.StatusAwaitingSellerDecision, name+" scarf"
	})
	return s, r
}

// TestGroupChatRefused: in a group nobody does seller business, the seller
// who wrote there first included; nothing of theirs is shown, no session
// is kept for the group.
func TestGroupChatRefused(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	registered(t, h, "5001", "Alpha")
	for _, tt := range []struct {
		name string
		in   conversations.Input
		want string
	}{
		{"SellerReturns", conversations.Input{UserID: "5001", Text: "/returns"}, l.T("error.input.private_only")},
		{"OtherMemberReturns", conversations.Input{UserID: "5002", Text: "/returns"}, l.T("error.input.private_only")},
		{"OtherMemberWeb", conversations.Input{UserID: "5002", Text: "/web"}, l.T("error.input.private_only")},
		{"SellerWeb", conversations.Input{UserID: "5001", Text: "/web"}, l.T("error.input.private_only")},
		{"Press", conversations.Input{UserID: "5002", Button: conversations.ButtonData("rt", "pending_decision", 0)}, l.T("error.input.private_only_short")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Channel, in.ChatID, in.Group, in.LanguageCode = domain.ChannelTelegram, "-100777", true, "en"
			in.StartLink = "https://t.me/indigo_wh_bot?start="
			rs, err := h.engine.Handle(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			expect(t, rs, tt.want)
			if strings.Contains(texts(rs), "Alpha") || strings.Contains(texts(rs), "http://") {
				t.Fatalf("the group saw seller data:\n%s", dump(rs))
			}
			if in.Button == "" && (len(rs[0].Buttons) != 1 || rs[0].Buttons[0][0].URL != in.StartLink) {
				t.Fatalf("no link to the private chat: %s", dump(rs))
			}
		})
	}
	var n int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM chat_sessions WHERE chat_id = '-100777'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d sessions kept for the group", n)
	}
}

// TestStrangerPress: a press in a seller's private chat by another account
// changes nothing and says so.
func TestStrangerPress(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	_, r := registered(t, h, "5101", "Alpha")
	owner := h.chat("5101", "en")
	owner.send("/returns")
	owner.press(l.Label("tab", string(domain.TabPendingDecision)))
	owner.press(r.ProductName)
	var dispose string
	for _, row := range owner.last[0].Buttons {
		for _, b := range row {
			if b.Text == l.Label("decision", string(domain.DecisionDispose)) {
				dispose = b.Data
			}
		}
	}
	before := sessionVersion(t, h, "5101")
	rs, err := h.engine.Handle(t.Context(), conversations.Input{Channel: domain.ChannelTelegram, ChatID: "5101",
		UserID: "5999", LanguageCode: "en", Button: dispose, ButtonOn: "msg-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Toast != l.T("error.input.not_your_button") {
		t.Fatalf("replies = %s", dump(rs))
	}
	if after := sessionVersion(t, h, "5101"); after != before {
		t.Fatalf("session moved from version %d to %d", before, after)
	}
	// The owner's own press still works: the stranger's did not spend it.
	expect(t, owner.handle(conversations.Input{Button: dispose, ButtonOn: "msg-1"}), l.T("button.confirm"))
}

func sessionVersion(t *testing.T, h *harness, chat string) int64 {
	t.Helper()
	var v int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT version FROM chat_sessions WHERE chat_id = $1`, chat).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

var inviteCode = regexp.MustCompile(`/start (inv_[A-Za-z0-9_-]+)`)

// TestTeamInvite: a colleague joins with a one-time invitation, acts for
// the seller from their own account and is recorded as themselves; the
// owner hears of it and can remove them again.
func TestTeamInvite(t *testing.T) {
	h := newHarness(t)
	l := bundle.For("en")
	seller, r := registered(t, h, "5201", "Alpha")
	owner := h.chat("5201", "en")
	owner.send("/stores")
	owner.press(l.T("button.team"))
	rs := owner.press(l.T("button.team_invite"))
	m := inviteCode.FindStringSubmatch(texts(rs))
	if m == nil {
		t.Fatalf("no invitation code in %s", dump(rs))
	}

	// The colleague reads Russian; the seller's own language stays English.
	colleague := h.chat("5202", "ru")
	lc := bundle.For("ru")
	rs = colleague.handle(conversations.Input{Text: "/start " + m[1], UserName: "Ivan Petrov"})
	expect(t, rs, lc.T("flow.team.joined", map[string]any{"Seller": "Alpha"}))

	// The colleague sees the seller's returns and decides as themselves.
	colleague.send("/returns")
	colleague.press(lc.Label("tab", string(domain.TabPendingDecision)))
	colleague.press(r.ProductName)
	colleague.press(lc.Label("decision", string(domain.DecisionDispose)))
	colleague.press(lc.T("button.confirm"))
	hist, err := storage.NewReturnService(h.db).FindTransitions(pgtest.System(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if want := (domain.Actor{Kind: domain.ActorSeller, ID: seller.ID, Name: "Ivan Petrov", Person: "telegram:5202"}); last.Actor != want {
		t.Fatalf("decided by %+v, want %+v", last.Actor, want)
	}
	entries, err := storage.NewAuditService(h.db).FindAuditEntries(pgtest.System(), nil, &seller.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, e := range entries {
		actions[e.Action] = e.Actor.Person
	}
	if actions["team.invite_created"] != "telegram:5201" || actions["team.member_joined"] != "telegram:5202" {
		t.Fatalf("audit = %v", actions)
	}
	joined := domain.NotifyTeamMemberJoined
	if n, _ := storage.NewNotificationService(h.db).FindNotifications(pgtest.System(),
		domain.NotificationFilter{SellerID: &seller.ID, Kind: &joined}); len(n) != 1 {
		t.Fatalf("owner told %d times of the new member", len(n))
	}

	t.Run("MemberLanguageIsTheirOwn", func(t *testing.T) {
		colleague.send("/language")
		expect(t, colleague.press(lc.T("language.zh")), bundle.For("zh").T("flow.language.set"))
		got, err := storage.NewSellerService(h.db).FindSellerByID(pgtest.System(), seller.ID)
		if err != nil || got.Language != domain.LangEnglish {
			t.Fatalf("seller language = %q, %v: a colleague's choice changed the owner's", got.Language, err)
		}
		expect(t, owner.send("/help"), l.T("flow.help"))
	})
	t.Run("CodeSpent", func(t *testing.T) {
		expect(t, h.chat("5203", "en").send("/start "+m[1]), l.T("error.invite.used"))
	})
	t.Run("ForgedCode", func(t *testing.T) {
		expect(t, h.chat("5204", "en").send("/start inv_AAAAAAAAAAAAAAAAAAAAAA"), l.T("error.invite.invalid"))
	})
	t.Run("MemberCannotRemoveOwnerOrOthers", func(t *testing.T) {
		rs := colleague.send("/team")
		if got, want := rs[0].Buttons[0][0].Text, bundle.For("zh").T("button.team_invite"); got != want {
			t.Fatalf("first button %q, want %q in the colleague's language", got, want)
		}
		for _, row := range rs[0].Buttons {
			for _, b := range row {
				if strings.Contains(b.Data, "5201") {
					t.Fatalf("a member may remove the owner: %s", dump(rs))
				}
			}
		}
	})
	t.Run("OwnerRemoves", func(t *testing.T) {
		owner.send("/team")
		expect(t, owner.press(l.T("button.team_remove", map[string]any{"Name": "Ivan Petrov"})),
			l.T("flow.team.removed", map[string]any{"Name": "Ivan Petrov"}))
		// The removed colleague is nobody's again: /returns starts onboarding.
		expect(t, colleague.send("/returns"), lc.T("flow.onboarding.language"))
	})
}

// TestAccountTaken: a WB account connected by one seller cannot be
// connected by another, who is pointed to the invitation; staff are told.
func TestAccountTaken(t *testing.T) {
	f := newStaffFixture(t, true)
	h := f.h
	l := bundle.For("en")
	first := h.chat("5301", "en")
	first.onboard(t, "en")
	expect(t, first.send(h.wb.IssueToken(wbfake.TokenOptions{SellerID: "sid-shared"})), l.T("flow.store.checklist"))

	second := h.chat("5302", "en")
	second.onboard(t, "en")
	rs := second.send(h.wb.IssueToken(wbfake.TokenOptions{SellerID: "sid-shared"}))
	expect(t, rs, l.T("error.token.account_taken"), l.T("flow.store.token"))

	// The same seller entering it for a second store is told which store has it.
	first.send("/addstore")
	first.press(l.T("marketplace.wildberries"))
	first.send("Second store")
	expect(t, first.send(h.wb.IssueToken(wbfake.TokenOptions{SellerID: "sid-shared"})),
		l.T("error.token.account_connected", map[string]any{"Store": "Main store"}))

	if n := f.flush(t); n == 0 {
		t.Fatal("staff were not told")
	}
	want := l.T("staff.relay.account_taken", map[string]any{"SID": "sid-shared"})
	if p := f.chat.last(t); !strings.Contains(p.m.Text, want) {
		t.Fatalf("staff post = %q, want %q", p.m.Text, want)
	}
	stores, err := storage.NewStoreService(h.db).FindStores(pgtest.System(), domain.StoreFilter{SupplierID: ptr("sid-shared")})
	if err != nil {
		t.Fatal(err)
	}
	if len(stores) != 1 {
		t.Fatalf("%d stores on the shared account, want 1", len(stores))
	}
}

func ptr[T any](v T) *T { return &v }
