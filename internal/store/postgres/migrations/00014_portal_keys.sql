-- +goose Up
-- The customer portal's signing keys (HMAC-SHA256 over a portal link's
-- customer id and expiry). Kept in the database, not in the environment,
-- so that every instance over the same database signs and verifies with
-- the same key; created on first use. A link names the key that signed
-- it, so a key can be retired later without a schema change. The secret
-- is hex; it is never logged or shown.
CREATE TABLE portal_keys (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE portal_keys;
