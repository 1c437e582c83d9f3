-- +goose Up
-- Short portal links for reminders (/p/{code}, issue 16 item 8): a code of
-- 16 base62 characters (about 95 bits) opens one customer's portal until
-- expires_at. code_hash is the SHA-256 (hex) of the code: the code itself
-- is never stored, like API tokens and session ids. scope says what the
-- link opens ('home': the customer's portal home).
CREATE TABLE portal_short_links (
    code_hash   TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    scope       TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
-- A customer's links, e.g. to list or revoke them.
CREATE INDEX portal_short_links_customer ON portal_short_links (customer_id, created_at);

-- +goose Down
DROP TABLE portal_short_links;
