-- +goose Up
-- Where each return's price came from: a buyer's price (claim, FBS order)
-- or the seller's current price (an estimate); '' is no price yet, which
-- no sum counts.
ALTER TABLE returns ADD COLUMN price_source text NOT NULL DEFAULT ''
    CHECK (price_source IN ('', 'claim', 'order', 'seller_price'));
UPDATE returns SET price_source = CASE WHEN claim_id <> '' THEN 'claim' ELSE 'seller_price' END
    WHERE price_rub > 0;
-- A claim's UUID is no number a seller knows; the order's srid is, until
-- the goods-return report gives the box's number.
UPDATE returns r SET return_number = r.srid
    WHERE r.return_number = r.claim_id AND r.srid <> ''
      AND NOT EXISTS (SELECT 1 FROM returns o WHERE o.store_id = r.store_id AND o.return_number = r.srid);

-- What Indigo knows of a store's article: the card's subject and package,
-- and the seller's current price.
CREATE TABLE wb_products (
    store_id     bigint      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    nm_id        bigint      NOT NULL,
    subject_id   bigint      NOT NULL DEFAULT 0,
    subject_name text        NOT NULL DEFAULT '',
    vendor_code  text        NOT NULL DEFAULT '',
    length_cm    integer     NOT NULL DEFAULT 0 CHECK (length_cm >= 0),
    width_cm     integer     NOT NULL DEFAULT 0 CHECK (width_cm >= 0),
    height_cm    integer     NOT NULL DEFAULT 0 CHECK (height_cm >= 0),
    weight_g     integer     NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
    price_rub    bigint      NOT NULL DEFAULT 0 CHECK (price_rub >= 0),
    price_at     timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, nm_id)
);

-- When each store's prices were last asked of WB: a basic token may ask
-- four times an hour.
CREATE TABLE wb_price_checks (
    store_id   bigint      PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    checked_at timestamptz NOT NULL,
    error      text        NOT NULL DEFAULT ''
);

-- The latest copy of WB's tariffs (common-api): the same for every seller.
CREATE TABLE wb_commissions (
    subject_id       bigint      PRIMARY KEY,
    subject_name     text        NOT NULL DEFAULT '',
    parent_name      text        NOT NULL DEFAULT '',
    fbs_basis_points bigint      NOT NULL CHECK (fbs_basis_points >= 0),
    fetched_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wb_commissions_name ON wb_commissions (lower(subject_name));
CREATE TABLE wb_box_rates (
    warehouse    text        PRIMARY KEY,
    base_rub     bigint      NOT NULL,
    liter_rub    bigint      NOT NULL,
    coef_percent bigint      NOT NULL DEFAULT 0,
    tariff_date  date        NOT NULL,
    fetched_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE wb_return_rates (
    warehouse       text        PRIMARY KEY,
    uncollected_rub bigint      NOT NULL,
    tariff_date     date        NOT NULL,
    fetched_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE wb_return_rates;
DROP TABLE wb_box_rates;
DROP TABLE wb_commissions;
DROP TABLE wb_price_checks;
DROP TABLE wb_products;
ALTER TABLE returns DROP COLUMN price_source;
