-- +goose Up
-- Fenced leases (issue 15). Every claim of outbox rows writes a new token
-- with its lease; a sender marks, renews and resumes only rows that still
-- carry its token, so a sender that stalled past its lease while another
-- claimed the rows can no longer mark them, nor send what is left.
-- A sequence rather than random numbers: tokens never repeat.
CREATE SEQUENCE outbox_claim_tokens;

ALTER TABLE notifications
    ADD COLUMN claim_token bigint,
    -- How many replies of a push of several went, so that a retry resumes
    -- at the first unsent one instead of sending the first ones again.
    ADD COLUMN parts_sent  int NOT NULL DEFAULT 0 CHECK (parts_sent >= 0);

ALTER TABLE support_relays ADD COLUMN claim_token bigint;

-- +goose Down
ALTER TABLE support_relays DROP COLUMN claim_token;
ALTER TABLE notifications DROP COLUMN parts_sent, DROP COLUMN claim_token;
DROP SEQUENCE outbox_claim_tokens;
