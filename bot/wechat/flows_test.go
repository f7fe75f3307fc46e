package wechat_test

import (
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
)

// TestMenuCommands: one account menu is published with every command,
// named in Chinese and English for every follower (WeChat refuses a menu
// per client language); a tap runs the command; a second replica does not
// publish it again.
func TestMenuCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	waitFor(t, func() bool { return len(h.acct.Menu()) == 3 })
	zh, en := bundle.For("zh"), bundle.For("en")
	menu := h.acct.Menu()
	if want := zh.T("msg.wechat.menu.returns_group") + " " + en.T("msg.wechat.menu.returns_group"); menu[0].Name != want ||
		menu[0].SubButtons[0].Key != "returns" || !strings.HasPrefix(menu[0].SubButtons[0].Name, zh.T("msg.wechat.menu.returns")) ||
		!strings.HasSuffix(menu[0].SubButtons[0].Name, en.T("msg.wechat.menu.returns")) {
		t.Errorf("menu = %+v", menu)
	}
	if c := h.acct.ConditionalMenus(); len(c) != 0 {
		t.Errorf("conditional menus %+v: WeChat refuses a language rule", c)
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
