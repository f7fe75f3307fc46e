-- +goose Up
-- WB keeps a return at the pickup point seven days; one nobody collected
-- is lost to WB's trip back, which WB charges (wb-resale.md §4).
ALTER TABLE returns DROP CONSTRAINT returns_status_check;
ALTER TABLE returns ADD CONSTRAINT returns_status_check CHECK (status IN (
    'awaiting_receipt_at_wb', 'awaiting_pickup_code', 'in_transit_to_warehouse',
    'awaiting_verification', 'awaiting_seller_decision',
    'awaiting_transfer_to_sale', 'awaiting_shipment_to_seller', 'awaiting_disposal',
    'transferred_to_sale', 'sent_to_seller', 'disposed', 'pickup_expired'));

-- What others charged against a return: WB's reverse logistics.
CREATE TABLE return_charges (
    id          bigserial   PRIMARY KEY,
    return_id   bigint      NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('wb_uncollected')),
    amount_rub  bigint      NOT NULL CHECK (amount_rub >= 0),
    source      text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (return_id, kind)
);
-- Returns waiting at a pickup point, by when WB stops keeping them.
CREATE INDEX returns_pickup_ready ON returns (ready_at) WHERE status = 'awaiting_pickup_code';

-- +goose Down
DROP INDEX returns_pickup_ready;
DROP TABLE return_charges;
DELETE FROM returns WHERE status = 'pickup_expired';
ALTER TABLE returns DROP CONSTRAINT returns_status_check;
ALTER TABLE returns ADD CONSTRAINT returns_status_check CHECK (status IN (
    'awaiting_receipt_at_wb', 'awaiting_pickup_code', 'in_transit_to_warehouse',
    'awaiting_verification', 'awaiting_seller_decision',
    'awaiting_transfer_to_sale', 'awaiting_shipment_to_seller', 'awaiting_disposal',
    'transferred_to_sale', 'sent_to_seller', 'disposed'));
