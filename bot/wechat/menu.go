package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
)

// menu.go: the account menu, WeChat's place for the main commands. Three
// groups of click buttons whose keys are command names; a tap arrives as a
// CLICK event and runs the command as if it were typed. WeChat shows every
// follower the same menu (a rule on the client's language is refused,
// 65320), so each name is Chinese with its English after it where both fit
// in WeChat's limit.

// menuGroups lays the menu out: three top-level buttons (WeChat allows
// three, with five under each) over every command of the chat.
var menuGroups = []struct {
	label    string
	commands []string
}{
	{"msg.wechat.menu.returns_group", []string{"returns", "pickup", "rules", "accounts", "web"}},
	{"msg.wechat.menu.account_group", []string{"stores", "team", "profile", "notifications", "language"}},
	{"msg.wechat.menu.help_group", []string{"support", "help", "cancel"}},
}

// commandLabels are the menu's short names of the commands: WeChat allows
// 60 bytes under a group, less than some command descriptions take.
var commandLabels = map[string]string{
	"returns":       "msg.wechat.menu.returns",
	"pickup":        "msg.wechat.menu.pickup",
	"rules":         "msg.wechat.menu.rules",
	"accounts":      "msg.wechat.menu.accounts",
	"web":           "msg.wechat.menu.web",
	"stores":        "msg.wechat.menu.stores",
	"team":          "msg.wechat.menu.team",
	"profile":       "msg.wechat.menu.profile",
	"notifications": "msg.wechat.menu.notifications",
	"language":      "msg.wechat.menu.language",
	"support":       "msg.wechat.menu.support",
	"help":          "msg.wechat.menu.help",
	"cancel":        "msg.wechat.menu.cancel",
}

// WeChat's limits on a menu name, in bytes.
const (
	maxGroupName = 16
	maxItemName  = 60
)

// accountMenu is the one account menu.
func (b *Bot) accountMenu() []*menu.Button {
	var top []*menu.Button
	for _, g := range menuGroups {
		var subs []*menu.Button
		for _, cmd := range g.commands {
			name := b.cfg.Locales.MenuName(commandLabels[cmd], maxItemName)
			if cmd == "web" && b.cfg.WebURL != "" {
				// The web view opens in WeChat's browser, signed in by the
				// Official Account's web authorization (oauth.go).
				subs = append(subs, menu.NewViewButton(name, b.cfg.WebURL))
				continue
			}
			subs = append(subs, menu.NewClickButton(name, cmd))
		}
		top = append(top, menu.NewSubButton(b.cfg.Locales.MenuName(g.label, maxGroupName), subs))
	}
	return top
}

// PublishMenu creates the account menus when they changed since they were
// last published; with several replicas, one does it.
func (b *Bot) PublishMenu(ctx context.Context) error {
	def := b.accountMenu()
	raw, err := json.Marshal(def)
	if err != nil {
		return fmt.Errorf("publish menu: %w", err)
	}
	sum := sha256.Sum256(raw)
	published, err := b.store.UpdateMenu(ctx, b.cfg.AppID, hex.EncodeToString(sum[:]), func(ctx context.Context) error {
		// Deleting first drops the conditional menus an earlier version made.
		if err := b.call(ctx, "delete menu", func(oa *officialaccount.OfficialAccount) error {
			return oa.GetMenu().DeleteMenu()
		}); err != nil {
			return err
		}
		return b.call(ctx, "create menu", func(oa *officialaccount.OfficialAccount) error {
			return oa.GetMenu().SetMenu(def)
		})
	})
	if err != nil {
		return fmt.Errorf("publish menu: %w", err)
	}
	if published {
		b.log.Info("wechat: account menu published")
	}
	return nil
}
