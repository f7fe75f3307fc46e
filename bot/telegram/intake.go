package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

const (
	pollTimeout = 25 // seconds Telegram holds a getUpdates open
	pollLimit   = 100
	// handleTimeout bounds one update, WB token checks and 429 waits included.
	handleTimeout = 2 * time.Minute
	// maxAttempts is how often polling retries an update the engine fails
	// on before apologising and moving on; with the backoff between
	// attempts that rides out about a minute and a half of outage.
	maxAttempts = 8
	maxBackoff  = 30 * time.Second
	// maxUpdateSize bounds a webhook body; real updates are a few KB.
	maxUpdateSize = 1 << 20
	secretHeader  = "X-Telegram-Bot-Api-Secret-Token"
)

// allowedUpdates are the updates the engine reads.
var allowedUpdates = []string{"message", "callback_query"}

// intake is the bot receiving: every update, the staff chat's included,
// runs through the engine it was started with. The bot is made without
// one, so that what the engine is built from (the staff desk, which posts
// through the bot) can be made first.
type intake struct {
	*Bot
	engine *conversations.Engine
}

// Run receives updates for engine until ctx ends: by long polling, or,
// with Config.WebhookURL, by registering the webhook and waiting
// (WebhookHandler then does the work). An update being handled when ctx
// ends is finished.
func (b *Bot) Run(ctx context.Context, engine *conversations.Engine) error {
	if b.cfg.WebhookURL != "" {
		if err := b.SetWebhook(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	}
	return (&intake{Bot: b, engine: engine}).poll(ctx)
}

// poll is our own getUpdates loop. tgbotapi's GetUpdatesChan confirms an
// update by asking for the next one before it is handled, so a crash would
// lose it; here the offset moves, in the store and at Telegram, only once
// the update's turn is committed.
func (b *intake) poll(ctx context.Context) error {
	// A webhook left from webhook mode makes every getUpdates a 409.
	if err := b.call(ctx, "delete webhook", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(tgbotapi.DeleteWebhookConfig{})
		return err
	}); err != nil {
		return fmt.Errorf("start polling: %w", err)
	}
	offset, err := b.offsets.BotOffset(ctx, b.key)
	if err != nil {
		return fmt.Errorf("start polling: %w", err)
	}
	failures := map[int]int{}
	// wait grows while Telegram, the engine or the store keep failing, so a
	// failing update is retried over a minute or more, not in a tight loop.
	var wait time.Duration
	for {
		if err := domain.Sleep(ctx, wait); err != nil {
			return nil
		}
		updates, err := b.getUpdates(ctx, offset)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			wait = max(b.nextBackoff(wait), retryAfter(err))
			b.log.Warn("telegram: get updates", "err", err, "retry_in", wait)
			continue
		}
		if len(updates) == 0 {
			wait = 0
			continue
		}
		next, failed := b.handleBatch(ctx, updates, failures)
		if failed {
			wait = b.nextBackoff(wait)
		} else {
			wait = 0
		}
		if next <= offset {
			continue
		}
		if err := b.saveOffset(ctx, next); err != nil {
			// Polling on from the old offset re-delivers what was handled,
			// and the engine skips it: slower, never wrong.
			b.log.Error("telegram: save offset", "err", err)
			wait = b.nextBackoff(wait)
			continue
		}
		offset = next
	}
}

// saveOffset records progress even when ctx has just ended: the batch is
// handled, and a stop is no reason to have it re-delivered.
func (b *Bot) saveOffset(ctx context.Context, next int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return b.offsets.SetBotOffset(ctx, b.key, next)
}

func (b *Bot) nextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, b.backoff), maxBackoff)
}

func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]tgbotapi.Update, error) {
	cfg := tgbotapi.UpdateConfig{Offset: int(offset), Limit: pollLimit, Timeout: pollTimeout, AllowedUpdates: allowedUpdates}
	updates, err := b.fetchUpdates(ctx, cfg) // keeps the topic fields v5.5.1 drops (topics.go)
	if ctx.Err() == nil {
		b.observe("get updates", false, 0, err)
	}
	if err != nil {
		return nil, fmt.Errorf("get updates from %d: %w", offset, b.classify(err))
	}
	return updates, nil
}

