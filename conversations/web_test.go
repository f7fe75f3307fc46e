package conversations_test

import (
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestWebSupportBothWays: a message sent from the web view's support page
// goes into the seller's topic of the staff group as one written in the
// chat; staff's answer there reaches the seller's chat, and the web's
// history holds both, in order.
func TestWebSupportBothWays(t *testing.T) {
	f := newStaffFixture(t, true)
	seller, c := f.sellerChat(t)
	l := bundle.For("en")
	expect(t, c.send("From the chat"), l.T("flow.support.sent"))
	f.flush(t)
	topic := f.chat.last(t).at.Thread
	if err := f.desk.SendToSupport(pgtest.As(seller), seller, "  From the web  "); err != nil {
		t.Fatal(err)
	}
	if n := f.flush(t); n != 1 {
		t.Fatalf("flushed %d relays, want the web's one", n)
	}
	p := f.chat.last(t)
	if p.at.Thread != topic || !strings.Contains(p.m.Text, "💬 From the web") {
		t.Fatalf("the web's message went to %d (the seller's topic is %d):\n%s", p.at.Thread, topic, p.m.Text)
	}
	f.staff(t, conversations.StaffInput{Input: conversations.Input{Text: "Seen both"}, Thread: topic})
	answer := l.T("staff.reply.signed", map[string]any{"Text": "Seen both"})
	if got := f.sender.sent["8101"]; len(got) != 1 || got[0].Text != answer {
		t.Fatalf("the seller's chat got %+v", got)
	}
	history, err := f.desk.SupportConversation(pgtest.As(seller), seller.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range history {
		lines = append(lines, m.Channel+"|"+m.Text+"|"+map[bool]string{true: "staff", false: "seller"}[m.FromStaff])
	}
	want := []string{"telegram|From the chat|seller", "web|From the web|seller", "|" + answer + "|staff"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for name, text := range map[string]string{"ErrEmpty": "   ", "ErrTooLong": strings.Repeat("x", domain.MaxSupportText+1)} {
		if err := f.desk.SendToSupport(pgtest.As(seller), seller, text); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("%s: %v, want an invalid input", name, err)
		}
	}
	// Another seller's conversation is nobody's to read.
	other := pgtest.Seller(t, f.h.db, nil)
	if got, _ := storage.NewSupportService(f.h.db).FindSupportMessages(pgtest.As(other), seller.ID, 10); len(got) != 0 {
		t.Errorf("another seller reads %d messages", len(got))
	}
}
