package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// wxRepost is the pause before the soak posts a callback WeChat gave
	// up on again; wxTakeWithin bounds how long it keeps doing so.
	wxRepost     = 200 * time.Millisecond
	wxTakeWithin = time.Minute
	// askHeldEvery: a follower with something held asks for it ("0") at
	// most this often while the soak drains.
	askHeldEvery = 5 * time.Second
)

// sendWxHelp sends /help from a WeChat follower; it needs an answer.
func (e *env) sendWxHelp(ctx context.Context, openID string) error {
	if err := e.sendWx(ctx, openID, "/help"); err != nil {
		return err
	}
	e.expect(kindWxHelp, openID)
	return nil
}

// sendWx posts what a follower wrote until a replica took it. WeChat
// tries a callback three times within seconds and then drops it; a kill
// can take every try, and a dropped message needs no answer, so the soak
// posts the same callback again (same MsgId, same signed pair: to the
// service, a retry of one already stored, or a new one) until one is
// answered 200.
func (e *env) sendWx(ctx context.Context, openID, text string) error {
	u := e.wxAcct.User(openID)
	c := u.TextCallback(text)
	res := u.Act(c)
	deadline := time.Now().Add(wxTakeWithin)
	for res.Status != http.StatusOK {
		if time.Now().After(deadline) {
			return fmt.Errorf("WeChat callback %q of %s not taken within %v: status %d, %v", text, openID, wxTakeWithin, res.Status, res.Err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wxRepost):
		}
		res = e.wxAcct.Post(c)
	}
	return nil
}

// askForHeld has every follower with pushes held, and nobody sending them
// now, send "0", as the notice of a held push asks: only the follower's
// message lets WeChat's window take them.
func (e *env) askForHeld(ctx context.Context) error {
	rows, err := e.db.Pool.Query(ctx, `SELECT DISTINCT openid FROM wechat_held_pushes
		WHERE claimed_until IS NULL OR claimed_until < now()`)
	if err != nil {
		return fmt.Errorf("list followers with held pushes: %w", err)
	}
	openIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list followers with held pushes: %w", err)
	}
	for _, id := range openIDs {
		e.mu.Lock()
		recent := time.Since(e.askedHeld[id]) < askHeldEvery
		if !recent {
			e.askedHeld[id] = time.Now()
		}
		e.mu.Unlock()
		if recent {
			continue
		}
		if err := e.sendWx(ctx, id, "0"); err != nil {
			return err
		}
	}
	return nil
}