// Outcomes of one update within a batch.
const (
	pending = iota // not tried: an earlier update of its chat failed
	handled
	failed
	setAside // panicked too often: given up, its chat goes on (guard.go)
)

// handleBatch handles one getUpdates answer: each chat's updates in order
// on one worker, up to Workers chats side by side. It returns the offset to
// save: past the last update, or at the first one still to do.
func (b *intake) handleBatch(ctx context.Context, updates []tgbotapi.Update, failures map[int]int) (next int64, anyFailed bool) {
	// Stopping the bot must not cut a turn in half: it would only be redone.
	hctx := context.WithoutCancel(ctx)
	byChat := map[int64][]int{}
	var chats []int64
	for i, u := range updates {
		c := chatOf(u)
		if _, ok := byChat[c]; !ok {
			chats = append(chats, c)
		}
		byChat[c] = append(byChat[c], i)
	}
	outcome := make([]int, len(updates))
	sem := make(chan struct{}, b.workers)
	var wg sync.WaitGroup
	for _, c := range chats {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, i := range byChat[c] {
				uctx, cancel := context.WithTimeout(hctx, handleTimeout)
				err := b.handleGuarded(uctx, updates[i])
				cancel()
				if errors.Is(err, domain.ErrPoisoned) {
					outcome[i] = setAside
					b.giveUp(hctx, updates[i], "error.input.set_aside")
					continue
				}
				if err != nil {
					b.log.Error("telegram: handle update", "update", updates[i].UpdateID, "err", err)
					outcome[i] = failed
					// Its later updates wait: handled first, they would make
					// the engine skip this one as already seen.
					return
				}
				outcome[i] = handled
			}
		})
	}
	wg.Wait()

	for i, u := range updates {
		switch outcome[i] {
		case pending:
			return int64(u.UpdateID), anyFailed
		case failed:
			anyFailed = true
			if failures[u.UpdateID]++; failures[u.UpdateID] < maxAttempts {
				return int64(u.UpdateID), anyFailed
			}
			delete(failures, u.UpdateID)
			b.log.Error("telegram: update given up", "update", u.UpdateID, "attempts", maxAttempts)
			b.giveUp(hctx, u, "error.internal")
		default:
			delete(failures, u.UpdateID)
		}
	}
	return int64(updates[len(updates)-1].UpdateID) + 1, anyFailed
}

// chatOf keys an update for ordering. tgbotapi's FromChat would panic on
// a press under an inline-mode message, which has no chat.
func chatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	}
	return 0
}

// handle runs one update through the engine and sends the replies. An
// error means the engine did not commit it and it should come again;
// failures to send come after the commit and are only logged.
func (b *intake) handle(ctx context.Context, u tgbotapi.Update) error {
	if routed, err := b.routeStaff(ctx, u); routed { // the staff chat, and staff commands elsewhere (staff.go)
		return err
	}
	in, chat, ok := b.input(u)
	var replies []conversations.Reply
	var err error
	if ok {
		replies, err = b.engine.Handle(ctx, in)
	}
	if q := u.CallbackQuery; q != nil {
		// Always answered, even on failure: the client shows a spinner
		// until then.
		b.answerCallback(ctx, q.ID, toast(replies))
	}
	if err != nil {
		return fmt.Errorf("handle update %d: %w", u.UpdateID, err)
	}
	return b.sendKept(ctx, in, chat, replies)
}

// sendKept sends a turn's replies one at a time, telling the engine after
// each, which keeps them until then: a failure that may pass returns an
// error, so the update comes again and brings back only what is unsent.
func (b *intake) sendKept(ctx context.Context, in conversations.Input, chat int64, replies []conversations.Reply) error {
	for i := range replies {
		err := b.Send(ctx, strconv.FormatInt(chat, 10), replies[i:i+1])
		switch {
		case errors.Is(err, ErrBlocked):
			// Nothing will reach them until they write again.
			b.log.Info("telegram: chat unreachable", "chat", chat, "err", err)
			return b.markSent(ctx, in, len(replies)-i)
		case err != nil && !permanent(err):
			return fmt.Errorf("send reply %d of %d to update %d: %w", i+1, len(replies), in.UpdateID, err)
		case err != nil:
			// Telegram refuses this one for good (a bug of ours): the rest go.
			b.log.Error("telegram: reply refused", "update", in.UpdateID, "reply", i+1, "err", err)
		}
		if err := b.markSent(ctx, in, 1); err != nil {
			return err
		}
	}
	return nil
}

