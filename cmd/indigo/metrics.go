package main

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/indigo-warehouse/indigo/bot/telegram"
	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
)

// metrics.go: the service's Prometheus metrics (issue 22). The packages
// below only offer hooks (wb.Config.Observe, poll.Poller.Observe,
// telegram.Config.Observe, wechat.Config.Observe, Engine.OnTurn,
// Deliverer.OnDelivered); here they are counted, and the gauges of what
// waits in the database are read on each scrape. Nothing below cmd/indigo
// imports the Prometheus client.

// metrics holds the service's collectors on its own registry, so a test
// or the demo running several Mains in one process count apart.
type metrics struct {
	reg     *prometheus.Registry
	started time.Time

	pollLag         *prometheus.HistogramVec // feed, class
	polls           *prometheus.CounterVec   // feed, outcome
	wb              *prometheus.CounterVec   // category, outcome
	delivered       *prometheus.CounterVec   // channel
	deliveryLatency *prometheus.HistogramVec // channel
	chat            *prometheus.CounterVec   // channel, kind, outcome
	chatRetries     *prometheus.CounterVec   // channel
	turns           *prometheus.CounterVec   // flow
	turnErrors      *prometheus.CounterVec   // flow
	jobs            *prometheus.CounterVec   // job, outcome
}

// Buckets of the latency histograms: from a turn of the deliver loop
// (seconds) to a notification held over quiet hours (ten hours).
var (
	pollLagBuckets  = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600}
	deliveryBuckets = []float64{0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 36000}
)

func newMetrics(started time.Time) *metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "indigo", Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "indigo", Name: name, Help: help, Buckets: buckets}, labels)
	}
	m := &metrics{
		reg:     prometheus.NewRegistry(),
		started: started,
		pollLag: histogram("poll_lag_seconds", "How late after its due time a store's feed was polled.",
			pollLagBuckets, "feed", "class"),
		polls:     counter("polls_total", "Store feeds polled, by outcome.", "feed", "outcome"),
		wb:        counter("wb_requests_total", "HTTP exchanges with WB, retries included, by API category and outcome.", "category", "outcome"),
		delivered: counter("deliveries_total", "Notifications that reached a seller's chat.", "channel"),
		deliveryLatency: histogram("delivery_latency_seconds", "How long a delivered notification waited since it was written.",
			deliveryBuckets, "channel"),
		chat:        counter("chat_requests_total", "Requests to the chat platforms, by kind (send or other) and outcome.", "channel", "kind", "outcome"),
		chatRetries: counter("chat_retries_total", "Requests to the chat platforms made again after a 429 or a refused token.", "channel"),
		turns:       counter("conversation_turns_total", "Inputs handled, by the flow the chat was in.", "flow"),
		turnErrors:  counter("conversation_errors_total", "Inputs whose turn failed (rolled back, retried by the channel), by flow.", "flow"),
		jobs:        counter("job_runs_total", "Scheduled job runs on this replica, by outcome.", "job", "outcome"),
	}
	m.reg.MustRegister(m.own()...)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// own lists the service's own collectors (the figures' aside).
func (m *metrics) own() []prometheus.Collector {
	return []prometheus.Collector{m.pollLag, m.polls, m.wb, m.delivered, m.deliveryLatency, m.chat, m.chatRetries,
		m.turns, m.turnErrors, m.jobs}
}

// outcome is an error's label: "ok" or "error".
func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

func (m *metrics) observePoll(slot domain.PollSlot, lag time.Duration, err error) {
	class := "unknown"
	if c, perr := wb.ParseToken(slot.Store.Token); perr == nil {
		class = string(c.Type())
	}
	m.pollLag.WithLabelValues(string(slot.Feed), class).Observe(lag.Seconds())
	m.polls.WithLabelValues(string(slot.Feed), outcome(err)).Inc()
}

func (m *metrics) observeWB(x wb.Exchange) {
	var o string
	switch {
	case x.Status == 0:
		o = "unreachable"
	case x.Status == 429:
		o = "rate_limited"
	case x.Status >= 500:
		o = "server_error"
	case x.Status >= 400:
		o = "refused"
	default:
		o = "ok"
	}
	m.wb.WithLabelValues(string(x.Category), o).Inc()
}

