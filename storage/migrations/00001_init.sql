-- +goose Up
CREATE TABLE sellers (
    id             bigserial PRIMARY KEY,
    name           text        NOT NULL DEFAULT '',
    company        text        NOT NULL DEFAULT '',
    phone          text        NOT NULL DEFAULT '',
    language       text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'zh', 'ru')),
    time_zone      text        NOT NULL DEFAULT 'UTC',
    return_address text        NOT NULL DEFAULT '',
    unreachable    boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A seller's accounts on chat platforms; one account belongs to one seller.
CREATE TABLE seller_identities (
    channel     text        NOT NULL CHECK (channel IN ('telegram', 'wechat')),
    external_id text        NOT NULL CHECK (external_id <> ''),
    seller_id   bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX seller_identities_seller ON seller_identities (seller_id);

CREATE TABLE stores (
    id               bigserial PRIMARY KEY,
    seller_id        bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    marketplace      text        NOT NULL DEFAULT 'wildberries' CHECK (marketplace IN ('wildberries')),
    name             text        NOT NULL CHECK (name <> ''),
    -- AES-GCM(nonce || sealed token), bound to seller_id; never plaintext.
    token_ciphertext bytea       NOT NULL,
    token_expires_at timestamptz,
    supplier_id      text        NOT NULL DEFAULT '',
    token_rejected   boolean     NOT NULL DEFAULT false,
    active           boolean     NOT NULL DEFAULT true,
    last_polled_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, name)
);

CREATE TABLE returns (
    id                   bigserial PRIMARY KEY,
    store_id             bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    seller_id            bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    request_date         timestamptz NOT NULL,
    product_name         text        NOT NULL DEFAULT '',
    vendor_code          text        NOT NULL DEFAULT '',
    nm_id                bigint      NOT NULL DEFAULT 0,
    barcode              text        NOT NULL DEFAULT '',
    return_number        text        NOT NULL CHECK (return_number <> ''),
    subject              text        NOT NULL DEFAULT '',
    photo_url            text        NOT NULL DEFAULT '',
    defective            boolean     NOT NULL DEFAULT false,
    srid                 text        NOT NULL DEFAULT '',
    shk_id               bigint      NOT NULL DEFAULT 0,
    price_rub            bigint      NOT NULL DEFAULT 0 CHECK (price_rub >= 0),
    price_cny            bigint      NOT NULL DEFAULT 0 CHECK (price_cny >= 0),
    pickup_point_address text        NOT NULL DEFAULT '',
    ready_at             timestamptz,
    pickup_code          text        NOT NULL DEFAULT '',
    needs_verification   boolean     NOT NULL DEFAULT false,
    photo_video_required boolean     NOT NULL DEFAULT false,
    status               text        NOT NULL CHECK (status IN (
        'awaiting_receipt_at_wb', 'awaiting_pickup_code', 'in_transit_to_warehouse',
        'awaiting_verification', 'awaiting_seller_decision',
        'awaiting_transfer_to_sale', 'awaiting_shipment_to_seller', 'awaiting_disposal',
        'transferred_to_sale', 'sent_to_seller', 'disposed')),
    tracking_number      text        NOT NULL DEFAULT '',
    received_at          timestamptz,
    defect_after_check   boolean,
    inspection_comment   text        NOT NULL DEFAULT '',
    decision             text        NOT NULL DEFAULT '' CHECK (decision IN ('', 'sell_on_wb', 'return_to_seller', 'dispose')),
    version              bigint      NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (store_id, return_number)
);
-- The tables list a seller's (or one store's) returns newest first.
CREATE INDEX returns_seller_request ON returns (seller_id, request_date DESC, id DESC);
CREATE INDEX returns_store_request ON returns (store_id, request_date DESC, id DESC);
CREATE INDEX returns_status ON returns (status);
-- Polling upserts by WB's row id.
CREATE UNIQUE INDEX returns_store_srid ON returns (store_id, srid) WHERE srid <> '';

-- Every status change, with who made it: the return's history.
CREATE TABLE return_transitions (
    id          bigserial PRIMARY KEY,
    return_id   bigint      NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
    event       text        NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    actor_kind  text        NOT NULL CHECK (actor_kind IN ('seller', 'staff', 'system')),
    actor_id    bigint      NOT NULL DEFAULT 0,
    actor_name  text        NOT NULL DEFAULT '',
    note        text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX return_transitions_return ON return_transitions (return_id, id);

CREATE TABLE attachments (
    id           bigserial PRIMARY KEY,
    seller_id    bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    return_id    bigint      REFERENCES returns (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('photo', 'video', 'document', 'pickup')),
    file_name    text        NOT NULL DEFAULT '',
    content_type text        NOT NULL DEFAULT 'application/octet-stream',
    size         bigint      NOT NULL CHECK (size >= 0),
    data         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_return ON attachments (return_id, id) WHERE return_id IS NOT NULL;
CREATE INDEX attachments_seller ON attachments (seller_id, kind);

-- Append-only: staff actions and security events.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    actor_kind text        NOT NULL CHECK (actor_kind IN ('seller', 'staff', 'system')),
    actor_id   bigint      NOT NULL DEFAULT 0,
    actor_name text        NOT NULL DEFAULT '',
    action     text        NOT NULL,
    return_id  bigint,
    seller_id  bigint,
    details    jsonb       NOT NULL DEFAULT '{}',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_return ON audit_log (return_id, id) WHERE return_id IS NOT NULL;
CREATE INDEX audit_log_seller ON audit_log (seller_id, id) WHERE seller_id IS NOT NULL;

-- +goose Down
DROP TABLE audit_log;
DROP TABLE attachments;
DROP TABLE return_transitions;
DROP TABLE returns;
DROP TABLE stores;
DROP TABLE seller_identities;
DROP TABLE sellers;