func (b *intake) markSent(ctx context.Context, in conversations.Input, n int) error {
	if err := b.engine.Sent(ctx, in, n); err != nil {
		// Retrying the update resends what went: better twice than never.
		return fmt.Errorf("telegram: %w", err)
	}
	return nil
}

func (b *Bot) answerCallback(ctx context.Context, queryID, text string) {
	err := b.call(ctx, "answer callback query", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(tgbotapi.NewCallback(queryID, text))
		return err
	})
	if err != nil {
		// A re-delivered press was answered the first time round.
		b.log.Debug("telegram: answer callback", "err", err)
	}
}

// SetWebhook registers Config.WebhookURL with its secret, unless Telegram
// has it already. tgbotapi's WebhookConfig cannot carry secret_token, hence
// the raw request. max_connections is 1 because Telegram delivers over
// parallel connections out of order, and the engine skips an update older
// than one it has seen.
//
// Every replica calls it at start; registering again drops the delivery
// Telegram has in flight, which it then makes again, possibly to another
// replica while the first one still answers it: a reply twice. So the
// registered URL carries a fingerprint of the secret (Telegram never shows
// the secret back), and a webhook already set with it is left alone.
func (b *Bot) SetWebhook(ctx context.Context) error {
	want := b.registeredWebhook()
	var info tgbotapi.WebhookInfo
	err := b.call(ctx, "get webhook info", func(api *tgbotapi.BotAPI) (err error) {
		info, err = api.GetWebhookInfo()
		return err
	})
	if err == nil && info.URL == want && info.MaxConnections == 1 && slices.Equal(info.AllowedUpdates, allowedUpdates) {
		b.log.Info("telegram: webhook already set")
		return nil
	}
	allowed, err := json.Marshal(allowedUpdates)
	if err != nil {
		return fmt.Errorf("set webhook: %w", err)
	}
	params := tgbotapi.Params{
		"url":             want,
		"secret_token":    b.cfg.WebhookSecret,
		"allowed_updates": string(allowed),
		"max_connections": "1",
	}
	return b.call(ctx, "set webhook", func(api *tgbotapi.BotAPI) error {
		_, err := api.MakeRequest("setWebhook", params)
		return err
	})
}

// registeredWebhook is Config.WebhookURL with the secret's fingerprint in
// its query, which the handler ignores: a new secret is a new URL.
func (b *Bot) registeredWebhook() string {
	sum := sha256.Sum256([]byte("indigo webhook secret " + b.cfg.WebhookSecret))
	sep := "?"
	if strings.Contains(b.cfg.WebhookURL, "?") {
		sep = "&"
	}
	return b.cfg.WebhookURL + sep + "v=" + hex.EncodeToString(sum[:6])
}

// WebhookHandler receives updates Telegram posts to Config.WebhookURL for
// engine. It refuses requests without the secret header (401), handles the
// update before answering, and answers non-2xx when the update must come
// again.
func (bot *Bot) WebhookHandler(engine *conversations.Engine) http.Handler {
	b := &intake{Bot: bot, engine: engine}
	// Comparing digests keeps the comparison constant-time in the length too.
	want := sha256.Sum256([]byte(b.cfg.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := sha256.Sum256([]byte(r.Header.Get(secretHeader)))
		if b.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateSize))
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		u, err := b.decodeUpdate(raw) // keeps the topic fields v5.5.1 drops (topics.go)
		if err != nil {
			// Telegram would post it again and again, holding up every update
			// behind it: it is skipped, alone.
			b.skipUndecodable(raw, err)
			w.WriteHeader(http.StatusOK)
			return
		}
		// Telegram hanging up must not cut a turn or its sends in half:
		// the update would come again and resend what had already gone.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
		defer cancel()
		err = b.handleGuarded(ctx, u)
		if errors.Is(err, domain.ErrPoisoned) {
			b.giveUp(ctx, u, "error.input.set_aside")
			w.WriteHeader(http.StatusOK)
			return
		}
		if err != nil {
			b.log.Error("telegram: handle webhook update", "update", u.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
