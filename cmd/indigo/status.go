package main

import (
	"context"
	"math"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
)

// status.go: the staff chat's /status (conversations/staff_status.go)
// reads the very metrics a scrape does: the counters are gathered from
// the registry, the gauges from the same database query, so the chat and
// the dashboard cannot disagree.

// statusSource implements conversations.StatusSource.
type statusSource struct {
	metrics *metrics
	parts   *parts
	health  *storage.HealthService
	now     func() time.Time
}

var _ conversations.StatusSource = (*statusSource)(nil)

func (s *statusSource) ServiceStatus(ctx context.Context) (domain.ServiceStatus, error) {
	f, err := s.health.Figures(ctx, s.now())
	if err != nil {
		return domain.ServiceStatus{}, err
	}
	c, err := s.metrics.counters()
	if err != nil {
		return domain.ServiceStatus{}, err
	}
	return domain.ServiceStatus{Parts: s.parts.list(), Figures: f, Counters: c}, nil
}

// counters sums the registry's counters into what /status shows.
func (m *metrics) counters() (domain.Counters, error) {
	families, err := m.reg.Gather()
	if err != nil {
		return domain.Counters{}, err
	}
	c := domain.Counters{Started: m.started, ChatSends: map[domain.Channel]int64{},
		ChatRateLimited: map[domain.Channel]int64{}, ChatRetries: map[domain.Channel]int64{}}
	var latency []*dto.Histogram
	for _, fam := range families {
		for _, mt := range fam.GetMetric() {
			l := labels(mt)
			v := int64(mt.GetCounter().GetValue())
			switch fam.GetName() {
			case "indigo_wb_requests_total":
				c.WBCalls += v
				if l["outcome"] == "rate_limited" {
					c.WBRateLimited += v
				}
			case "indigo_chat_requests_total":
				ch := domain.Channel(l["channel"])
				if l["kind"] == "send" && l["outcome"] == "ok" {
					c.ChatSends[ch] += v
				}
				if l["outcome"] == "rate_limited" {
					c.ChatRateLimited[ch] += v
				}
			case "indigo_chat_retries_total":
				c.ChatRetries[domain.Channel(l["channel"])] += v
			case "indigo_deliveries_total":
				c.Delivered += v
			case "indigo_delivery_latency_seconds":
				latency = append(latency, mt.GetHistogram())
			case "indigo_conversation_turns_total":
				c.Turns += v
			case "indigo_conversation_errors_total":
				c.TurnErrors += v
			case "indigo_job_runs_total":
				c.JobRuns += v
				if l["outcome"] != "ok" {
					c.JobErrors += v
				}
			}
		}
	}
	c.DeliveryP50, c.DeliveryP90 = quantile(latency, 0.5), quantile(latency, 0.9)
	return c, nil
}

func labels(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// quantile estimates the q-quantile of histograms summed together as the
// upper bound of the bucket it falls in, as a dashboard's
// histogram_quantile would before interpolating: an honest "within".
func quantile(hs []*dto.Histogram, q float64) time.Duration {
	var total uint64
	bounds := map[float64]uint64{}
	for _, h := range hs {
		total += h.GetSampleCount()
		for _, b := range h.GetBucket() {
			bounds[b.GetUpperBound()] += b.GetCumulativeCount()
		}
	}
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(total)))
	best := math.Inf(1)
	for ub, n := range bounds {
		if n >= want && ub < best {
			best = ub
		}
	}
	if math.IsInf(best, 1) {
		best = deliveryBuckets[len(deliveryBuckets)-1]
	}
	return time.Duration(best * float64(time.Second))
}