func (m *metrics) observeChat(ch domain.Channel, send bool, attempt int, outcome string) {
	kind := "other"
	if send {
		kind = "send"
	}
	m.chat.WithLabelValues(string(ch), kind, outcome).Inc()
	if attempt > 0 {
		m.chatRetries.WithLabelValues(string(ch)).Inc()
	}
}

func (m *metrics) observeTelegram(r telegram.Request) {
	m.observeChat(domain.ChannelTelegram, r.Send, r.Attempt, r.Outcome)
}

func (m *metrics) observeWeChat(r wechat.Request) {
	m.observeChat(domain.ChannelWeChat, strings.HasPrefix(r.Call, "send"), r.Attempt, r.Outcome)
}

func (m *metrics) observeTurn(flow string, err error) {
	m.turns.WithLabelValues(flow).Inc()
	if err != nil {
		m.turnErrors.WithLabelValues(flow).Inc()
	}
}

func (m *metrics) observeDelivery(ch domain.Channel, waited time.Duration) {
	m.delivered.WithLabelValues(string(ch)).Inc()
	m.deliveryLatency.WithLabelValues(string(ch)).Observe(waited.Seconds())
}

func (m *metrics) observeJob(name string, err error) {
	m.jobs.WithLabelValues(name, outcome(err)).Inc()
}

// figuresCollector reads the gauges of what waits in the database on each
// scrape, so they are true of every replica's work, not this one's.
type figuresCollector struct {
	health *storage.HealthService
	parts  *parts
	now    func() time.Time
	descs  map[string]*prometheus.Desc
}

func newFiguresCollector(h *storage.HealthService, p *parts, now func() time.Time) *figuresCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("indigo_"+name, help, labels, nil)
	}
	return &figuresCollector{health: h, parts: p, now: now, descs: map[string]*prometheus.Desc{
		"outbox_pending": d("outbox_pending", "Notifications waiting to be sent."),
		"outbox_oldest":  d("outbox_oldest_seconds", "Age of the oldest notification waiting to be sent."),
		"outbox_failed":  d("outbox_failed_day", "Notifications given up in the last 24 hours."),
		"relay_pending":  d("staff_relay_pending", "Seller messages waiting to be posted in the staff chat."),
		"relay_oldest":   d("staff_relay_oldest_seconds", "Age of the oldest seller message waiting for the staff chat."),
		"polls_due":      d("polls_due", "Store feeds due to be polled and not yet polled.", "feed"),
		"poll_overdue":   d("poll_overdue_seconds", "How long the most overdue store feed has waited past its due time.", "feed"),
		"job_failures":   d("job_failures_day", "Claimed job runs of the last 24 hours that ended in an error."),
		"part_up":        d("part_up", "1 when the part (database, telegram, wechat, wb) answers, by its state.", "part", "state"),
		"figures_ok":     d("figures_read_ok", "1 when the database's figures could be read on this scrape."),
	}}
}

func (c *figuresCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *figuresCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.GaugeValue, v, labels...)
	}
	for _, p := range c.parts.list() {
		gauge("part_up", boolFloat(p.State == domain.PartUp), p.Name, string(p.State))
	}
	ctx, cancel := context.WithTimeout(domain.NewContextWithActor(context.Background(), domain.System), 2*time.Second)
	defer cancel()
	f, err := c.health.Figures(ctx, c.now())
	gauge("figures_ok", boolFloat(err == nil))
	if err != nil {
		return // the database is down: part_up says so, and no figure is better than a wrong one
	}
	gauge("outbox_pending", float64(f.OutboxPending))
	gauge("outbox_oldest", f.OutboxOldest.Seconds())
	gauge("outbox_failed", float64(f.OutboxFailed))
	gauge("relay_pending", float64(f.RelayPending))
	gauge("relay_oldest", f.RelayOldest.Seconds())
	gauge("job_failures", float64(f.JobFailures))
	for _, feed := range domain.AllFeeds() {
		gauge("polls_due", float64(f.PollsDue[feed]), string(feed))
		gauge("poll_overdue", f.PollOverdue[feed].Seconds(), string(feed))
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
