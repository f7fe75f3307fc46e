// Package webtest holds what Indigo's HTTP tests share to prove a server
// bounds what it reads: a request body that floods without being held in
// memory, a listener that counts the bytes a server reads, and a client
// that sends one such request. It imports nothing of ours.
package webtest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// Flood is a body of n bytes made as they are read: head first, then
// filler. Sent counts what the client took.
type Flood struct {
	head []byte
	left int64
	sent atomic.Int64
}

// NewFlood returns a flood of n bytes that starts with head (a form field
// name, a multipart part header).
func NewFlood(head string, n int64) *Flood { return &Flood{head: []byte(head), left: n} }

var filler = bytes.Repeat([]byte("a"), 32<<10)

func (f *Flood) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n := copy(p, f.head)
	f.head = f.head[n:]
	for n < len(p) {
		n += copy(p[n:], filler)
	}
	f.left -= int64(n)
	f.sent.Add(int64(n))
	return n, nil
}

// Sent is how many bytes the client has taken so far.
func (f *Flood) Sent() int64 { return f.sent.Load() }

// CountingListener adds what a server reads from its connections to N.
type CountingListener struct {
	net.Listener
	N *atomic.Int64
}

// Accept wraps each connection so its reads are counted.
func (l CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.N}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Send sends req on a connection of its own, as a browser would (with
// keep-alive: net/http then drains a little and answers, rather than
// resetting a connection whose body it gave up on), and returns the status.
// Redirects are not followed; jar may be nil.
func Send(tb testing.TB, jar http.CookieJar, req *http.Request) int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{
		Jar:           jar,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
