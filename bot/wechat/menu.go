package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/menu"

	"github.com/indigo-warehouse/indigo/locales"
)

// menu.go: the account menu, WeChat's place for the main commands. Three
// groups of click buttons whose keys are command names; a tap arrives as a
// CLICK event and runs the command as if it were typed. The default menu
// is Chinese; English and Russian WeChat clients get their own.

// menuGroups lays the menu out: three top-level buttons (WeChat allows
// three, with five under each) over every command of the chat.
var menuGroups = []struct {
	label    string
	commands []string
}{
	{"msg.wechat.menu.returns_group", []string{"returns", "pickup", "rules", "web"}},
	{"msg.wechat.menu.account_group", []string{"stores", "team", "profile", "notifications", "language"}},
	{"msg.wechat.menu.help_group", []string{"support", "help", "cancel"}},
}

// commandLabels are the menu's short names of the commands: WeChat allows
// 60 bytes under a group, less than some command descriptions take.
var commandLabels = map[string]string{
	"returns":       "msg.wechat.menu.returns",
	"pickup":        "msg.wechat.menu.pickup",
	"rules":         "msg.wechat.menu.rules",
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

// menuLanguages are the WeChat client languages with a menu of their own
// (WeChat's matchrule codes); everyone else sees the default, Chinese one.
var menuLanguages = map[string]string{"en": "en", "ru": "ru"}

// accountMenu is the account menu in one language.
func (b *Bot) accountMenu(l *locales.Localizer) []*menu.Button {
	var top []*menu.Button
	for _, g := range menuGroups {
		var subs []*menu.Button
		for _, cmd := range g.commands {
			if cmd == "web" && b.cfg.WebURL != "" {
				// The web view opens in WeChat's browser, signed in by the
				// Official Account's web authorization (oauth.go).
				subs = append(subs, menu.NewViewButton(l.T(commandLabels[cmd]), b.cfg.WebURL))
				continue
			}
			subs = append(subs, menu.NewClickButton(l.T(commandLabels[cmd]), cmd))
		}
		top = append(top, menu.NewSubButton(l.T(g.label), subs))
	}
	return top
}

// PublishMenu creates the account menus when they changed since they were
// last published; with several replicas, one does it.
func (b *Bot) PublishMenu(ctx context.Context) error {
	def := b.accountMenu(b.engine.Locales.For("zh"))
	byLang := map[string][]*menu.Button{}
	for lang, code := range menuLanguages {
		byLang[code] = b.accountMenu(b.engine.Locales.For(lang))
	}
	raw, err := json.Marshal([]any{def, byLang})
	if err != nil {
		return fmt.Errorf("publish menu: %w", err)
	}
	sum := sha256.Sum256(raw)
	published, err := b.store.UpdateMenu(ctx, b.cfg.AppID, hex.EncodeToString(sum[:]), func(ctx context.Context) error {
		// Deleting first drops the conditional menus a previous publish made.
		if err := b.call(ctx, "delete menu", func(oa *officialaccount.OfficialAccount) error {
			return oa.GetMenu().DeleteMenu()
		}); err != nil {
			return err
		}
		if err := b.call(ctx, "create menu", func(oa *officialaccount.OfficialAccount) error {
			return oa.GetMenu().SetMenu(def)
		}); err != nil {
			return err
		}
		for code, buttons := range byLang {
			if err := b.call(ctx, "add "+code+" menu", func(oa *officialaccount.OfficialAccount) error {
				return oa.GetMenu().AddConditional(buttons, &menu.MatchRule{Language: code})
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish menu: %w", err)
	}
	if published {
		b.log.Info("wechat: account menu published")
	}
	return nil
}
