package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// markWindow is how long after a platform answered a send the soak still
// counts a kill as landing inside it: the sender marks the message sent
// in a database round trip after the answer, and a kill before that mark
// commits may send it again. Generous on two busy cores.
const markWindow = 250 * time.Millisecond

// front stands between one replica slot and the fakes' APIs (Telegram
// under /tg, WeChat under /wx), so the soak can tell whether a kill cut
// a send: one in flight, or answered so recently that its mark may not
// have committed. The fakes cannot tell, as every replica calls them
// from the same loopback address.
type front struct {
	url string
	srv *http.Server
	tg  *httputil.ReverseProxy
	wx  *httputil.ReverseProxy

	mu       sync.Mutex
	inFlight int
	lastEnd  time.Time
}

func startFront(tgURL, wxURL string) (*front, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for a send front: %w", err)
	}
	f := &front{url: "http://" + ln.Addr().String()}
	for _, p := range []struct {
		rp     **httputil.ReverseProxy
		target string
	}{{&f.tg, tgURL}, {&f.wx, wxURL}} {
		u, err := url.Parse(p.target)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("send front target %q: %w", p.target, err)
		}
		*p.rp = &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}
	}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// telegramEndpoint and wechatBase are the replica's TELEGRAM_API_ENDPOINT
// and WECHAT_API_BASE_URL.
func (f *front) telegramEndpoint() string { return f.url + "/tg/bot%s/%s" }
func (f *front) wechatBase() string       { return f.url + "/wx" }

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rp := f.tg
	if rest, ok := strings.CutPrefix(r.URL.Path, "/wx"); ok {
		rp, r.URL.Path = f.wx, rest
	} else {
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/tg")
	}
	r.URL.RawPath = ""
	if isSend(r.URL.Path) {
		f.mu.Lock()
		f.inFlight++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inFlight--
			f.lastEnd = time.Now()
			f.mu.Unlock()
		}()
	}
	rp.ServeHTTP(w, r)
}

// isSend: the calls that put a message in front of a person. Edits,
// topics, files and tokens are not counted: a repeat of one doubles
// nothing anyone reads twice.
func isSend(path string) bool {
	if path == "/cgi-bin/message/custom/send" {
		return true
	}
	i := strings.LastIndexByte(path, '/')
	switch strings.ToLower(path[i+1:]) {
	case "sendmessage", "sendphoto", "sendmediagroup", "senddocument", "copymessage", "forwardmessage":
		return true
	}
	return false
}

// cutSend reports whether a kill at killedAt landed inside a send of this
// slot's replica: a send still in flight (the kill cut it), or one that
// ended at most markWindow before. Called once the replica is reaped.
func (f *front) cutSend(killedAt time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight > 0 || f.lastEnd.After(killedAt.Add(-markWindow))
}

func (f *front) close() { _ = f.srv.Close() }
