-- +goose Up
-- The outbox: what sellers must hear, written in the transaction of the change.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    return_id  bigint      REFERENCES returns (id) ON DELETE CASCADE,
    store_id   bigint      REFERENCES stores (id) ON DELETE CASCADE,
    data       jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;
CREATE INDEX notifications_seller ON notifications (seller_id, id);

-- When each store's feed is next due; a lease keeps other replicas off it.
CREATE TABLE store_polls (
    store_id     bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    feed         text        NOT NULL CHECK (feed IN ('claims', 'goods_return')),
    due_at       timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    last_ok_at   timestamptz,
    last_error   text        NOT NULL DEFAULT '',
    PRIMARY KEY (store_id, feed)
);
CREATE INDEX store_polls_due ON store_polls (due_at);

-- Claims join goods-return rows on srid; keep WB's claim id for idempotent upserts.
ALTER TABLE returns ADD COLUMN claim_id text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX returns_store_claim ON returns (store_id, claim_id) WHERE claim_id <> '';

-- +goose Down
DROP INDEX returns_store_claim;
ALTER TABLE returns DROP COLUMN claim_id;
DROP TABLE store_polls;
DROP TABLE notifications;
