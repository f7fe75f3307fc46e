-- +goose Up
-- Resale on WB (FBS, manual §6): the seller's warehouse per store, the
-- stock Indigo last set there, the supplies it ships in, and one shelf unit
-- per return decided "Sell on WB".

-- One row per store that has resold items: its FBS warehouse once made or
-- found, and when the resale loop next looks at the store (leased like
-- store_polls, so replicas share the stores and none works one twice).
CREATE TABLE resale_stores (
    store_id        bigint      PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    warehouse_id    bigint      NOT NULL DEFAULT 0,
    office_id       bigint      NOT NULL DEFAULT 0,
    warehouse_name  text        NOT NULL DEFAULT '',
    -- Why the loop cannot run for the store (a locales id), '' when it can.
    blocked         text        NOT NULL DEFAULT '',
    due_at          timestamptz NOT NULL DEFAULT now(),
    statuses_due_at timestamptz NOT NULL DEFAULT now(),
    reconcile_due_at timestamptz NOT NULL DEFAULT now(),
    invite_done     boolean     NOT NULL DEFAULT false,
    invite_reminded_at timestamptz,
    -- Something changed during a lease (a unit shelved, a supply handed
    -- over): the turn that ends the lease keeps the store due at once.
    touched         boolean     NOT NULL DEFAULT false,
    -- What the shelf offers changed since the stock was last planned.
    stock_dirty     boolean     NOT NULL DEFAULT true,
    leased_until    timestamptz,
    last_ok_at      timestamptz,
    last_error      text        NOT NULL DEFAULT ''
);
CREATE INDEX resale_stores_due ON resale_stores (due_at);

-- The amount Indigo last set (and read back) per size at the store's
-- warehouse: only a change of what the shelf holds is sent again, so the
-- stock WB lowers itself when a buyer orders is not written over.
CREATE TABLE resale_stocks (
    store_id bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    chrt_id  bigint      NOT NULL, -- WB's uint64 chrtId, bit for bit
    amount   integer     NOT NULL CHECK (amount >= 0),
    set_at   timestamptz NOT NULL,
    PRIMARY KEY (store_id, chrt_id)
);

-- Indigo's supplies. The row and its unique name exist before WB is asked
-- for the supply, so a crash in between finds WB's supply by its name.
CREATE TABLE resale_supplies (
    id            bigserial   PRIMARY KEY,
    store_id      bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    seller_id     bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name          text        NOT NULL UNIQUE,
    wb_id         text        NOT NULL DEFAULT '',
    b2b           boolean     NOT NULL,
    cargo_type    integer     NOT NULL,
    state         text        NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'handing_over', 'delivered', 'dropped')),
    shipping_date text        NOT NULL DEFAULT '',
    qr            text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz
);
-- One open supply per store and kind of order: WB never mixes B2B with
-- other orders, nor cargo types, in one supply.
CREATE UNIQUE INDEX resale_supplies_open ON resale_supplies (store_id, b2b, cargo_type) WHERE state = 'open';
CREATE UNIQUE INDEX resale_supplies_wb ON resale_supplies (store_id, wb_id) WHERE wb_id <> '';
CREATE INDEX resale_supplies_state ON resale_supplies (store_id, state);

CREATE TABLE shelf_units (
    id             bigserial   PRIMARY KEY,
    return_id      bigint      NOT NULL UNIQUE REFERENCES returns (id) ON DELETE CASCADE,
    store_id       bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    seller_id      bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    nm_id          bigint      NOT NULL DEFAULT 0,
    chrt_id        bigint      NOT NULL DEFAULT 0, -- WB's uint64 chrtId, bit for bit; 0 = not known yet
    barcode        text        NOT NULL DEFAULT '',
    shelf_place    text        NOT NULL CHECK (shelf_place <> ''),
    status         text        NOT NULL CHECK (status IN (
        'shelved', 'listed', 'ordered', 'packed', 'handed_over', 'sold', 'refused', 'withdrawn')),
    order_id       bigint,
    order_rid      text        NOT NULL DEFAULT '',
    ordered_at     timestamptz,
    order_b2b      boolean     NOT NULL DEFAULT false,
    cargo_type     integer     NOT NULL DEFAULT 0,
    order_price    bigint      NOT NULL DEFAULT 0,
    order_currency integer     NOT NULL DEFAULT 0,
    supply_id      bigint      REFERENCES resale_supplies (id),
    in_supply      boolean     NOT NULL DEFAULT false,
    sticker        text        NOT NULL DEFAULT '',
    -- When WB's card was last found to have no size for the barcode.
    size_checked_at timestamptz,
    staff_told_at  timestamptz,
    sold_price     bigint      NOT NULL DEFAULT 0,
    sold_currency  integer     NOT NULL DEFAULT 0,
    sold_at        timestamptz,
    version        bigint      NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- An order holds a unit only while the unit is in it.
    CHECK ((order_id IS NULL) = (status IN ('shelved', 'listed', 'withdrawn')))
);
-- One order, one unit: a second poll of the same order matches nothing.
CREATE UNIQUE INDEX shelf_units_order ON shelf_units (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX shelf_units_store_status ON shelf_units (store_id, status, chrt_id, id);
CREATE INDEX shelf_units_seller ON shelf_units (seller_id, id);
CREATE INDEX shelf_units_supply ON shelf_units (supply_id) WHERE supply_id IS NOT NULL;

-- Every status change of a unit, with who made it and the order then held.
CREATE TABLE shelf_unit_transitions (
    id           bigserial   PRIMARY KEY,
    unit_id      bigint      NOT NULL REFERENCES shelf_units (id) ON DELETE CASCADE,
    event        text        NOT NULL,
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    order_id     bigint      NOT NULL DEFAULT 0,
    actor_kind   text        NOT NULL CHECK (actor_kind IN ('seller', 'staff', 'system')),
    actor_id     bigint      NOT NULL DEFAULT 0,
    actor_name   text        NOT NULL DEFAULT '',
    actor_person text        NOT NULL DEFAULT '',
    note         text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL
);
CREATE INDEX shelf_unit_transitions_unit ON shelf_unit_transitions (unit_id, id);

-- Staff get resale tasks (pick with the sticker, the supply's QR) in the
-- seller's topic.
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert', 'account_taken', 'resale'));

-- +goose Down
DELETE FROM support_relays WHERE kind = 'resale';
ALTER TABLE support_relays DROP CONSTRAINT support_relays_kind_check;
ALTER TABLE support_relays ADD CONSTRAINT support_relays_kind_check
    CHECK (kind IN ('message', 'pickup_code', 'task', 'alert', 'account_taken'));
DROP TABLE shelf_unit_transitions;
DROP TABLE shelf_units;
DROP TABLE resale_supplies;
DROP TABLE resale_stocks;
DROP TABLE resale_stores;
