-- +goose Up
-- Search and filters for large sellers (issue 20: a seller with 250,000
-- returns). The web view's search is a substring match over four columns.
-- A trigram index serves it, with the seller's id as its first column
-- (btree_gin): GIN intersects the seller's short posting list with the
-- trigrams' long ones, instead of reading every seller's matches and then
-- throwing most away. storage.searchText is this expression; keep them in
-- step. Both extensions are trusted: the database's owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX returns_seller_search ON returns USING gin (seller_id,
    (product_name || E'\x1f' || vendor_code || E'\x1f' || barcode || E'\x1f' || return_number) gin_trgm_ops);
-- A tab's filters (status, defect, dates, store) counted from the index
-- alone: the heap is read only for the page shown.
DROP INDEX returns_seller_status_request;
CREATE INDEX returns_seller_status_request ON returns (seller_id, status, request_date DESC, id DESC)
    INCLUDE (defective, store_id);

-- +goose Down
DROP INDEX returns_seller_status_request;
CREATE INDEX returns_seller_status_request ON returns (seller_id, status, request_date DESC, id DESC);
DROP INDEX returns_seller_search;
