package wechat_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestMenuCommands: the account menu is published with every command, in
// Chinese by default and for English and Russian WeChat clients; a tap
// runs the command; a second replica does not publish it again.
func TestMenuCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	waitFor(t, func() bool { return len(h.acct.Menu()) == 3 && len(h.acct.ConditionalMenus()) == 2 })
	zh := bundle.For("zh")
	menu := h.acct.Menu()
	if menu[0].Name != zh.T("msg.wechat.menu.returns_group") || menu[0].SubButtons[0].Key != "returns" ||
		menu[0].SubButtons[0].Name != zh.T("msg.wechat.menu.returns") {
		t.Errorf("default menu = %+v", menu)
	}
	for _, c := range h.acct.ConditionalMenus() {
		l := bundle.For(c.Rule["language"])
		if c.Buttons[2].Name != l.T("msg.wechat.menu.help_group") {
			t.Errorf("the %s menu = %+v", c.Rule["language"], c.Buttons)
		}
	}
	h.newBot() // a second replica
	if err := h.bot.PublishMenu(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if n := h.acct.MenuCreates(); n != 1 {
		t.Errorf("the menu was created %d times", n)
	}

	h.seller("oTap", domain.LangEnglish)
	u := h.user("oTap", "en")
	u.Tap("help")
	u.Expect(head(u.L.T("flow.help")))
	u.Tap("no-such-command")
	u.quiet()
}
