-- +goose Up
-- Indigo's own tariff, kept by staff: every line ever set, each from its
-- date, so that any past date reads back the numbers that applied. The
-- accounts work bills from the same table.
CREATE TABLE indigo_tariffs (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('sell_fee', 'return_handling', 'dispose_fee', 'shipping', 'decision_days')),
    zone            text        NOT NULL DEFAULT '',
    max_weight_g    integer     NOT NULL DEFAULT 0 CHECK (max_weight_g >= 0),
    value           bigint      NOT NULL CHECK (value >= 0),
    effective_from  timestamptz NOT NULL,
    set_by_kind     text        NOT NULL CHECK (set_by_kind IN ('staff', 'system')),
    set_by_id       bigint      NOT NULL DEFAULT 0,
    set_by_name     text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'shipping') = (zone <> '' AND max_weight_g > 0))
);
CREATE INDEX indigo_tariffs_line ON indigo_tariffs (kind, zone, max_weight_g, effective_from DESC, id DESC);

-- +goose Down
DROP TABLE indigo_tariffs;
