-- +goose Up
-- The staff chat: where it moved (a group upgraded to a supergroup gets a new id).
CREATE TABLE staff_chats (
    chat_id     bigint      PRIMARY KEY,
    migrated_to bigint      NOT NULL CHECK (migrated_to <> chat_id),
    migrated_at timestamptz NOT NULL DEFAULT now()
);

-- One forum topic per seller in the staff chat.
CREATE TABLE support_threads (
    chat_id    bigint      NOT NULL,
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    thread_id  bigint      NOT NULL,
    name       text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, seller_id),
    UNIQUE (chat_id, thread_id)
);

-- What each message the bot posted in the staff chat is about, so a staff
-- reply to it reaches the seller in context or records on the return.
CREATE TABLE staff_posts (
    chat_id           bigint      NOT NULL,
    message_id        bigint      NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('relay', 'card')),
    seller_id         bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    seller_message_id text        NOT NULL DEFAULT '',
    return_id         bigint      REFERENCES returns (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, message_id)
);

-- What waits to be posted into the staff chat: written in the transaction
-- of the seller's turn (or of the change, by the triggers below), posted in
-- merged batches within the chat's 20 messages a minute.
CREATE TABLE support_relays (
    id           bigserial   PRIMARY KEY,
    seller_id    bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('message', 'pickup_code', 'task', 'alert')),
    channel      text        NOT NULL DEFAULT '',
    chat_id      text        NOT NULL DEFAULT '',
    message_id   text        NOT NULL DEFAULT '',
    text         text        NOT NULL DEFAULT '',
    return_id    bigint      REFERENCES returns (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    relayed_at   timestamptz
);
CREATE INDEX support_relays_pending ON support_relays (id) WHERE relayed_at IS NULL;
CREATE INDEX support_relays_seller ON support_relays (seller_id, id);

-- A relay's files, dropped once posted.
CREATE TABLE support_relay_files (
    id           bigserial PRIMARY KEY,
    relay_id     bigint    NOT NULL REFERENCES support_relays (id) ON DELETE CASCADE,
    kind         text      NOT NULL CHECK (kind IN ('photo', 'video', 'document', 'pickup')),
    file_name    text      NOT NULL DEFAULT '',
    content_type text      NOT NULL DEFAULT 'application/octet-stream',
    data         bytea     NOT NULL
);
CREATE INDEX support_relay_files_relay ON support_relay_files (relay_id, id);

-- Staff see what needs them whichever way it happened (chat, web, a job):
-- a seller's decision or inspection request becomes a task, a confirmed
-- pickup code a relay, in the transaction of the change.
-- +goose StatementBegin
CREATE FUNCTION support_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO support_relays (seller_id, kind, text, return_id)
    SELECT r.seller_id, 'task', NEW.event, r.id FROM returns r WHERE r.id = NEW.return_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER return_transitions_support_task AFTER INSERT ON return_transitions
    FOR EACH ROW WHEN (NEW.event IN ('decide_sell', 'decide_return_to_seller', 'decide_dispose', 'request_inspection'))
    EXECUTE FUNCTION support_task();

-- +goose StatementBegin
CREATE FUNCTION support_pickup_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO support_relays (seller_id, kind, text, return_id)
    VALUES (NEW.seller_id, 'pickup_code', NEW.pickup_code, NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER returns_support_pickup_code AFTER UPDATE OF pickup_code ON returns
    FOR EACH ROW WHEN (NEW.pickup_code <> '' AND NEW.pickup_code IS DISTINCT FROM OLD.pickup_code)
    EXECUTE FUNCTION support_pickup_code();

-- Wake the staff relay as soon as something is queued (sent on commit).
-- +goose StatementBegin
CREATE FUNCTION notify_support() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('indigo_support', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER support_relays_notify AFTER INSERT ON support_relays
    FOR EACH STATEMENT EXECUTE FUNCTION notify_support();

-- Staff actions are looked up by who did them.
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, id);

-- +goose Down
DROP INDEX audit_log_actor;
DROP TRIGGER support_relays_notify ON support_relays;
DROP FUNCTION notify_support();
DROP TRIGGER returns_support_pickup_code ON returns;
DROP FUNCTION support_pickup_code();
DROP TRIGGER return_transitions_support_task ON return_transitions;
DROP FUNCTION support_task();
DROP TABLE support_relay_files;
DROP TABLE support_relays;
DROP TABLE staff_posts;
DROP TABLE support_threads;
DROP TABLE staff_chats;
