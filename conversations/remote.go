package conversations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// remote.go: no transaction is held across a remote call. A turn runs in
// the chat session's transaction, and WB's token check or a file download
// can take minutes (pacing, retries); holding the row lock and a pooled
// connection for that long starves every other chat. So a step asks for
// what it needs from outside through Turn.remote: the first time, the
// turn is rolled back, the call is made with no transaction open, and the
// turn runs again from the start with the answer at hand.

// errNeedRemote ends a turn that asked for a remote call not yet made.
// It is not a domain error, so every step passes it up as internal.
var errNeedRemote = errors.New("turn needs a remote call first")

// maxRemoteRounds bounds how often one input is re-run for remote calls;
// a step asks for at most a couple (a file, then a check of it).
const maxRemoteRounds = 4

type remoteCall struct {
	key string
	do  func(ctx context.Context) (any, error)
}

type remoteResult struct {
	v   any
	err error
}

// remoteCalls are one input's calls: made ones, and those the last run of
// the turn asked for.
type remoteCalls struct {
	done    map[string]remoteResult
	pending []remoteCall
	flow    string // the flow the chat was in when the turn began (Engine.OnTurn)
}

// remote returns what do returns, made outside the turn's transaction; do
// must use the ctx it is given, never the turn's.
func (t *Turn) remote(key string, do func(ctx context.Context) (any, error)) (any, error) {
	if t.calls == nil { // a push the system renders: it has no input to re-run
		return do(t.ctx)
	}
	if r, ok := t.calls.done[key]; ok {
		return r.v, r.err
	}
	t.calls.pending = append(t.calls.pending, remoteCall{key: key, do: do})
	return nil, errNeedRemote
}

// makeCalls runs what the last run asked for, outside any transaction.
func (c *remoteCalls) makeCalls(ctx context.Context) {
	for _, call := range c.pending {
		if _, ok := c.done[call.key]; ok {
			continue
		}
		v, err := call.do(ctx)
		c.done[call.key] = remoteResult{v: v, err: err}
	}
	c.pending = nil
}

// remoteFiles makes a person's files open through the turn, so that a
// step reading one fetches it with no transaction open.
func (t *Turn) remoteFiles() {
	files := make([]File, len(t.in.Files))
	for i, f := range t.in.Files {
		open, key := f.Open, fmt.Sprintf("file:%d", i)
		f.Open = func(context.Context) ([]byte, error) {
			v, err := t.remote(key, func(ctx context.Context) (any, error) { return open(ctx) })
			if err != nil {
				return nil, err
			}
			return v.([]byte), nil
		}
		files[i] = f
	}
	t.in.Files = files
}

// secretKey names a remote call about a secret (a WB token) without it.
func secretKey(kind, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return kind + ":" + hex.EncodeToString(sum[:8])
}
