package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"
)

func init() {
	register("getUpdates", (*Server).getUpdates, true)
	register("setWebhook", (*Server).setWebhook, false)
	register("deleteWebhook", (*Server).deleteWebhook, false)
	register("getWebhookInfo", (*Server).getWebhookInfo, false)
}

// defaultExcluded are the update types an empty allowed_updates leaves out.
var defaultExcluded = []string{"chat_member", "message_reaction", "message_reaction_count"}

// enqueueLocked files an update for the bot. As on Telegram, allowed_updates
// filters at arrival, so changing it does not touch queued updates.
func (s *Server) enqueueLocked(u Update) {
	kind := u.kind()
	if len(s.allowed) > 0 && !slices.Contains(s.allowed, kind) {
		return
	}
	if len(s.allowed) == 0 && slices.Contains(defaultExcluded, kind) {
		return
	}
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.queue = append(s.queue, u)
	s.broadcastLocked()
}

// confirmLocked applies getUpdates' offset: a positive offset confirms every
// update below it, a negative one keeps only the last -offset updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && int64(s.queue[i].UpdateID) < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0 && int64(len(s.queue)) > -offset:
		s.queue = s.queue[int64(len(s.queue))+offset:]
	}
}

func (s *Server) setAllowedLocked(p *params) *apiError {
	var allowed []string
	present, err := p.json("allowed_updates", &allowed)
	if err != nil {
		return badRequest("can't parse allowed updates JSON object")
	}
	if present {
		s.allowed = allowed
	}
	return nil
}

func (s *Server) getUpdates(p *params) (any, *apiError) {
	offset, _ := p.int64("offset")
	limit := p.int("limit")
	if limit < 1 || limit > 100 {
		limit = 100
	}
	timeout := time.Duration(max(p.int("timeout"), 0)) * time.Second
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.url != "" {
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if err := s.setAllowedLocked(p); err != nil {
		return nil, err
	}
	s.confirmLocked(offset)
	// A newer poll ends this one, which is how Telegram reports two pollers.
	s.pollGen++
	gen := s.pollGen
	s.broadcastLocked()
	for {
		switch {
		case s.pollGen != gen:
			return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case s.hook.url != "":
			return nil, &apiError{code: 409, desc: "Conflict: terminated by setWebhook request"}
		case len(s.queue) > 0 || timeout == 0:
			out := make([]Update, min(limit, len(s.queue)))
			copy(out, s.queue)
			return out, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			timeout = 0
		case <-p.ctx.Done():
			timeout = 0
		case <-s.done:
			timeout = 0
		}
		s.mu.Lock()
	}
}

type webhook struct {
	url     string
	secret  string
	maxConn int
	cancel  context.CancelFunc
	errDate int64
	errText string
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p *params) (any, *apiError) {
	raw := p.str("url")
	if raw == "" {
		return s.deleteWebhook(p)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// Telegram wants HTTPS on ports 443/80/88/8443; the fake takes plain
		// HTTP on any port because test webhooks live on loopback.
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p.str("secret_token")
	if secret != "" && !secretToken.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	if err := s.setAllowedLocked(p); err != nil {
		return nil, err
	}
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.stopWebhookLocked()
	ctx, cancel := context.WithCancel(context.Background())
	s.hook = webhook{url: raw, secret: secret, maxConn: 40, cancel: cancel}
	if p.has("max_connections") {
		s.hook.maxConn = min(max(p.int("max_connections"), 1), 100)
	}
	s.wg.Add(1)
	go s.deliver(ctx, raw, secret)
	return described(true, "Webhook was set"), nil
}

func (s *Server) deleteWebhook(p *params) (any, *apiError) {
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	if s.hook.url == "" {
		return described(true, "Webhook is already deleted"), nil
	}
	s.stopWebhookLocked()
	return described(true, "Webhook was deleted"), nil
}

func (s *Server) stopWebhookLocked() {
	if s.hook.cancel != nil {
		s.hook.cancel()
	}
	s.hook = webhook{}
}

func (s *Server) getWebhookInfo(p *params) (any, *apiError) {
	info := WebhookInfo{URL: s.hook.url, PendingUpdateCount: len(s.queue)}
	if s.hook.url != "" {
		info.MaxConnections = s.hook.maxConn
		info.LastErrorDate = s.hook.errDate
		info.LastErrorMessage = s.hook.errText
		info.AllowedUpdates = s.allowed
	}
	return info, nil
}

// deliver posts queued updates to the webhook one at a time, in order, and
// keeps an update queued until the webhook answers 2xx, as Telegram does.
func (s *Server) deliver(ctx context.Context, target, secret string) {
	defer s.wg.Done()
	client := &http.Client{Timeout: webhookTimeout}
	delay := s.retryDelay
	for {
		s.mu.Lock()
		var next *Update
		if len(s.queue) > 0 {
			u := s.queue[0]
			next = &u
		}
		changed := s.changed
		s.mu.Unlock()
		if next == nil {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return
			}
		}
		if err := post(ctx, client, target, secret, *next); err != nil {
			s.mu.Lock()
			if ctx.Err() == nil {
				s.hook.errDate, s.hook.errText = s.now().Unix(), err.Error()
			}
			s.mu.Unlock()
			select {
			case <-time.After(delay):
				delay = min(delay*2, 32*s.retryDelay)
			case <-ctx.Done():
				return
			}
			continue
		}
		delay = s.retryDelay
		s.mu.Lock()
		if len(s.queue) > 0 && s.queue[0].UpdateID == next.UpdateID && ctx.Err() == nil {
			s.queue = s.queue[1:]
			s.broadcastLocked()
		}
		s.mu.Unlock()
	}
}

func post(ctx context.Context, client *http.Client, target, secret string, u Update) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return errors.New("Connection refused")
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}
