-- +goose Up
-- Inputs a worker could not get through without a panic (issue 14). Each
-- failed attempt is counted here by worker and key (an update id, an
-- outbox id, a store's feed, a job), so replicas and restarts share the
-- count. At the limit the input is set aside (poisoned_at) for good, and
-- the row waits for the staff desk to post one alert about it.
CREATE TABLE poisoned_inputs (
    worker             text        NOT NULL,
    key                text        NOT NULL,
    -- Whose input it was, for the alert. No foreign key: recording a
    -- failure must not fail because a seller was deleted meanwhile.
    seller_id          bigint,
    chat_id            text        NOT NULL DEFAULT '',
    attempts           int         NOT NULL CHECK (attempts > 0),
    last_error         text        NOT NULL DEFAULT '',
    last_stack         text        NOT NULL DEFAULT '',
    first_failed_at    timestamptz NOT NULL,
    last_failed_at     timestamptz NOT NULL,
    poisoned_at        timestamptz,
    alert_leased_until timestamptz,
    alerted_at         timestamptz,
    PRIMARY KEY (worker, key)
);
CREATE INDEX poisoned_inputs_unalerted ON poisoned_inputs (poisoned_at)
    WHERE poisoned_at IS NOT NULL AND alerted_at IS NULL;

-- Wake the staff desk (it listens on the relay queue's channel) when an
-- input is set aside, so staff hear of it at once.
CREATE TRIGGER poisoned_inputs_notify AFTER INSERT OR UPDATE OF poisoned_at ON poisoned_inputs
    FOR EACH ROW WHEN (NEW.poisoned_at IS NOT NULL AND NEW.alerted_at IS NULL)
    EXECUTE FUNCTION notify_support();

-- +goose Down
DROP TRIGGER poisoned_inputs_notify ON poisoned_inputs;
DROP TABLE poisoned_inputs;
