-- +goose Up
-- A seller's conversation with support, both ways (domain.SupportHistory):
-- what the seller sends is recorded with the relay that carries it (the
-- triggers below, so every path that queues a relay records it), what
-- staff answer once it reached the seller.
CREATE TABLE support_messages (
    id         bigserial   PRIMARY KEY,
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    relay_id   bigint      UNIQUE REFERENCES support_relays (id) ON DELETE SET NULL,
    from_staff boolean     NOT NULL,
    channel    text        NOT NULL DEFAULT '',
    text       text        NOT NULL DEFAULT '',
    files      integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_messages_seller ON support_messages (seller_id, id);

-- +goose StatementBegin
CREATE FUNCTION support_messages_from_relay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO support_messages (seller_id, relay_id, from_staff, channel, text, created_at)
    VALUES (NEW.seller_id, NEW.id, false, NEW.channel, NEW.text, NEW.created_at);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER support_messages_from_relay AFTER INSERT ON support_relays
    FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION support_messages_from_relay();

-- +goose StatementBegin
CREATE FUNCTION support_messages_count_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE support_messages SET files = files + 1 WHERE relay_id = NEW.relay_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER support_messages_count_file AFTER INSERT ON support_relay_files
    FOR EACH ROW EXECUTE FUNCTION support_messages_count_file();

-- +goose Down
DROP TRIGGER support_messages_count_file ON support_relay_files;
DROP FUNCTION support_messages_count_file();
DROP TRIGGER support_messages_from_relay ON support_relays;
DROP FUNCTION support_messages_from_relay();
DROP TABLE support_messages;
