-- +goose Up
-- Teams: several people act for one seller, each from their own chat
-- account, and the audit says which of them did what.

-- A member's display name; the owner (the first account) has none and is
-- shown as the seller.
ALTER TABLE seller_identities ADD COLUMN name text NOT NULL DEFAULT '';

ALTER TABLE return_transitions ADD COLUMN actor_person text NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN actor_person text NOT NULL DEFAULT '';

-- One-time invitations to join a seller's team. Only the code's SHA-256 is
-- kept, so a database leak hands out no team.
CREATE TABLE team_invites (
    id         bigserial PRIMARY KEY,
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL UNIQUE,
    created_by text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    text        NOT NULL DEFAULT ''
);
CREATE INDEX team_invites_seller ON team_invites (seller_id, id);

-- One WB seller account (its sid) is connected to one active store, or
-- two Indigo sellers would share each other's returns. Earlier duplicates
-- are switched off, all but the first connected, which kept its returns.
UPDATE stores s SET active = false, updated_at = now()
WHERE s.supplier_id <> '' AND s.active AND EXISTS (
    SELECT 1 FROM stores o
    WHERE o.supplier_id = s.supplier_id AND o.active AND o.id < s.id);
CREATE UNIQUE INDEX stores_supplier_active ON stores (supplier_id) WHERE supplier_id <> '' AND active;

-- Staff hear when a seller is refused a WB account another seller has.
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert', 'account_taken'));

-- A sign-in link and the browser session it starts act as the person who
-- asked for it ("" for the owner), so web decisions are audited as them.
ALTER TABLE web_login_tokens ADD COLUMN person text NOT NULL DEFAULT '';
ALTER TABLE web_sessions ADD COLUMN person text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE web_sessions DROP COLUMN person;
ALTER TABLE web_login_tokens DROP COLUMN person;
DELETE FROM support_relays WHERE kind = 'account_taken';
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert'));
DROP INDEX stores_supplier_active;
DROP TABLE team_invites;
ALTER TABLE audit_log DROP COLUMN actor_person;
ALTER TABLE return_transitions DROP COLUMN actor_person;
ALTER TABLE seller_identities DROP COLUMN name;
