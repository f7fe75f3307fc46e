-- +goose Up
-- Search and the main page's sums for large sellers (issue 20: a seller
-- with 250,000 returns). The web view's search is a substring match over
-- four columns; a trigram index serves it (storage.searchText is the same
-- expression, kept in step with this one). pg_trgm is a trusted extension:
-- the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX returns_search_trgm ON returns USING gin (
    (product_name || E'\x1f' || vendor_code || E'\x1f' || barcode || E'\x1f' || return_number) gin_trgm_ops);
-- The summary cards read only these columns: an index-only scan instead of
-- every row of the seller.
CREATE INDEX returns_seller_summary ON returns (seller_id, status) INCLUDE (store_id, price_source, price_rub, price_cny);

-- +goose Down
DROP INDEX returns_seller_summary;
DROP INDEX returns_search_trgm;
