package domain

import (
	"context"
	"time"
)

// JobRunService makes each scheduled run of a job happen once across
// replicas: every replica's cron fires, the first to claim the run does it.
type JobRunService interface {
	// StartJobRun claims one scheduled run; false means another replica has it.
	StartJobRun(ctx context.Context, job string, scheduledFor time.Time) (bool, error)
	FinishJobRun(ctx context.Context, job string, scheduledFor time.Time, runErr error) error
}
