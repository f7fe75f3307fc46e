-- +goose Up
-- A seller's ordered rules: the first whose conditions hold decides a
-- return at its decision point.
CREATE TABLE decision_rules (
    id         bigserial   PRIMARY KEY,
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    position   integer     NOT NULL CHECK (position > 0),
    name       text        NOT NULL DEFAULT '',
    conditions jsonb       NOT NULL DEFAULT '{}',
    action     text        NOT NULL CHECK (action IN ('sell_on_wb', 'return_to_seller', 'dispose', 'ask')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- What a seller wants when a decision's deadline passes.
CREATE TABLE decision_defaults (
    seller_id  bigint      PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    decision   text        NOT NULL CHECK (decision IN ('sell_on_wb', 'return_to_seller', 'dispose')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Decisions Indigo made for sellers, by a rule or by the default at the
-- deadline: the digest names them, and the seller may undo them while
-- nothing irreversible has happened.
CREATE TABLE auto_decisions (
    id          bigserial   PRIMARY KEY,
    return_id   bigint      NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
    seller_id   bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('rule', 'default')),
    decision    text        NOT NULL CHECK (decision IN ('sell_on_wb', 'return_to_seller', 'dispose')),
    rule_id     bigint,
    rule_name   text        NOT NULL DEFAULT '',
    -- the wait it ended: a return decided by default once per wait
    entered_at  timestamptz NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    undone_at   timestamptz,
    reported_at timestamptz,
    UNIQUE (return_id, entered_at)
);
CREATE INDEX auto_decisions_unreported ON auto_decisions (seller_id) WHERE reported_at IS NULL;

-- Staff act on a decision made for the seller as on the seller's own, and
-- stop when it is undone; its task says it was made for the seller
-- (":auto"), who may still undo it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION support_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO support_relays (seller_id, kind, text, return_id)
    SELECT r.seller_id, 'task', NEW.event || CASE WHEN NEW.actor_kind = 'system' THEN ':auto' ELSE '' END, r.id
    FROM returns r WHERE r.id = NEW.return_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER return_transitions_support_task ON return_transitions;
CREATE TRIGGER return_transitions_support_task AFTER INSERT ON return_transitions
    FOR EACH ROW WHEN (NEW.event IN ('decide_sell', 'decide_return_to_seller', 'decide_dispose', 'request_inspection',
                                     'reopen_decision'))
    EXECUTE FUNCTION support_task();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION support_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO support_relays (seller_id, kind, text, return_id)
    SELECT r.seller_id, 'task', NEW.event, r.id FROM returns r WHERE r.id = NEW.return_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER return_transitions_support_task ON return_transitions;
CREATE TRIGGER return_transitions_support_task AFTER INSERT ON return_transitions
    FOR EACH ROW WHEN (NEW.event IN ('decide_sell', 'decide_return_to_seller', 'decide_dispose', 'request_inspection'))
    EXECUTE FUNCTION support_task();
DROP TABLE auto_decisions;
DROP TABLE decision_defaults;
DROP TABLE decision_rules;
