-- +goose Up
-- Wake senders as soon as the outbox grows: one NOTIFY per statement, and
-- PostgreSQL sends it only when the transaction commits.
-- +goose StatementBegin
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('indigo_outbox', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER notifications_notify AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

-- +goose Down
DROP TRIGGER notifications_notify ON notifications;
DROP FUNCTION notify_outbox();
