-- +goose Up
-- Held pushes are claimed, not deleted, while they are sent: a claim has a
-- token (so a claimant whose lease lapsed cannot mark what another claimant
-- now holds) and an end, after which a claimant that died or stalled is
-- presumed gone and the pushes are offered again. A row is deleted only
-- once what it holds was sent; what of it is left is written back into it.
ALTER TABLE wechat_held_pushes
    ADD COLUMN claim_token   bigint, -- from outbox_claim_tokens, as the outbox's
    ADD COLUMN claimed_until timestamptz;

-- +goose Down
ALTER TABLE wechat_held_pushes
    DROP COLUMN claimed_until,
    DROP COLUMN claim_token;
