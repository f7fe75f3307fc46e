-- +goose Up
-- The summary cards' counts and sums per seller, store and status, kept as
-- the changes to returns happen (issue 20: summing a large seller's
-- 250,000 returns for every main page is too slow). Each statement that
-- changes returns appends its net change (statement triggers over the
-- transition tables, so a poll's bulk write adds a few rows, not one per
-- return); appending takes no lock another writer waits on. Reading sums
-- the seller's rows, and folds them into one per store and status once
-- they pile up (storage.ReturnService.Summarize). No foreign keys: a
-- deleted store's or seller's returns leave rows that sum to zero.
CREATE TABLE return_summary (
    id        bigserial PRIMARY KEY,
    seller_id bigint NOT NULL,
    store_id  bigint NOT NULL,
    status    text   NOT NULL,
    n         bigint NOT NULL,
    priced    bigint NOT NULL,
    estimated bigint NOT NULL,
    rub       bigint NOT NULL,
    cny       bigint NOT NULL
);
CREATE INDEX return_summary_seller ON return_summary (seller_id, store_id);

-- One function per event: each names only the transition tables its
-- trigger has.
-- +goose StatementBegin
CREATE FUNCTION return_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO return_summary (seller_id, store_id, status, n, priced, estimated, rub, cny)
    SELECT seller_id, store_id, status, sum(n), sum(priced), sum(estimated), sum(rub), sum(cny) FROM (
        SELECT seller_id, store_id, status, 1 AS n, (price_source <> '')::int AS priced,
            (price_source = 'seller_price')::int AS estimated,
            CASE WHEN price_source <> '' THEN price_rub ELSE 0 END AS rub,
            CASE WHEN price_source <> '' THEN price_cny ELSE 0 END AS cny
        FROM new_rows) d
    GROUP BY seller_id, store_id, status
    HAVING sum(n) <> 0 OR sum(priced) <> 0 OR sum(estimated) <> 0 OR sum(rub) <> 0 OR sum(cny) <> 0;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION return_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO return_summary (seller_id, store_id, status, n, priced, estimated, rub, cny)
    SELECT seller_id, store_id, status, sum(n), sum(priced), sum(estimated), sum(rub), sum(cny) FROM (
        SELECT seller_id, store_id, status, -1 AS n, -(price_source <> '')::int AS priced,
            -(price_source = 'seller_price')::int AS estimated,
            -CASE WHEN price_source <> '' THEN price_rub ELSE 0 END AS rub,
            -CASE WHEN price_source <> '' THEN price_cny ELSE 0 END AS cny
        FROM old_rows) d
    GROUP BY seller_id, store_id, status
    HAVING sum(n) <> 0 OR sum(priced) <> 0 OR sum(estimated) <> 0 OR sum(rub) <> 0 OR sum(cny) <> 0;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION return_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO return_summary (seller_id, store_id, status, n, priced, estimated, rub, cny)
    SELECT seller_id, store_id, status, sum(n), sum(priced), sum(estimated), sum(rub), sum(cny) FROM (
        SELECT seller_id, store_id, status, 1 AS n, (price_source <> '')::int AS priced,
            (price_source = 'seller_price')::int AS estimated,
            CASE WHEN price_source <> '' THEN price_rub ELSE 0 END AS rub,
            CASE WHEN price_source <> '' THEN price_cny ELSE 0 END AS cny
        FROM new_rows
        UNION ALL
        SELECT seller_id, store_id, status, -1 AS n, -(price_source <> '')::int AS priced,
            -(price_source = 'seller_price')::int AS estimated,
            -CASE WHEN price_source <> '' THEN price_rub ELSE 0 END AS rub,
            -CASE WHEN price_source <> '' THEN price_cny ELSE 0 END AS cny
        FROM old_rows) d
    GROUP BY seller_id, store_id, status
    HAVING sum(n) <> 0 OR sum(priced) <> 0 OR sum(estimated) <> 0 OR sum(rub) <> 0 OR sum(cny) <> 0;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER return_summary_insert AFTER INSERT ON returns
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION return_summary_insert();
CREATE TRIGGER return_summary_delete AFTER DELETE ON returns
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION return_summary_delete();
CREATE TRIGGER return_summary_update AFTER UPDATE ON returns
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION return_summary_update();

-- What is there already.
INSERT INTO return_summary (seller_id, store_id, status, n, priced, estimated, rub, cny)
SELECT seller_id, store_id, status, count(*), count(*) FILTER (WHERE price_source <> ''),
    count(*) FILTER (WHERE price_source = 'seller_price'),
    coalesce(sum(price_rub) FILTER (WHERE price_source <> ''), 0), coalesce(sum(price_cny) FILTER (WHERE price_source <> ''), 0)
FROM returns GROUP BY seller_id, store_id, status;

-- +goose Down
DROP TRIGGER return_summary_update ON returns;
DROP TRIGGER return_summary_delete ON returns;
DROP TRIGGER return_summary_insert ON returns;
DROP FUNCTION return_summary_update();
DROP FUNCTION return_summary_delete();
DROP FUNCTION return_summary_insert();
DROP TABLE return_summary;
