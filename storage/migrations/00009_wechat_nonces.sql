-- +goose Up
-- The (timestamp, nonce) pair of every WeChat callback accepted, kept while
-- a request signed with it could still pass the timestamp window, so that
-- every replica accepts a signed request once: a captured callback URL
-- cannot be posted again with another body, or as another follower.
-- digest is the sha-256 of what the request carried: the same pair again
-- with the same content is WeChat's own retry, or a harmless copy, and is
-- answered without doing anything again; with other content it is refused.
-- Rows past expires_at are deleted by bot/wechat's sweep.
CREATE TABLE wechat_nonces (
    app_id     text        NOT NULL,
    ts         text        NOT NULL, -- the timestamp as signed
    nonce      text        NOT NULL,
    digest     bytea       NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (app_id, ts, nonce)
);
CREATE INDEX wechat_nonces_expires ON wechat_nonces (expires_at);

-- +goose Down
DROP TABLE wechat_nonces;
