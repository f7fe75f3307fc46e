package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
)

// ErrBlocked means Telegram refuses to deliver to the chat: the person
// blocked the bot, deleted their account or never started it. Callers
// mark the seller unreachable until a new update arrives from them.
var ErrBlocked = fmt.Errorf("telegram: %w", conversations.ErrUnreachable)

const (
	// maxRetries is how often one request waits out a 429 before giving up.
	maxRetries = 2
	// maxRetryWait caps a single 429 wait: longer ones mean a flood ban,
	// and holding a chat's turn that long helps no one.
	maxRetryWait = 30 * time.Second
)

// call runs one unpaced Bot API request (an edit, a deletion, a callback
// answer) with the client bound to ctx, waiting out 429 answers. The error
// it returns names what failed, carries no token, and matches ErrBlocked
// when the chat is unreachable.
func (b *Bot) call(ctx context.Context, what string, fn func(api *tgbotapi.BotAPI) error) error {
	return b.request(ctx, what, fn, nil, nil)
}

// send is call for a message to chat: each attempt is booked in the send
// budget first, and a 429 holds the budget back for every replica, so the
// retry queues behind the others instead of jumping them.
func (b *Bot) send(ctx context.Context, chat int64, what string, fn func(api *tgbotapi.BotAPI) error) error {
	before := func() error { return b.pace.wait(ctx, chat) }
	limited := func(wait time.Duration) error { return b.pace.block(ctx, chat, wait) }
	return b.request(ctx, what, fn, before, limited)
}

func (b *Bot) request(ctx context.Context, what string, fn func(api *tgbotapi.BotAPI) error, before func() error, limited func(time.Duration) error) error {
	for attempt := 0; ; attempt++ {
		if before != nil {
			if err := before(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		err := fn(b.with(ctx))
		if ctx.Err() == nil { // a stop is no outcome of Telegram's
			b.observe(what, before != nil, attempt, err)
		}
		if err == nil {
			return nil
		}
		wait := retryAfter(err)
		if wait > 0 && limited != nil {
			if err := limited(wait); err != nil {
				b.log.Warn("telegram: keep a 429 for other replicas", "call", what, "err", err)
			}
		}
		if wait <= 0 || wait > maxRetryWait || attempt == maxRetries {
			return fmt.Errorf("%s: %w", what, b.classify(err))
		}
		b.log.Debug("telegram: rate limited", "call", what, "wait", wait)
		if limited != nil {
			continue // before books a moment after the block
		}
		if err := b.cfg.Clock.SleepUntil(ctx, b.cfg.Clock.Now().Add(wait)); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// observe tells Config.Observe how one request ended.
func (b *Bot) observe(what string, send bool, attempt int, err error) {
	if b.cfg.Observe == nil {
		return
	}
	var te *tgbotapi.Error
	outcome := "ok"
	switch {
	case err == nil:
	case retryAfter(err) > 0:
		outcome = "rate_limited"
	case errors.As(err, &te):
		outcome = "refused"
	default:
		outcome = "unreachable"
	}
	b.cfg.Observe(Request{Call: what, Send: send, Attempt: attempt, Outcome: outcome})
}

// retryAfter is how long Telegram asked us to wait, or 0. Uploads come back
// with Code 0 even on a 429, so only RetryAfter tells.
func retryAfter(err error) time.Duration {
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.RetryAfter > 0 {
		return time.Duration(te.RetryAfter) * time.Second
	}
	return 0
}

func (b *Bot) classify(err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) && (te.Code == 403 || strings.HasPrefix(te.Message, "Forbidden")) {
		return fmt.Errorf("%w: %w", ErrBlocked, err)
	}
	return scrub(b.cfg.Token, err)
}

// permanent reports whether Telegram refused a request for good (a 4xx
// other than 429), so that sending it again cannot help.
func permanent(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.RetryAfter > 0 {
		return false
	}
	// Uploads come back with Code 0; their description still says why.
	return (te.Code >= 400 && te.Code < 500) || strings.HasPrefix(te.Message, "Bad Request")
}

// isAPIError reports whether Telegram answered with a description
// containing phrase, e.g. "message is not modified".
func isAPIError(err error, phrase string) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && strings.Contains(te.Message, phrase)
}

// scrub removes the bot token from err: tgbotapi's transport errors quote
// the request URL, and the token is in its path.
func scrub(token string, err error) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	if ue, ok := err.(*url.Error); ok && !strings.Contains(ue.Err.Error(), token) {
		// Keep the cause (a timeout, a cancelled context) for errors.Is.
		return &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, token, "<token>"), Err: ue.Err}
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}
