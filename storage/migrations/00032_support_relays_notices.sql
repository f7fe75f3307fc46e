-- +goose Up
-- Staff see in the seller's topic that a WeChat template went out, and
-- since when the seller cannot be reached outside their 48-hour window.
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert', 'account_taken', 'resale',
                    'notice_sent', 'notice_refused'));

-- +goose Down
DELETE FROM support_relays WHERE kind IN ('notice_sent', 'notice_refused');
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert', 'account_taken', 'resale'));
