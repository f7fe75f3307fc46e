-- +goose Up
-- One row per chat: the conversation's state, locked while an input is handled.
CREATE TABLE chat_sessions (
    channel        text        NOT NULL CHECK (channel IN ('telegram', 'wechat')),
    chat_id        text        NOT NULL,
    seller_id      bigint      REFERENCES sellers (id) ON DELETE SET NULL,
    flow           text        NOT NULL DEFAULT '',
    state          text        NOT NULL DEFAULT '',
    data           jsonb       NOT NULL DEFAULT '{}',
    version        bigint      NOT NULL DEFAULT 0,
    last_update_id bigint      NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id)
);
CREATE INDEX chat_sessions_seller ON chat_sessions (seller_id) WHERE seller_id IS NOT NULL;

-- Where each bot's update stream was confirmed up to (Telegram's getUpdates offset).
CREATE TABLE bot_offsets (
    bot         text   PRIMARY KEY,
    next_offset bigint NOT NULL
);

-- +goose Down
DROP TABLE bot_offsets;
DROP TABLE chat_sessions;
