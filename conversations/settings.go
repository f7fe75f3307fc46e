package conversations

import (
	"slices"

	"github.com/indigo-warehouse/indigo/domain"
)

// settings.go: /notifications — which pushes a seller gets, and quiet
// hours. Each button flips one setting and redraws the same message.

const (
	btnNotifyKind buttonKind = "nt"
	btnQuietHours buttonKind = "nq"
)

func settingsModule() Module {
	return Module{
		Name:     "settings",
		Commands: []Command{{Name: "notifications", Menu: 6, NeedsSeller: true, Run: cmdNotifications}},
		Buttons: []ButtonSpec{
			{Kind: btnNotifyKind, Press: pressNotificationKind},
			{Kind: btnQuietHours, Press: pressQuietHours},
		},
	}
}

func cmdNotifications(t *Turn, _ string) error {
	var rows [][]Button
	for _, k := range domain.AllNotificationKinds() {
		// A switch has a name of its own: the digest's phrases are
		// fragments of a sentence («возвратов в пути»), not labels.
		label := t.l.Toggle(t.l.Label("notify_setting", string(k)), t.seller.Wants(k))
		rows = append(rows, []Button{{Text: label, Data: btnNotifyKind.data(0, string(k))}})
	}
	rows = append(rows, []Button{{Text: toggleLabel(t, "button.quiet_hours", t.seller.QuietHours), Data: btnQuietHours.data(0)}})
	t.Send(Reply{Text: t.T("flow.notifications.ask"), Buttons: rows, EditMessageID: t.in.ButtonOn})
	return nil
}

func pressNotificationKind(t *Turn, b button) error {
	kind := domain.NotificationKind(b.arg)
	if !slices.Contains(domain.AllNotificationKinds(), kind) {
		return domain.Errorf(domain.CodeInvalid, "error.input.stale_button", nil)
	}
	muted := slices.DeleteFunc(slices.Clone(t.seller.MutedNotifications), func(k domain.NotificationKind) bool { return k == kind })
	if t.seller.Wants(kind) {
		muted = append(muted, kind)
	}
	s, err := t.e.Sellers.UpdateSeller(t.ctx, t.seller.ID, domain.SellerUpdate{MutedNotifications: &muted})
	if err != nil {
		return err
	}
	t.seller = s
	return cmdNotifications(t, "")
}

func pressQuietHours(t *Turn, _ button) error {
	quiet := !t.seller.QuietHours
	s, err := t.e.Sellers.UpdateSeller(t.ctx, t.seller.ID, domain.SellerUpdate{QuietHours: &quiet})
	if err != nil {
		return err
	}
	t.seller = s
	return cmdNotifications(t, "")
}
