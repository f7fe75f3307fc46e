-- +goose Up
-- One-time sign-in links to the web view (/web in a chat). Only the SHA-256
-- of a token is kept, so a copy of the database holds no working link.
CREATE TABLE web_login_tokens (
    token_hash bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_login_tokens_expires ON web_login_tokens (expires_at);

-- Signed-in browsers: the cookie holds the token, this table its hash.
CREATE TABLE web_sessions (
    token_hash bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    seller_id  bigint      NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE INDEX web_sessions_seller ON web_sessions (seller_id);

-- The web view's tabs and status filter list one seller's returns of a few
-- statuses, newest first; without this the planner reads every return of
-- the seller (or worse, every return of a status across all sellers).
CREATE INDEX returns_seller_status_request ON returns (seller_id, status, request_date DESC, id DESC);

-- +goose Down
DROP INDEX returns_seller_status_request;
DROP TABLE web_sessions;
DROP TABLE web_login_tokens;
