package wechat

import (
	"context"
	"encoding/xml"
	"errors"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// guard.go: no callback brings the channel down. A panic while one is
// handled is recovered by Config.Guard and counted in the database; the
// callback stays unhandled and the sweep takes it up again, until the
// third panic sets it aside: marked handled, so no replica takes it up
// again, and the follower hears that it was. Ordinary errors keep their
// own, longer budget (maxAttempts in callback.go).

// handleGuarded is handle under the guard; handle deals with its errors.
// A panic also counts as one of the callback's failed attempts, so that
// even without a guard's store it is given up in the end.
func (b *intake) handleGuarded(ctx context.Context, key string) {
	item := domain.WorkItem{Worker: domain.WorkerWeChatCallback, Key: key}
	err := b.cfg.Guard.Run(ctx, item, func(ctx context.Context) error {
		b.handle(ctx, key)
		return nil
	})
	var pe *domain.PanicError
	switch {
	case errors.Is(err, domain.ErrPoisoned):
		b.setAside(ctx, key)
	case errors.As(err, &pe):
		b.failed(ctx, key, "", err)
	}
}

// setAside marks a callback handled without handling it and apologises.
func (b *Bot) setAside(ctx context.Context, key string) {
	// The attempt may have used up its time: the bookkeeping gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var openID string
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		raw, ok, err := b.store.ClaimCallback(ctx, key)
		if err != nil || !ok {
			return err // another replica set it aside
		}
		var m message.MixMessage
		if xml.Unmarshal(raw, &m) == nil {
			openID = string(m.FromUserName)
		}
		return b.store.MarkCallbackHandled(ctx, key)
	})
	if err != nil {
		b.log.Error("wechat: set callback aside", "key", key, "err", err)
		return
	}
	if openID == "" {
		return
	}
	// Outside the guard, so a bug on this path too must not end the process.
	err = domain.Recovered(func() error {
		sorry := conversations.Reply{Text: b.localizer(ctx, openID).T("error.input.set_aside")}
		b.answer(ctx, openID, []conversations.Reply{sorry}, false)
		return nil
	})
	if err != nil {
		b.log.Error("wechat: apologise for a callback set aside", "key", key, "err", err)
	}
}
