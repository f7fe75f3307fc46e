-- +goose Up
-- A follower's answer is kept with the turn that made it, as a held row
-- marked reply, until it went: WeChat takes customer-service messages only
-- after the callback's transaction committed, and a replica that dies in
-- between leaves the row for another to send (the sweep), not lost. A
-- reply row goes as soon as the follower's window allows, first in the
-- next answer; a push row waits for the follower's next message.
ALTER TABLE wechat_held_pushes ADD COLUMN reply boolean NOT NULL DEFAULT false;
CREATE INDEX wechat_held_replies ON wechat_held_pushes (created_at) WHERE reply;

-- +goose Down
DROP INDEX wechat_held_replies;
ALTER TABLE wechat_held_pushes DROP COLUMN reply;
