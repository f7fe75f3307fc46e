-- +goose Up
-- Delivery state of the outbox, and what each seller wants to hear.
ALTER TABLE notifications
    ADD COLUMN attempts        int         NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN leased_until    timestamptz,
    ADD COLUMN failed_at       timestamptz,
    ADD COLUMN last_error      text        NOT NULL DEFAULT '';
DROP INDEX notifications_unsent;
CREATE INDEX notifications_pending ON notifications (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;

ALTER TABLE sellers
    ADD COLUMN muted_notifications text[] NOT NULL DEFAULT '{}',
    ADD COLUMN quiet_hours         boolean NOT NULL DEFAULT true;

-- One row per scheduled run of a job: the replica that inserts it runs it.
CREATE TABLE job_runs (
    job           text        NOT NULL,
    scheduled_for timestamptz NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    error         text        NOT NULL DEFAULT '',
    PRIMARY KEY (job, scheduled_for)
);

-- +goose Down
DROP TABLE job_runs;
ALTER TABLE sellers DROP COLUMN quiet_hours, DROP COLUMN muted_notifications;
DROP INDEX notifications_pending;
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;
ALTER TABLE notifications DROP COLUMN last_error, DROP COLUMN failed_at, DROP COLUMN leased_until,
    DROP COLUMN next_attempt_at, DROP COLUMN attempts;
