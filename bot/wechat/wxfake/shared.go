package wxfake

import "sync"

var (
	sharedOnce sync.Once
	shared     *Server
)

// Shared is the process's one fake platform, started on first use and
// never closed. silenceper's API base URL is process-wide (bot/wechat), so
// every part of one process that talks to a fake WeChat (the demo, a test
// binary's tests) must talk to the same one.
func Shared() *Server {
	sharedOnce.Do(func() { shared = New() })
	return shared
}
