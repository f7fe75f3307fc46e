-- +goose Up
-- Chat platforms' send limits, shared by every replica: one row per
-- window (a bot's overall ceiling, one of its chats). sends holds the
-- sends booked in the window, ascending, including those still to come;
-- blocked_until is how long the platform's last 429 asked us to wait.
-- A sender locks the rows of its windows for the few milliseconds it
-- takes to book one send, never across a remote call.
CREATE TABLE send_budget (
    key           text        PRIMARY KEY,
    sends         timestamptz[] NOT NULL DEFAULT '{}',
    blocked_until timestamptz NOT NULL DEFAULT '-infinity',
    -- when the row stops counting anything: its last send plus per, or the block's end
    idle_at       timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX send_budget_idle_at ON send_budget (idle_at);

-- +goose Down
DROP TABLE send_budget;
