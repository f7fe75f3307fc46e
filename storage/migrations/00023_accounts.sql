-- +goose Up
-- Accounts (issue 19): the tariff bills every service the warehouse does,
-- and each charge, payment and correction is one row of an immutable
-- ledger; a seller's balance is the sum of their rows.
ALTER TABLE indigo_tariffs DROP CONSTRAINT indigo_tariffs_kind_check;
ALTER TABLE indigo_tariffs ADD CONSTRAINT indigo_tariffs_kind_check CHECK (kind IN (
    'sell_fee', 'return_handling', 'dispose_fee', 'shipping', 'decision_days',
    'receipt', 'inspection', 'photos', 'storage_day', 'free_days', 'resale_order', 'resale_percent'));

-- return_id has no foreign key on purpose: deleting a store deletes its
-- returns, and the money they cost must stay. return_number keeps what
-- the seller knows the return by.
CREATE TABLE ledger_entries (
    id            bigserial   PRIMARY KEY,
    seller_id     bigint      NOT NULL REFERENCES sellers (id),
    kind          text        NOT NULL CHECK (kind IN ('receipt', 'inspection', 'photos', 'storage_day',
                      'sell_fee', 'resale_order', 'resale_percent', 'return_handling', 'dispose_fee',
                      'staff_charge', 'payment', 'correction')),
    amount        bigint      NOT NULL,
    return_id     bigint,
    return_number text        NOT NULL DEFAULT '',
    day           date,
    -- The cause, once: a second row for the same receipt, storage day or
    -- payment is refused by this key, whichever replica writes it.
    key           text        NOT NULL CHECK (key <> ''),
    tariff_id     bigint      REFERENCES indigo_tariffs (id),
    reason        text        NOT NULL DEFAULT '',
    method        text        NOT NULL DEFAULT '',
    reverses      bigint      UNIQUE REFERENCES ledger_entries (id),
    actor_kind    text        NOT NULL CHECK (actor_kind IN ('seller', 'staff', 'system')),
    actor_id      bigint      NOT NULL DEFAULT 0,
    actor_name    text        NOT NULL DEFAULT '',
    at            timestamptz NOT NULL,
    UNIQUE (seller_id, key),
    CHECK (kind <> 'payment' OR amount > 0),
    CHECK (kind <> 'staff_charge' OR amount < 0),
    CHECK ((kind = 'correction') = (reverses IS NOT NULL)),
    CHECK ((kind = 'storage_day') = (day IS NOT NULL))
);
CREATE INDEX ledger_entries_seller_at ON ledger_entries (seller_id, at);

-- +goose StatementBegin
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are never changed or removed (% refused); write a correction', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A payment's proof: the photo or file staff attached to it.
CREATE TABLE payment_proofs (
    entry_id     bigint PRIMARY KEY REFERENCES ledger_entries (id),
    file_name    text   NOT NULL DEFAULT '',
    content_type text   NOT NULL DEFAULT '',
    data         bytea  NOT NULL
);

-- What staff set on a seller's account, and the method the seller chose.
-- below_since marks that the seller was told the balance fell below the
-- limit, so a run of charges under it tells them once.
CREATE TABLE accounts (
    seller_id      bigint      PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    balance_limit  bigint,
    hold           boolean     NOT NULL DEFAULT false,
    payment_method text        NOT NULL DEFAULT '' CHECK (payment_method IN ('', 'bank_transfer_rub', 'alipay_cny', 'wechat_pay_cny')),
    below_since    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Where to pay, per method, as staff publish it.
CREATE TABLE payment_details (
    method     text        PRIMARY KEY CHECK (method IN ('bank_transfer_rub', 'alipay_cny', 'wechat_pay_cny')),
    details    text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The statements issued on the 1st: one per seller and month, its totals
-- as the ledger had them.
CREATE TABLE statements (
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    month      date        NOT NULL,
    opening    bigint      NOT NULL,
    charges    bigint      NOT NULL,
    credits    bigint      NOT NULL,
    closing    bigint      NOT NULL,
    issued_at  timestamptz NOT NULL,
    PRIMARY KEY (seller_id, month)
);

-- +goose Down
DROP TABLE statements;
DROP TABLE payment_details;
DROP TABLE accounts;
DROP TABLE payment_proofs;
DROP TABLE ledger_entries;
DROP FUNCTION ledger_refuse_change();
DELETE FROM indigo_tariffs WHERE kind IN ('receipt', 'inspection', 'photos', 'storage_day', 'free_days', 'resale_order', 'resale_percent');
ALTER TABLE indigo_tariffs DROP CONSTRAINT indigo_tariffs_kind_check;
ALTER TABLE indigo_tariffs ADD CONSTRAINT indigo_tariffs_kind_check CHECK (kind IN ('sell_fee', 'return_handling', 'dispose_fee', 'shipping', 'decision_days'));
