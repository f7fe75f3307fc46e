-- +goose Up
-- WeChat template messages: what reaches a follower outside the 48-hour
-- customer-service window (bot/wechat/template.go).

-- One template per kind and follower at most this often: a send takes the
-- slot until next_at first (so two replicas cannot both send), and gives it
-- back when WeChat could not be asked.
CREATE TABLE wechat_template_slots (
    openid  text        NOT NULL,
    kind    text        NOT NULL,
    next_at timestamptz NOT NULL,
    PRIMARY KEY (openid, kind)
);

-- Every template WeChat accepted, with its msgid.
CREATE TABLE wechat_template_sends (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    openid        text        NOT NULL,
    kind          text        NOT NULL,
    template_id   text        NOT NULL,
    client_msg_id text        NOT NULL UNIQUE,
    msgid         bigint      NOT NULL,
    sent_at       timestamptz NOT NULL
);
CREATE INDEX wechat_template_sends_msgid ON wechat_template_sends (msgid);
CREATE INDEX wechat_template_sends_openid ON wechat_template_sends (openid, sent_at);

-- What each TEMPLATESENDJOBFINISH receipt said, once per msgid. Its own
-- table: a receipt may come before the send that WeChat answered is
-- recorded.
CREATE TABLE wechat_template_receipts (
    msgid       bigint      PRIMARY KEY,
    status      text        NOT NULL, -- success, failed:user block, failed: system failed
    received_at timestamptz NOT NULL
);

-- Followers no template reaches, since when and why; gone once one does,
-- or once they write.
CREATE TABLE wechat_template_refusals (
    openid  text        PRIMARY KEY,
    since   timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    kind    text        NOT NULL,
    reason  text        NOT NULL
);

-- +goose Down
DROP TABLE wechat_template_refusals;
DROP TABLE wechat_template_receipts;
DROP TABLE wechat_template_sends;
DROP TABLE wechat_template_slots;
