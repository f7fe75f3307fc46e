-- +goose Up
-- The service's figures (storage/health.go) are read on every metrics
-- scrape and /status: without these each read scans the whole outbox and
-- the job log, which only grow.
CREATE INDEX notifications_waiting_since ON notifications (created_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_failed ON notifications (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX job_runs_failed ON job_runs (scheduled_for) WHERE error <> '';

-- +goose Down
DROP INDEX job_runs_failed;
DROP INDEX notifications_failed;
DROP INDEX notifications_waiting_since;
