package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// proxy is the load balancer in front of the replicas: Telegram posts
// each update to one webhook URL, WeChat each callback to one server URL,
// and it goes to the next live replica in turn. With none live, or when
// the replica dies during the request, it answers 502 and Telegram
// (tgfake) or WeChat (wxfake, then the soak) posts it again.
type proxy struct {
	url string
	rp  *httputil.ReverseProxy

	mu   sync.Mutex
	live map[int]*url.URL // replica number → its base URL
	next int
	slow []string // the requests given up, for the report

	errors atomic.Int64 // 502s answered
	gaveUp atomic.Int64 // requests the platform stopped waiting for (its timeout) while a replica worked on them
}

type (
	targetKey struct{}
	startKey  struct{}
)

// startProxy listens on loopback.
func (e *env) startProxy() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the webhook proxy: %w", err)
	}
	p := &proxy{url: "http://" + ln.Addr().String(), live: map[int]*url.URL{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(pr.In.Context().Value(targetKey{}).(*url.URL))
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				// Telegram's 10 s or WeChat's 5 s passed: it posts the same
				// update again, maybe to another replica, while this one
				// still handles it.
				p.gaveUp.Add(1)
				start, _ := r.Context().Value(startKey{}).(time.Time)
				p.mu.Lock()
				p.slow = append(p.slow, fmt.Sprintf("%s to %s after %v", r.URL.Path, r.Context().Value(targetKey{}),
					time.Since(start).Round(time.Millisecond)))
				p.mu.Unlock()
				return
			}
			p.errors.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	e.proxy = p
	e.proxySrv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.proxySrv.Serve(ln) }()
	return nil
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := p.pick()
	if target == nil {
		p.errors.Add(1)
		http.Error(w, "no replica up", http.StatusBadGateway)
		return
	}
	ctx := context.WithValue(context.WithValue(r.Context(), targetKey{}, target), startKey{}, time.Now())
	p.rp.ServeHTTP(w, r.WithContext(ctx))
}

// pick is the next live replica in turn, nil when none is.
func (p *proxy) pick() *url.URL {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.live) == 0 {
		return nil
	}
	ns := make([]int, 0, len(p.live))
	for n := range p.live {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	p.next++
	return p.live[ns[p.next%len(ns)]]
}

func (p *proxy) setLive(n int, addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.live[n] = &url.URL{Scheme: "http", Host: addr}
}

func (p *proxy) setDead(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.live, n)
}
