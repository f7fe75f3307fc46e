-- +goose Up
-- The WeChat Official Account channel (bot/wechat).

-- One row per Official Account: the access token every replica shares
-- (sealed like WB tokens), refreshed by whichever replica holds the row's
-- lock, and the digest of the account menu last published.
CREATE TABLE wechat_accounts (
    app_id       text        PRIMARY KEY,
    access_token bytea,
    expires_at   timestamptz NOT NULL DEFAULT 'epoch',
    menu_digest  text        NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every callback WeChat posted, keyed as WeChat says to de-duplicate its
-- retries: by MsgId for messages, by FromUserName + CreateTime for events.
-- The payload (the decrypted XML) is kept until the callback is handled.
CREATE TABLE wechat_callbacks (
    dedupe_key  text        PRIMARY KEY,
    openid      text        NOT NULL,
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    handled_at  timestamptz,
    attempts    int         NOT NULL DEFAULT 0,
    last_error  text        NOT NULL DEFAULT ''
);
CREATE INDEX wechat_callbacks_unhandled ON wechat_callbacks (received_at) WHERE handled_at IS NULL;
CREATE INDEX wechat_callbacks_handled ON wechat_callbacks (handled_at) WHERE handled_at IS NOT NULL;

-- One row per follower: the customer-service window their last message or
-- menu tap opened (WeChat allows a few messages within it), and the button
-- data of the numbered choices they were shown last.
CREATE TABLE wechat_followers (
    openid           text        PRIMARY KEY,
    last_inbound_at  timestamptz,
    window_closes_at timestamptz NOT NULL DEFAULT 'epoch',
    window_quota     int         NOT NULL DEFAULT 0,
    window_sent      int         NOT NULL DEFAULT 0,
    menu             text[]      NOT NULL DEFAULT '{}',
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (window_sent >= 0)
);

-- Pushes that could not be sent (no window, or the quota was spent): they
-- are delivered, newest first, the next time the follower writes.
CREATE TABLE wechat_held_pushes (
    id         bigserial   PRIMARY KEY,
    openid     text        NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wechat_held_pushes_openid ON wechat_held_pushes (openid, id);

-- +goose Down
DROP TABLE wechat_held_pushes;
DROP TABLE wechat_followers;
DROP TABLE wechat_callbacks;
DROP TABLE wechat_accounts;
