package storage

import (
	"context"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// JobRunService implements domain.JobRunService.
type JobRunService struct{ db *DB }

var _ domain.JobRunService = (*JobRunService)(nil)

// NewJobRunService returns the job run repository.
func NewJobRunService(db *DB) *JobRunService { return &JobRunService{db: db} }

// StartJobRun inserts the run's row; the primary key lets one replica win.
func (js *JobRunService) StartJobRun(ctx context.Context, job string, scheduledFor time.Time) (_ bool, err error) {
	defer wrap(&err, "start %s run of %s", job, scheduledFor.Format(time.RFC3339))
	tag, err := js.db.q(ctx).Exec(ctx, `INSERT INTO job_runs (job, scheduled_for) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, job, scheduledFor.Truncate(time.Second))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// FinishJobRun records how the run ended.
func (js *JobRunService) FinishJobRun(ctx context.Context, job string, scheduledFor time.Time, runErr error) (err error) {
	defer wrap(&err, "finish %s run", job)
	_, err = js.db.q(ctx).Exec(ctx, `UPDATE job_runs SET finished_at = now(), error = $3
		WHERE job = $1 AND scheduled_for = $2`, job, scheduledFor.Truncate(time.Second), errText(runErr))
	return err
}
