-- +goose Up
-- A notification held for the end of the seller's quiet hours says so, so
-- that switching quiet hours off releases exactly those rows, not the ones
-- waiting out a failed send's backoff. Cleared when the row is claimed.
ALTER TABLE notifications ADD COLUMN quiet_held boolean NOT NULL DEFAULT false;
CREATE INDEX notifications_quiet_held ON notifications (seller_id) WHERE quiet_held;

-- +goose Down
DROP INDEX notifications_quiet_held;
ALTER TABLE notifications DROP COLUMN quiet_held;
